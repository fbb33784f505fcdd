import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cargoFormat } from '../../../shared/formats/cargo';
import { indexLine, readFragment, type CargoFragment } from '../../../shared/formats/cargo/index-line';
import { CRATES_IO_INDEX } from '../../../shared/formats/cargo/manifest';
import type { IndexMember, RenderInput, Signer } from '../../../shared/formats/format';
import { crateFile } from './craft';

const FIXTURES = join(__dirname, '../../fixtures/cargo');
const CARGO = { distro: 'cargo', release: '' };
const BASE = 'http://127.0.0.1:8765';
const signer = {} as Signer;

async function member(bytes: Uint8Array, uploadedAt: string, yanked = false): Promise<IndexMember> {
  const pkg = await cargoFormat.parse(bytes, {});
  const hashes = { md5: '', sha1: '', sha512: '', sha256: createHash('sha256').update(bytes).digest('hex') };
  const fragment = cargoFormat.fragment('acme/x', CARGO, pkg, { blobKey: cargoFormat.blobKey('acme/x', CARGO, pkg), size: bytes.length, hashes });
  return { name: pkg.name, version: pkg.version, arch: '', fragment, uploadedAt, ...(yanked ? { yanked: { at: uploadedAt } } : {}) };
}

const input = (members: IndexMember[], scope = 'foo_b'): RenderInput => ({ repo: 'acme/x', scope, members, now: new Date(0), baseUrl: BASE });

describe('the sparse index', () => {
  it('renders the golden index file of a crate made by cargo package, yanked versions kept and marked', async () => {
    const real = await member(readFileSync(join(FIXTURES, 'Foo-b-0.2.0+build.5.crate')), '2026-01-02T00:00:00.000Z');
    const older = await member(await crateFile('Foo-b', '0.1.0', 'rust-version = "1.60"\n\n[features]\nstd = []\n'), '2026-01-01T00:00:00.000Z', true);
    const out = await cargoFormat.render(input([real, older]), signer);
    expect(out.content).toEqual([]);
    expect(out.byHashPrefixes).toEqual([]);
    expect(out.top.map((f) => [f.key, f.contentType])).toEqual([['acme/x/cargo/index/fo/o-/foo-b', 'text/plain; charset=utf-8']]);
    expect(Buffer.from(out.top[0].body).toString('utf8')).toBe(readFileSync(join(FIXTURES, 'foo-b.index'), 'utf8'));
  });

  it('uses the standard shard paths, lower-cased', async () => {
    const keys = async (name: string) => (await cargoFormat.render(input([await member(await crateFile(name, '1.0.0'), 't')], name.toLowerCase()), signer)).top.map((f) => f.key);
    expect(await keys('A')).toEqual(['acme/x/cargo/index/1/a']);
    expect(await keys('Ab')).toEqual(['acme/x/cargo/index/2/ab']);
    expect(await keys('abC')).toEqual(['acme/x/cargo/index/3/a/abc']);
    expect(await keys('Cargo')).toEqual(['acme/x/cargo/index/ca/rg/cargo']);
  });

  it('gives a stray second spelling in a scope its own file rather than mixing names in one', async () => {
    const a = await member(await crateFile('foo-bar', '1.0.0'), '1');
    const b = await member(await crateFile('foo_bar', '2.0.0'), '2');
    const out = await cargoFormat.render(input([b, a], 'foo_bar'), signer);
    expect(out.top.map((f) => f.key)).toEqual(['acme/x/cargo/index/fo/o-/foo-bar', 'acme/x/cargo/index/fo/o_/foo_bar']);
  });

  it('lists versions in publication order, the version breaking ties', async () => {
    const v = async (vers: string, at: string) => member(await crateFile('z', vers), at);
    const out = await cargoFormat.render(input([await v('1.0.0', 'b'), await v('0.9.0', 'c'), await v('0.2.0', 'a'), await v('0.1.0', 'a')], 'z'), signer);
    const versions = Buffer.from(out.top[0].body).toString('utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { vers: string }).vers);
    expect(versions).toEqual(['0.1.0', '0.2.0', '1.0.0', '0.9.0']);
  });

  it('writes registry null for this registry only, keeps other registries and crates.io', () => {
    const dep = { features: [], optional: false, default_features: true, target: null, kind: 'normal' as const, package: null, req: '^1' };
    const fragment: CargoFragment = {
      name: 'x',
      vers: '1.0.0',
      deps: [
        { ...dep, name: 'own', registry: 'sparse+HTTP://127.0.0.1:8765/acme/x/cargo/index' },
        { ...dep, name: 'other', registry: 'sparse+http://127.0.0.1:8765/acme/y/cargo/index/' },
        { ...dep, name: 'std', registry: CRATES_IO_INDEX },
      ],
      cksum: 'c',
      features: { plain: ['a', 'own/x'], weak: ['own?/x'], explicit: ['dep:other'] },
      links: null,
      rust_version: null,
    };
    const line = JSON.parse(indexLine(fragment, false, `sparse+${BASE}/acme/x/cargo/index/`)) as { deps: { registry: string | null }[]; features: object; features2: object; v: number };
    expect(line.deps.map((d) => d.registry)).toEqual([null, 'sparse+http://127.0.0.1:8765/acme/y/cargo/index/', CRATES_IO_INDEX]);
    expect(line.features).toEqual({ plain: ['a', 'own/x'] });
    expect(line.features2).toEqual({ explicit: ['dep:other'], weak: ['own?/x'] });
    expect(line.v).toBe(2);
    expect(readFragment(JSON.stringify(fragment))).toEqual(fragment);
  });

  it('leaves features2, v and rust_version out when there are none', () => {
    const line = indexLine({ name: 'x', vers: '1.0.0', deps: [], cksum: 'c', features: { a: [] }, links: 'z', rust_version: null }, true, 'sparse+h/');
    expect(line).toBe('{"name":"x","vers":"1.0.0","deps":[],"cksum":"c","features":{"a":[]},"yanked":true,"links":"z"}');
  });
});
