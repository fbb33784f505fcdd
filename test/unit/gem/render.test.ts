import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { CATALOG_SCOPE, type IndexMember, type RenderedIndex, type Signer } from '../../../shared/formats/format';
import { gemFormat } from '../../../shared/formats/gem';
import type { GemFragment } from '../../../shared/formats/gem/fragment';

const signer = {} as Signer;
const md5 = (b: Uint8Array | string) => createHash('md5').update(b).digest('hex');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function member(f: Partial<GemFragment> & { name: string; version: string }, uploadedAt: string, yankedAt?: string): IndexMember {
  const fragment: GemFragment = { platform: 'ruby', sha256: sha(`${f.name}-${f.version}-${f.platform ?? 'ruby'}`), dependencies: [], ...f };
  return {
    name: f.name,
    version: f.version,
    arch: fragment.platform === 'ruby' ? '' : fragment.platform,
    fragment: JSON.stringify(fragment),
    uploadedAt,
    ...(yankedAt ? { yanked: { at: yankedAt } } : {}),
  };
}

const render = (scope: string, members: IndexMember[]) => gemFormat.render({ repo: 'acme/r', scope, members, now: new Date('2030-01-01T00:00:00Z') }, signer);
const file = (r: RenderedIndex, suffix: string) => {
  const f = [...r.content, ...r.top].find((x) => x.key === `acme/r/gems/${suffix}`);
  if (!f) throw new Error(`no ${suffix} in ${[...r.content, ...r.top].map((x) => x.key).join(', ')}`);
  return f;
};
const textOf = (r: RenderedIndex, suffix: string) => Buffer.from(file(r, suffix).body).toString('utf8');

const rack1 = member({ name: 'rack', version: '1.0.0' }, '2030-01-01T00:00:01.000Z');
const rack2 = member({ name: 'rack', version: '2.0.0', dependencies: [['rake', '>= 12&< 14'], ['json', '~> 2.0']], ruby: '>= 2.7', rubygems: '> 1.3.1' }, '2030-01-01T00:00:03.000Z');
const rackJava = member({ name: 'rack', version: '2.0.0', platform: 'java' }, '2030-01-01T00:00:04.000Z');
const rackPre = member({ name: 'rack', version: '3.0.0.rc1' }, '2030-01-01T00:00:05.000Z');
const alpha = member({ name: 'alpha', version: '0.1.0' }, '2030-01-01T00:00:02.000Z');

describe('the compact index', () => {
  it('writes /info/{name} in upload order, runtime dependencies and requirements in compact-index syntax', async () => {
    const r = await render('rack', [rackPre, rack2, rack1, rackJava]);
    expect(r.content).toEqual([]);
    expect(r.top.map((f) => [f.key, f.contentType])).toEqual([['acme/r/gems/info/rack', 'text/plain; charset=utf-8']]);
    expect(textOf(r, 'info/rack')).toBe(
      [
        '---',
        `1.0.0 |checksum:${sha('rack-1.0.0-ruby')}`,
        `2.0.0 rake:>= 12&< 14,json:~> 2.0|checksum:${sha('rack-2.0.0-ruby')},ruby:>= 2.7,rubygems:> 1.3.1`,
        `2.0.0-java |checksum:${sha('rack-2.0.0-java')}`,
        `3.0.0.rc1 |checksum:${sha('rack-3.0.0.rc1-ruby')}`,
        '',
      ].join('\n'),
    );
  });

  it('leaves yanked versions out of /info, so a yank rewrites it', async () => {
    const yanked = { ...rack1, yanked: { at: '2030-01-01T00:00:09.000Z' } };
    expect(textOf(await render('rack', [yanked, rack2]), 'info/rack')).toBe(`---\n2.0.0 rake:>= 12&< 14,json:~> 2.0|checksum:${sha('rack-2.0.0-ruby')},ruby:>= 2.7,rubygems:> 1.3.1\n`);
    expect(textOf(await render('rack', [yanked]), 'info/rack')).toBe('---\n');
  });

  it('logs uploads and yanks in /versions with the MD5 of /info as it was then; the last MD5 is the current file\'s', async () => {
    const yanked = { ...rack1, yanked: { at: '2030-01-01T00:00:06.000Z' } };
    const all = [rackPre, rack2, alpha, yanked, rackJava];
    const catalog = await render(CATALOG_SCOPE, all);
    expect(catalog.top.map((f) => [f.key, f.contentType])).toEqual([['acme/r/gems/versions', 'text/plain; charset=utf-8']]);
    const versions = textOf(catalog, 'versions');
    const lines = versions.split('\n');
    expect(lines.slice(0, 2)).toEqual(['created_at: 2030-01-01T00:00:01Z', '---']);
    expect(lines.slice(2).map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual(['rack 1.0.0', 'alpha 0.1.0', 'rack 2.0.0', 'rack 2.0.0-java', 'rack 3.0.0.rc1', 'rack -1.0.0', '']);
    const lastMd5 = (name: string) => lines.filter((l) => l.startsWith(`${name} `)).at(-1)!.split(' ')[2];
    expect(lastMd5('rack')).toBe(md5(file(await render('rack', [rackPre, rack2, yanked, rackJava]), 'info/rack').body));
    expect(lastMd5('alpha')).toBe(md5(file(await render('alpha', [alpha]), 'info/alpha').body));
    expect(textOf(catalog, 'names')).toBe('---\nalpha\nrack\n');
  });

  it('only ever appends to /versions, so Bundler\'s Range request fetches the new lines', async () => {
    const before = textOf(await render(CATALOG_SCOPE, [rack1, alpha]), 'versions');
    const after = textOf(await render(CATALOG_SCOPE, [rack1, alpha, rack2]), 'versions');
    const yanked = textOf(await render(CATALOG_SCOPE, [{ ...rack1, yanked: { at: '2030-01-01T00:00:07.000Z' } }, alpha, rack2]), 'versions');
    expect(after.startsWith(before)).toBe(true);
    expect(yanked.startsWith(after)).toBe(true);
    expect(yanked.slice(after.length)).toMatch(/^rack -1\.0\.0 [0-9a-f]{32}\n$/);
  });

  it('reads /versions as Bundler does: yanked versions gone, checksums per name', async () => {
    const versions = textOf(await render(CATALOG_SCOPE, [rack1, alpha, rack2, rackJava, { ...rackPre, yanked: { at: '2030-01-01T00:00:08.000Z' } }]), 'versions');
    const script = `
      require "json"; require "bundler"; require "bundler/compact_index_client"; require "pathname"; require "tmpdir"
      Dir.mktmpdir do |d|
        File.write(File.join(d, "versions"), STDIN.read)
        versions, checksums = Bundler::CompactIndexClient::Cache.new(Pathname.new(d)).versions
        puts JSON.generate([versions.transform_values { |v| v.map { |x| x.compact.join("/") } }, checksums.keys])
      end`;
    const [byName, names] = JSON.parse(execFileSync('ruby', ['-e', script], { input: versions, encoding: 'utf8' })) as [Record<string, string[]>, string[]];
    expect(byName).toEqual({ rack: ['rack/1.0.0', 'rack/2.0.0', 'rack/2.0.0/java'], alpha: ['alpha/0.1.0'] });
    expect(names.sort()).toEqual(['alpha', 'rack']);
  });
});

describe('the legacy Marshal indexes', () => {
  it('list releases, the latest release per name and platform, and pre-releases, without yanked versions', async () => {
    const old = member({ name: 'rack', version: '0.9' }, '2030-01-01T00:00:00.500Z', '2030-01-01T00:00:09.000Z');
    const r = await render(CATALOG_SCOPE, [rack1, rack2, rackJava, rackPre, alpha, old]);
    for (const f of r.content.filter((x) => x.key.endsWith('.gz'))) expect(f.contentType).toBe('application/octet-stream');
    const script = `
      require "json"; require "zlib"; require "rubygems"
      puts JSON.generate(ARGV.map { |hex| Marshal.load(Zlib.gunzip([hex].pack("H*"))).map { |n, v, p| raise "not a Gem::Version" unless v.is_a?(Gem::Version); [n, v.to_s, p] } })`;
    const hexes = ['specs.4.8.gz', 'latest_specs.4.8.gz', 'prerelease_specs.4.8.gz'].map((k) => Buffer.from(file(r, k).body).toString('hex'));
    const [specs, latest, pre] = JSON.parse(execFileSync('ruby', ['-e', script, ...hexes], { encoding: 'utf8' })) as string[][][];
    expect(specs).toEqual([
      ['alpha', '0.1.0', 'ruby'],
      ['rack', '1.0.0', 'ruby'],
      ['rack', '2.0.0', 'ruby'],
      ['rack', '2.0.0', 'java'],
    ]);
    expect(latest).toEqual([
      ['alpha', '0.1.0', 'ruby'],
      ['rack', '2.0.0', 'ruby'],
      ['rack', '2.0.0', 'java'],
    ]);
    expect(pre).toEqual([['rack', '3.0.0.rc1', 'ruby']]);
  });
});
