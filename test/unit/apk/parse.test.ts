import { generateKeyPairSync } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isPackyardError } from '../../../shared/domain/errors';
import { apkFormat } from '../../../shared/formats/apk';
import { buildApk, craftedTar, splitGzipStreams, type ApkSpec } from '../../support/apks';

let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'packyard-apk-parse-'));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const build = (spec: Partial<ApkSpec> & { name: string }) => buildApk(dir, { version: '1.0.0-r0', ...spec });

/** Parses and returns the PackyardError it must throw. */
async function rejection(bytes: Uint8Array, code: string, message?: RegExp): Promise<void> {
  let error: unknown;
  try {
    await apkFormat.parse(bytes, {});
  } catch (e) {
    error = e;
  }
  if (!isPackyardError(error)) throw new Error(`expected ${code}, got ${error instanceof Error ? error.stack : 'no error'}`);
  expect({ status: error.status, code: error.code }).toEqual({ status: 400, code });
  if (message) expect(error.message).toMatch(message);
}

describe('parsing packages built like abuild', () => {
  it('reads an unsigned package: identity, metadata and the control-stream checksum', async () => {
    const apk = await build({
      name: 'hello',
      version: '2.12.1-r3',
      fields: { depend: ['so:libc.musl-x86_64.so.1', 'busybox>=1.36'], provides: ['cmd:hello=2.12.1-r3'], maintainer: 'Ann <ann@example.invalid>', commit: 'abc123' },
    });
    expect(splitGzipStreams(apk.bytes)).toHaveLength(2);
    expect(apkFormat.detect(apk.bytes.subarray(0, 1024))).toBe(true);
    const pkg = await apkFormat.parse(apk.bytes, {});
    expect(pkg).toMatchObject({ name: 'hello', version: '2.12.1-r3', arch: 'x86_64' });
    expect(pkg.metadata).toMatchObject({
      checksum: apk.checksum,
      pkgname: 'hello',
      pkgver: '2.12.1-r3',
      arch: 'x86_64',
      pkgdesc: 'test package hello',
      license: 'MIT',
      builddate: '1700000000',
      depend: 'so:libc.musl-x86_64.so.1 busybox>=1.36',
      provides: 'cmd:hello=2.12.1-r3',
      maintainer: 'Ann <ann@example.invalid>',
      commit: 'abc123',
    });
    expect(pkg.metadata.checksum).toMatch(/^Q1[A-Za-z0-9+/]{27}=$/);
  });

  it('reads a package signed by its packager, and hashes the control stream, not the signature', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const apk = await build({ name: 'signed', arch: 'noarch', sign: { privateKeyPem: privateKey, keyName: 'packager@example.invalid-1234' } });
    expect(splitGzipStreams(apk.bytes)).toHaveLength(3);
    expect(apkFormat.detect(apk.bytes.subarray(0, 1024))).toBe(true);
    const pkg = await apkFormat.parse(apk.bytes, {});
    expect(pkg).toMatchObject({ name: 'signed', arch: 'noarch' });
    expect(pkg.metadata.checksum).toBe(apk.checksum);
  });

  it('keeps a symlink with a relative target that climbs (normal in packages)', async () => {
    const data = await craftedTar([
      { name: 'usr/lib/libx.so.1', body: 'ELF' },
      { name: 'usr/lib/libx.so', type: 'symlink', linkname: 'libx.so.1' },
      { name: 'usr/share/x/lib', type: 'symlink', linkname: '../../lib' },
      { name: 'usr/bin/x', type: 'symlink', linkname: '/usr/lib/libx.so.1' },
    ]);
    const apk = await build({ name: 'links', dataTar: data });
    await expect(apkFormat.parse(apk.bytes, {})).resolves.toMatchObject({ name: 'links' });
  });
});

describe('detection', () => {
  it('tells an apk from a plain .tar.gz, a .deb and random bytes', async () => {
    const plain = gzipSync(await craftedTar([{ name: 'README', body: 'hi' }]));
    expect(apkFormat.detect(plain)).toBe(false);
    expect(apkFormat.detect(Buffer.from('!<arch>\ndebian-binary   '))).toBe(false);
    expect(apkFormat.detect(Buffer.from('hello, I am not a package'))).toBe(false);
    expect(apkFormat.detect(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe(false);
  });
});

describe('bad input', () => {
  it.each([0.3, 0.6, 0.9, 0.99])('a package truncated to %p of its size is APK_CORRUPT', async (fraction) => {
    const apk = await build({ name: 'trunc', files: { 'usr/share/trunc/data': 'x'.repeat(20_000) + Math.random() } });
    await rejection(apk.bytes.subarray(0, Math.floor(apk.bytes.length * fraction)), 'APK_CORRUPT', /truncated|not valid gzip|not a valid/);
  });

  it('a flipped byte inside the control stream is APK_CORRUPT', async () => {
    const apk = await build({ name: 'flip' });
    const bad = Buffer.from(apk.bytes);
    bad[Math.floor(apk.control.length / 2)] ^= 0xff;
    await rejection(bad, 'APK_CORRUPT');
  });

  it('a flipped byte inside the data stream is APK_CORRUPT', async () => {
    const apk = await build({ name: 'flipdata' });
    const bad = Buffer.from(apk.bytes);
    bad[apk.control.length + 20] ^= 0xff;
    await rejection(bad, 'APK_CORRUPT', /data archive/);
  });

  it('corrupt data without a datahash is APK_CORRUPT', async () => {
    const apk = await build({ name: 'nohash', rawPkgInfo: 'pkgname = nohash\npkgver = 1.0-r0\narch = x86_64\n' });
    const bad = Buffer.from(apk.bytes);
    bad[apk.bytes.length - 6] ^= 0xff; // the gzip trailer's CRC
    await rejection(bad, 'APK_CORRUPT');
  });

  it('trailing garbage after the data stream is APK_CORRUPT', async () => {
    const apk = await build({ name: 'garbage', rawPkgInfo: 'pkgname = garbage\npkgver = 1.0-r0\narch = x86_64\n' });
    await rejection(Buffer.concat([apk.bytes, Buffer.from('trailing bytes')]), 'APK_CORRUPT');
  });

  it('a package without .PKGINFO is APK_NO_PKGINFO', async () => {
    const apk = await build({ name: 'nopkginfo', withoutPkgInfo: true });
    expect(apkFormat.detect(apk.bytes.subarray(0, 1024))).toBe(true); // its control stream holds .post-install
    await rejection(apk.bytes, 'APK_NO_PKGINFO', /\.post-install/);
  });

  it('a package of one stream has no data: APK_NO_DATA', async () => {
    const apk = await build({ name: 'nodata' });
    await rejection(apk.control, 'APK_NO_DATA');
  });

  it.each([
    ['a ".." entry', [{ name: '../../etc/passwd', body: 'root::0:0' }]],
    ['a "./.." entry', [{ name: './usr/../../etc/shadow', body: 'x' }]],
    ['an absolute entry', [{ name: '/etc/cron.d/evil', body: '* * * * * root sh' }]],
    ['a hard link out of the root', [{ name: 'usr/x', type: 'link' as const, linkname: '../../etc/passwd' }]],
    ['a file written through its own symlink', [{ name: 'usr/evil', type: 'symlink' as const, linkname: '/etc' }, { name: 'usr/evil/passwd', body: 'x' }]],
  ])('%s in the data archive is APK_UNSAFE_PATH', async (_what, entries) => {
    const apk = await build({ name: 'traversal', dataTar: await craftedTar(entries) });
    await rejection(apk.bytes, 'APK_UNSAFE_PATH');
  });

  it('a data archive expanding past the bomb limit is APK_TOO_LARGE', async () => {
    const apk = await build({ name: 'bomb', zeroFiles: { 'usr/share/bomb/zeros': 96 * 1024 * 1024 } });
    expect(apk.bytes.length).toBeLessThan(200 * 1024);
    await rejection(apk.bytes, 'APK_TOO_LARGE', /data archive decompresses to more than/);
  });

  it('a control stream expanding past its limit is APK_TOO_LARGE', async () => {
    const huge = 'pkgname = big\npkgver = 1.0-r0\narch = x86_64\n' + '# padding\n'.repeat(1_800_000);
    const apk = await build({ name: 'bigcontrol', rawPkgInfo: huge });
    await rejection(apk.bytes, 'APK_TOO_LARGE', /stream decompresses to more than/);
  });

  it.each(['1.0-r', '1.0-rc1', 'v1.0', '1.0_foo1', '1..0-r0', '1.0-r0-r1', '1.0~XYZ', '1.0.-r0', '1.0ab', '1.0A-r0', '1.0 -r0'])(
    'version %p breaks apk version rules: APK_INVALID_VERSION',
    async (version) => {
      const apk = await build({ name: 'ver', rawPkgInfo: `pkgname = ver\npkgver = ${version}\narch = x86_64\n` });
      await rejection(apk.bytes, 'APK_INVALID_VERSION', /apk versions look like/);
    },
  );

  it.each(['1.0', '1.0_beta', '2.12.1-r3', '1.2.3a_rc1_p2~abcdef-r12', '0.1_git20240101-r0'])('version %p is valid', async (version) => {
    const apk = await build({ name: 'ver', rawPkgInfo: `pkgname = ver\npkgver = ${version}\narch = x86_64\n` });
    await expect(apkFormat.parse(apk.bytes, {})).resolves.toMatchObject({ version });
  });

  it.each([
    ['without pkgname', 'pkgver = 1.0-r0\narch = x86_64\n', 'APK_MISSING_FIELD', /pkgname/],
    ['without pkgver', 'pkgname = x\narch = x86_64\n', 'APK_MISSING_FIELD', /pkgver/],
    ['without arch', 'pkgname = x\npkgver = 1.0-r0\n', 'APK_MISSING_FIELD', /arch/],
    ['with a name starting with "-"', 'pkgname = -x\npkgver = 1.0-r0\narch = x86_64\n', 'APK_INVALID_NAME', /-x/],
    ['with a "/" in the name', 'pkgname = a/b\npkgver = 1.0-r0\narch = x86_64\n', 'APK_INVALID_NAME', /a\/b/],
    ['with a malformed arch', 'pkgname = x\npkgver = 1.0-r0\narch = X86-64\n', 'APK_INVALID_ARCH', /X86-64/],
    ['with a non-numeric size', 'pkgname = x\npkgver = 1.0-r0\narch = x86_64\nsize = lots\n', 'APK_BAD_PKGINFO', /size/],
    ['with a wrong datahash', 'pkgname = x\npkgver = 1.0-r0\narch = x86_64\ndatahash = ' + '0'.repeat(64) + '\n', 'APK_DATAHASH_MISMATCH', /sha256/],
  ])('.PKGINFO %s is rejected', async (_what, pkginfo, code, message) => {
    const apk = await build({ name: 'fields', rawPkgInfo: pkginfo });
    await rejection(apk.bytes, code, message);
  });

  it('.PKGINFO that is not UTF-8 is APK_BAD_PKGINFO', async () => {
    const apk = await build({ name: 'latin' });
    const latin1 = Buffer.concat([Buffer.from('pkgname = x\npkgver = 1.0-r0\narch = x86_64\npkgdesc = caf'), Buffer.from([0xe9, 0x0a])]);
    const controlTar = await craftedTar([{ name: '.PKGINFO', body: latin1 }]);
    expect(controlTar.includes(Buffer.from([0xe9]))).toBe(true);
    const forged = Buffer.concat([gzipSync(controlTar.subarray(0, controlTar.length - 1024)), apk.bytes.subarray(apk.control.length)]);
    await rejection(forged, 'APK_BAD_PKGINFO', /UTF-8/);
  });

  it('not gzip at all is APK_NOT_GZIP', async () => {
    await rejection(Buffer.from('definitely not a package'), 'APK_NOT_GZIP');
  });
});
