import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { readTarball, TARBALL_LIMITS, type TarballLimits } from '../../../shared/formats/npm/tarball';
import { pkgJson, tgz } from './tgz';

const small: TarballLimits = { maxUnpackedBytes: 64 * 1024, maxEntries: 10, maxManifestBytes: 1024, maxReadmeBytes: 16 };
const manifest = pkgJson({ name: 'left', version: '1.0.0' });

const refusal = (code: string, message: RegExp) => expect.objectContaining({ status: 400, code, message: expect.stringMatching(message) });

describe('reading an npm tarball', () => {
  it('finds package.json below the first folder, whatever it is called, and counts files', async () => {
    const bytes = await tgz([
      { name: 'node/', type: 'directory' },
      { name: 'node/package.json', body: '{"name":"left","version":"1.0.0"}' },
      { name: 'node/lib/index.js', body: '12345' },
      { name: 'node/binding.gyp', body: '{}' },
      { name: 'node/link', type: 'symlink', linkname: 'lib/index.js' },
    ]);
    const c = await readTarball(bytes);
    expect(Buffer.from(c.manifest).toString()).toBe('{"name":"left","version":"1.0.0"}');
    expect(c.fileCount).toBe(3);
    expect(c.unpackedSize).toBe(33 + 5 + 2);
    expect(c.rootFiles).toEqual(['binding.gyp', 'package.json']);
    expect(c.readme).toBeUndefined();
  });

  it('accepts ./package/ names and keeps the README, cut at the limit', async () => {
    const c = await readTarball(await tgz([{ name: './package/package.json', body: '{}' }, { name: './package/README.md', body: 'x'.repeat(40) }]), small);
    expect(c.readme).toEqual({ filename: 'README.md', text: 'x'.repeat(16), truncated: true });
    expect(c.unpackedSize).toBe(42);
  });

  it('ignores a package.json that is not at the package root', async () => {
    await expect(readTarball(await tgz([{ name: 'package.json', body: '{}' }, { name: 'package/lib/package.json', body: '{}' }]))).rejects.toThrow(
      refusal('NPM_NO_MANIFEST', /no package\/package.json/),
    );
  });

  it('refuses two package.json files', async () => {
    await expect(readTarball(await tgz([manifest, { name: 'other/package.json', body: '{}' }]))).rejects.toThrow(refusal('NPM_BAD_MANIFEST', /more than one/));
  });

  it('refuses what is not gzip, and a gzip that is not a tar', async () => {
    await expect(readTarball(Buffer.from('plain text'))).rejects.toThrow(refusal('NPM_NOT_GZIP', /not gzip-compressed/));
    await expect(readTarball(gzipSync(randomBytes(2048)))).rejects.toThrow(refusal('NPM_CORRUPT', /not a valid gzip-compressed tar/));
    const good = await tgz([manifest]);
    await expect(readTarball(good.subarray(0, good.length - 12))).rejects.toThrow(refusal('NPM_CORRUPT', /not a valid/));
  });

  it.each([
    ['an absolute path', { name: '/etc/package.json', body: '{}' }, /unsafe path "\/etc\/package.json"/],
    ['a parent reference', { name: 'package/../../x', body: '' }, /unsafe path/],
    ['a Windows parent reference', { name: 'package\\..\\..\\x', body: '' }, /unsafe path/],
    ['a drive letter', { name: 'C:/x', body: '' }, /unsafe path/],
    ['a symbolic link out of the package', { name: 'package/a/l', type: 'symlink', linkname: '../../../etc' }, /symbolic link "package\/a\/l" points outside/],
    ['an absolute symbolic link', { name: 'package/l', type: 'symlink', linkname: '/etc/passwd' }, /points outside/],
    ['a hard link out of the package', { name: 'package/h', type: 'link', linkname: '../etc/passwd' }, /hard link "package\/h" points outside/],
    ['a FIFO', { name: 'package/f', type: 'fifo' }, /fifo entry/],
    ['a device', { name: 'package/d', type: 'character-device' }, /character-device entry/],
  ] as const)('refuses %s', async (_what, entry, message) => {
    await expect(readTarball(await tgz([manifest, entry]))).rejects.toThrow(refusal('NPM_UNSAFE_PATH', message));
  });

  it('accepts links that stay inside the package', async () => {
    const c = await readTarball(await tgz([manifest, { name: 'package/a/b/l', type: 'symlink', linkname: '../../x' }, { name: 'package/h', type: 'link', linkname: 'package/package.json' }]));
    expect(c.fileCount).toBe(1);
  });

  it('stops a decompression bomb, too many entries, and an oversized package.json', async () => {
    await expect(readTarball(await tgz([manifest, { name: 'package/zeros', body: Buffer.alloc(100 * 1024) }]), small)).rejects.toThrow(
      refusal('NPM_TOO_LARGE', /decompresses to more than 65536 bytes/),
    );
    const many = [manifest, ...Array.from({ length: 10 }, (_, i) => ({ name: `package/f${i}`, body: '' }))];
    await expect(readTarball(await tgz(many), small)).rejects.toThrow(refusal('NPM_TOO_LARGE', /more than 10 entries/));
    await expect(readTarball(await tgz([pkgJson({ name: 'left', pad: 'x'.repeat(2000) })]), small)).rejects.toThrow(refusal('NPM_TOO_LARGE', /package.json is larger than 1024 bytes/));
  });

  it('has limits that fit real packages', () => {
    expect(TARBALL_LIMITS.maxEntries).toBeGreaterThanOrEqual(50_000);
    expect(TARBALL_LIMITS.maxManifestBytes).toBeLessThan(200 * 1024); // the fragment lives in a 400 KB item
  });
});
