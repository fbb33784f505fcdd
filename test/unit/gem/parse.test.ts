import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseDistribution } from '../../../shared/domain/distribution';
import { isPackyardError } from '../../../shared/domain/errors';
import { gemFormat } from '../../../shared/formats/gem';
import { scanDataArchive } from '../../../shared/formats/gem/data-archive';
import { specOf } from '../../../shared/formats/gem/parse';
import { detectFormat, formatForDistribution } from '../../../shared/formats/registry';
import { buildGem, dataTarGz, gemEnv, gemMembers, packTar, repackGem } from '../../support/gems';

let dir: string;
let plain: Buffer;
let native: Buffer;

beforeAll(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'packyard-gem-parse-'));
  const env = gemEnv(join(dir, 'home'));
  plain = await fsp.readFile(await buildGem(dir, env, { name: 'alpha', version: '1.2.0', dependencies: [['rake', '>= 12', '< 14']], requiredRuby: '>= 2.6' }));
  native = await fsp.readFile(await buildGem(dir, env, { name: 'alpha', version: '1.3.0.rc1', platform: 'x86_64-linux' }));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

/** The code a parse fails with. */
async function failure(bytes: Uint8Array): Promise<string> {
  try {
    await gemFormat.parse(bytes, {});
  } catch (e) {
    if (isPackyardError(e)) return `${e.status} ${e.code}: ${e.message}`;
    throw e;
  }
  throw new Error('the gem was accepted');
}

describe('the gem format plug-in', () => {
  it('serves the gems registry and claims tar files without detecting them', () => {
    expect(formatForDistribution(parseDistribution('gems')).id).toBe('gem');
    expect(gemFormat.servesDistribution(parseDistribution('debian/bookworm'))).toBe(false);
    expect(gemFormat.detect(plain.subarray(0, 1024))).toBe(false);
    expect(gemFormat.claims(plain.subarray(0, 1024))).toBe(true);
    expect(gemFormat.claims(gzipSync(plain).subarray(0, 1024))).toBe(false);
    expect(detectFormat(plain.subarray(0, 1024))?.id).not.toBe('gem');
  });

  it('reads name, version, platform and the gemspec from a real gem', async () => {
    const pkg = await gemFormat.parse(plain, {});
    expect(pkg).toMatchObject({ name: 'alpha', version: '1.2.0', arch: '', metadata: { platform: 'ruby', summary: 'The alpha test gem', licenses: 'MIT' } });
    const spec = specOf(pkg);
    expect(spec.dependencies).toEqual([
      { name: 'rake', type: 'runtime', requirement: [{ op: '>=', version: '12' }, { op: '<', version: '14' }], prerelease: false },
      { name: 'rspec', type: 'development', requirement: [{ op: '~>', version: '3' }], prerelease: false },
    ]);
    expect(spec.requiredRubyVersion).toEqual([{ op: '>=', version: '2.6' }]);
    const d = parseDistribution('gems');
    expect(gemFormat.scope(d, pkg)).toBe('alpha');
    expect(gemFormat.filename(pkg)).toBe('alpha-1.2.0.gem');
    expect(gemFormat.blobKey('acme/r', d, pkg)).toBe('acme/r/gems/gems/alpha-1.2.0.gem');
    const file = { blobKey: '', size: plain.length, hashes: { md5: '', sha1: '', sha256: 'ab'.repeat(32), sha512: '' } };
    expect(JSON.parse(gemFormat.fragment('acme/r', d, pkg, file))).toEqual({
      name: 'alpha',
      version: '1.2.0',
      platform: 'ruby',
      sha256: 'ab'.repeat(32),
      dependencies: [['rake', '>= 12&< 14']],
      ruby: '>= 2.6',
    });
    expect(gemFormat.companions('acme/r', d, pkg).map((c) => c.key)).toEqual(['acme/r/gems/quick/Marshal.4.8/alpha-1.2.0.gemspec.rz']);
  });

  it('names platform gems with their platform', async () => {
    const pkg = await gemFormat.parse(native, {});
    expect(pkg).toMatchObject({ name: 'alpha', version: '1.3.0.rc1', arch: 'x86_64-linux' });
    expect(gemFormat.filename(pkg)).toBe('alpha-1.3.0.rc1-x86_64-linux.gem');
    expect(JSON.parse(gemFormat.fragment('acme/r', parseDistribution('gems'), pkg, { blobKey: '', size: 1, hashes: { md5: '', sha1: '', sha256: 'cd', sha512: '' } }))).toMatchObject({
      platform: 'x86_64-linux',
      rubygems: '> 1.3.1',
    });
  });

  describe('refuses', () => {
    const cases: [string, () => Promise<Uint8Array>, RegExp][] = [
      ['a file that is not a tar', async () => Buffer.from('not a gem at all'.repeat(40)), /^400 GEM_CORRUPT/],
      ['a truncated gem', async () => plain.subarray(0, 1500), /^400 GEM_CORRUPT/],
      ['a gem without metadata.gz', async () => repackGem(plain, (m) => m.delete('metadata.gz')), /^400 GEM_NO_METADATA/],
      ['a gem without data.tar.gz', async () => repackGem(plain, (m) => m.delete('data.tar.gz')), /^400 GEM_NO_DATA/],
      ['a member with a path', async () => packTar([{ name: '../metadata.gz', body: Buffer.from('x') }]), /^400 GEM_UNSAFE_ENTRY/],
      ['a member that is a symlink', async () => packTar([{ name: 'metadata.gz', type: 'symlink', linkname: '/etc/passwd' }]), /^400 GEM_UNSAFE_ENTRY/],
      [
        'a duplicate member',
        async () => {
          const members = await gemMembers(plain);
          return packTar([...members, members[1]].map(([name, body]) => ({ name, body })));
        },
        /^400 GEM_DUPLICATE_ENTRY/,
      ],
      ['a data.tar.gz that does not match checksums.yaml.gz', async () => repackGem(plain, (m) => m.set('data.tar.gz', gzipSync(Buffer.alloc(1024))), { keepChecksums: true }), /^400 GEM_CHECKSUM_MISMATCH: SHA256 checksum mismatch for data.tar.gz/],
      ['a metadata.gz that does not match checksums.yaml.gz', async () => repackGem(plain, (_m, y) => (y.text = y.text.replace('The alpha', 'The evil')), { keepChecksums: true }), /^400 GEM_CHECKSUM_MISMATCH: SHA256 checksum mismatch for metadata.gz/],
      ['checksums of an unknown algorithm', async () => repackGem(plain, (m) => m.set('checksums.yaml.gz', gzipSync('---\nMD4:\n  data.tar.gz: 00\n')), { keepChecksums: true }), /^400 GEM_BAD_CHECKSUMS/],
      ['metadata.gz that is not gzip', async () => repackGem(plain, (m) => m.set('metadata.gz', Buffer.from('plain text'))), /^400 GEM_CORRUPT/],
      ['a metadata.gz bomb', async () => repackGem(plain, (m) => m.set('metadata.gz', gzipSync(Buffer.alloc(9 * 1024 * 1024, 0x20)))), /^400 GEM_TOO_LARGE/],
      ['metadata that is not YAML', async () => repackGem(plain, (_m, y) => (y.text = '--- [unclosed\n')), /^400 GEM_BAD_METADATA/],
      ['a YAML alias bomb', async () => repackGem(plain, (_m, y) => (y.text = `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`).join('\n')}\nname: x\n`)), /^400 GEM_BAD_METADATA/],
      ['a name without letters', async () => repackGem(plain, (_m, y) => (y.text = y.text.replace('name: alpha', 'name: "1234"'))), /^400 GEM_INVALID_NAME: .*at least one letter/],
      ['a name with a slash', async () => repackGem(plain, (_m, y) => (y.text = y.text.replace('name: alpha', 'name: al/pha'))), /^400 GEM_INVALID_NAME/],
      ['a name starting with a dash', async () => repackGem(plain, (_m, y) => (y.text = y.text.replace('name: alpha', 'name: "-alpha"'))), /^400 GEM_INVALID_NAME: .*can not begin/],
      ['a missing name', async () => repackGem(plain, (_m, y) => (y.text = y.text.replace('name: alpha\n', ''))), /^400 GEM_INVALID_NAME/],
      ['an invalid version', async () => repackGem(plain, (_m, y) => (y.text = y.text.replace('version: 1.2.0', 'version: "1.2#0"'))), /^400 GEM_INVALID_VERSION/],
      ['an invalid platform', async () => repackGem(plain, (_m, y) => (y.text = y.text.replace('platform: ruby', 'platform: "x86_64/linux"'))), /^400 GEM_INVALID_PLATFORM/],
      ['a dependency with an invalid name', async () => repackGem(plain, (_m, y) => (y.text = y.text.replace('name: rake', 'name: "ra:ke"'))), /^400 GEM_INVALID_DEPENDENCY/],
      ['an invalid requirement operator', async () => repackGem(plain, (_m, y) => (y.text = y.text.replace('- - ">="\n      - !ruby/object:Gem::Version\n        version: \'12\'', '- - "=>"\n      - !ruby/object:Gem::Version\n        version: \'12\''))), /^400 GEM_INVALID_REQUIREMENT/],
    ];
    it.each(cases)('%s', async (_what, make, expected) => {
      expect(await failure(await make())).toMatch(expected);
    });

    it.each<[string, Parameters<typeof dataTarGz>[0]]>([
      ['a path traversal', [{ name: 'lib/../../../etc/cron.d/x', body: Buffer.from('x') }]],
      ['an absolute path', [{ name: '/etc/passwd', body: Buffer.from('x') }]],
      ['a symlink pointing outside', [{ name: 'lib/evil', type: 'symlink', linkname: '../../../../etc' }]],
      ['an absolute symlink', [{ name: 'lib/evil', type: 'symlink', linkname: '/etc' }]],
      ['a file written through its own symlink', [{ name: 'lib/dir', type: 'symlink', linkname: 'other' }, { name: 'lib/dir/x.rb', body: Buffer.from('x') }]],
      ['a fifo', [{ name: 'lib/pipe', type: 'fifo' }]],
    ])('a data.tar.gz with %s', async (_what, entries) => {
      const data = await dataTarGz(entries);
      expect(await failure(await repackGem(plain, (m) => m.set('data.tar.gz', data)))).toMatch(/^400 GEM_UNSAFE_ENTRY/);
    });
  });

  it('accepts links that stay inside the gem', async () => {
    const data = await dataTarGz([
      { name: 'lib', type: 'directory' },
      { name: 'lib/a.rb', body: Buffer.from('x') },
      { name: 'lib/b.rb', type: 'symlink', linkname: 'a.rb' },
      { name: 'bin/c', type: 'symlink', linkname: '../lib/a.rb' },
    ]);
    expect(await scanDataArchive(data)).toEqual({ entries: 4, bytes: expect.any(Number) });
  });

  it('stops a data.tar.gz bomb at the byte and entry limits', async () => {
    const big = await dataTarGz([{ name: 'lib/zeros', body: Buffer.alloc(3 * 1024 * 1024) }]);
    await expect(scanDataArchive(big, 1024 * 1024)).rejects.toMatchObject({ code: 'GEM_TOO_LARGE' });
    const many = await dataTarGz(Array.from({ length: 20 }, (_, i) => ({ name: `lib/f${i}.rb`, body: Buffer.from('x') })));
    await expect(scanDataArchive(many, 1024 * 1024, 10)).rejects.toMatchObject({ code: 'GEM_TOO_LARGE' });
    await expect(scanDataArchive(Buffer.from('not gzip'))).rejects.toMatchObject({ code: 'GEM_CORRUPT' });
  });
});
