import { createHash } from 'node:crypto';
import { zipSync } from 'fflate';
import { pypiFormat } from '../../../shared/formats/pypi';
import { readFragment } from '../../../shared/formats/pypi/fragment';
import type { ArchiveLimits } from '../../../shared/formats/pypi/limits';
import { parsePypiPackage } from '../../../shared/formats/pypi/parse';
import { meta, sdist, tgz, wheel, zip } from './dists';

const refusal = (code: string, message: RegExp) => expect.objectContaining({ status: 400, code, message: expect.stringMatching(message) });
const PYPI = { distro: 'pypi', release: '' };
const WHL = 'foo_bar-1.0-py3-none-any.whl';
const stored = (bytes: Uint8Array, blobKey: string) => ({
  blobKey,
  size: bytes.length,
  hashes: { md5: '', sha1: '', sha256: createHash('sha256').update(bytes).digest('hex'), sha512: '' },
});

/** A zip's central directory header of `name`, for tests that make the directory lie. */
function centralHeader(bytes: Uint8Array, name: string): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let p = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); p >= 0; p = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), p + 4)) {
    if (buf.subarray(p + 46, p + 46 + buf.readUInt16LE(p + 28)).toString() === name) return p;
  }
  throw new Error(`no ${name}`);
}

describe('parsing a wheel', () => {
  it('takes the identity from METADATA: normalised name and version, the tags as arch', async () => {
    const metadata = meta('Foo.Bar', '1.0', { 'Requires-Python': '>=3.8', 'Requires-Dist': ['six'] });
    const bytes = wheel('Foo.Bar', '1.0', metadata);
    const pkg = await parsePypiPackage(bytes, { filename: WHL, declared: { name: 'Foo.Bar', version: '1.0' } });
    expect(pkg).toMatchObject({
      name: 'foo-bar',
      version: '1.0',
      arch: 'py3-none-any',
      metadata: { filename: WHL, kind: 'wheel', displayName: 'Foo.Bar', versionText: '1.0', metadataVersion: '2.1', summary: 'The Foo.Bar project', requiresPython: '>=3.8' },
    });
    expect(Buffer.from(pkg.extras!.metadata).toString()).toBe(metadata);
    expect(pypiFormat.scope(PYPI, pkg)).toBe('foo-bar');
    expect(pypiFormat.filename(pkg)).toBe(WHL);
    const key = pypiFormat.blobKey('acme/py', PYPI, pkg);
    expect(key).toBe(`acme/py/pypi/files/foo-bar/${WHL}`);
    const file = stored(bytes, key);
    expect(pypiFormat.companions(PYPI.distro, PYPI, pkg, file)).toEqual([{ key: `${key}.metadata`, body: pkg.extras!.metadata, contentType: 'text/plain; charset=utf-8' }]);
    expect(readFragment(pypiFormat.fragment('acme/py', PYPI, pkg, file))).toEqual({
      filename: WHL,
      name: 'Foo.Bar',
      version: '1.0',
      size: bytes.length,
      sha256: file.hashes.sha256,
      requiresPython: '>=3.8',
      metadataSha256: createHash('sha256').update(metadata).digest('hex'),
    });
  });

  it('keeps a build tag in the arch and accepts spellings that normalise alike', async () => {
    const pkg = await parsePypiPackage(wheel('foo', '1.0.0-rc.1'), { filename: 'Foo-1.0.0rc1-2-cp311-abi3-linux_x86_64.whl', declared: { name: 'FOO', version: '1.0.0rc1' } });
    expect(pkg).toMatchObject({ name: 'foo', version: '1.0.0rc1', arch: '2-cp311-abi3-linux_x86_64', metadata: { versionText: '1.0.0-rc.1' } });
  });

  it('is claimed as a zip, never detected (other formats are zips too)', () => {
    const bytes = wheel('foo', '1.0');
    expect(pypiFormat.detect(bytes)).toBe(false);
    expect(pypiFormat.claims(bytes)).toBe(true);
    expect(pypiFormat.claims(Buffer.from('hello'))).toBe(false);
  });

  it('checks the file name, the .dist-info folder and the declared fields against METADATA', async () => {
    await expect(parsePypiPackage(wheel('foo', '1.0'), {})).rejects.toThrow(refusal('PYPI_MISSING_FILENAME', /needs its file name/));
    await expect(parsePypiPackage(wheel('foo', '1.0'), { filename: 'bar-1.0-py3-none-any.whl' })).rejects.toThrow(
      refusal('PYPI_FILENAME_MISMATCH', /"bar-1.0-py3-none-any.whl" does not match the metadata, which says foo 1.0/),
    );
    await expect(parsePypiPackage(wheel('foo', '1.0'), { filename: 'foo-1.1-py3-none-any.whl' })).rejects.toThrow(refusal('PYPI_FILENAME_MISMATCH', /says foo 1.0/));
    await expect(parsePypiPackage(wheel('foo', '1.0', meta('foo', '1.1')), { filename: 'foo-1.1-py3-none-any.whl' })).rejects.toThrow(
      refusal('PYPI_FILENAME_MISMATCH', /metadata folder foo-1.0.dist-info does not match foo 1.1/),
    );
    await expect(parsePypiPackage(wheel('foo', '1.0'), { filename: 'foo-1.0-py3-none-any.whl', declared: { name: 'bar' } })).rejects.toThrow(
      refusal('PYPI_NAME_MISMATCH', /names the project "bar", but the file's metadata says "foo"/),
    );
    await expect(parsePypiPackage(wheel('foo', '1.0'), { filename: 'foo-1.0-py3-none-any.whl', declared: { version: '1.0.1' } })).rejects.toThrow(
      refusal('PYPI_VERSION_MISMATCH', /declares version "1.0.1", but the file's metadata says "1.0"/),
    );
    // The presigned path declares nothing.
    await expect(parsePypiPackage(wheel('foo', '1.0'), { filename: 'foo-1.0-py3-none-any.whl', declared: { name: '', version: '' } })).resolves.toMatchObject({ name: 'foo' });
  });

  const W = 'foo-1.0-py3-none-any.whl';
  it.each([
    ['no .dist-info', zip({ 'foo/__init__.py': '' }), 'PYPI_NO_METADATA', /no \.dist-info folder/],
    ['two .dist-info', wheel('foo', '1.0', undefined, { 'bar-1.0.dist-info/METADATA': meta('bar', '1.0') }), 'PYPI_BAD_METADATA', /more than one \.dist-info folder: bar-1.0.dist-info, foo-1.0.dist-info/],
    ['no METADATA', zip({ 'foo-1.0.dist-info/WHEEL': 'Wheel-Version: 1.0\n' }), 'PYPI_NO_METADATA', /no foo-1.0.dist-info\/METADATA/],
    ['no WHEEL', zip({ 'foo-1.0.dist-info/METADATA': meta('foo', '1.0') }), 'PYPI_NO_METADATA', /no foo-1.0.dist-info\/WHEEL/],
    ['METADATA below the top level', zip({ 'x/foo-1.0.dist-info/METADATA': meta('foo', '1.0') }), 'PYPI_NO_METADATA', /no \.dist-info folder/],
    ['a bad METADATA', wheel('foo', '1.0', 'Name: foo\n'), 'PYPI_BAD_METADATA', /foo-1.0.dist-info\/METADATA has no Metadata-Version/],
    ['not a zip', Buffer.from('definitely not a zip archive'), 'PYPI_CORRUPT', /not a zip archive/],
    ['a truncated zip', wheel('foo', '1.0').subarray(0, 200), 'PYPI_CORRUPT', /no end of central directory/],
    ['an empty zip', zip({}), 'PYPI_CORRUPT', /not a zip archive|empty zip/],
    ['a path with ..', wheel('foo', '1.0', undefined, { '../evil.py': 'x' }), 'PYPI_UNSAFE_PATH', /unsafe path "..\/evil.py"/],
    ['an absolute path', wheel('foo', '1.0', undefined, { '/etc/evil': 'x' }), 'PYPI_UNSAFE_PATH', /unsafe path "\/etc\/evil"/],
    ['a backslash path', wheel('foo', '1.0', undefined, { 'foo\\..\\..\\evil': 'x' }), 'PYPI_UNSAFE_PATH', /unsafe path/],
  ] as const)('refuses a wheel with %s', async (_what, bytes, code, message) => {
    await expect(parsePypiPackage(bytes, { filename: W })).rejects.toThrow(refusal(code, message));
  });

  it('refuses members whose directory entry lies about their size or content', async () => {
    const under = wheel('foo', '1.0');
    const p = centralHeader(under, 'foo-1.0.dist-info/METADATA');
    const view = Buffer.from(under.buffer, under.byteOffset, under.byteLength);
    view.writeUInt32LE(view.readUInt32LE(p + 24) - 10, p + 24);
    await expect(parsePypiPackage(under, { filename: W })).rejects.toThrow(refusal('PYPI_CORRUPT', /METADATA" does not inflate to its declared size/));

    const huge = wheel('foo', '1.0');
    const h = Buffer.from(huge.buffer, huge.byteOffset, huge.byteLength);
    h.writeUInt32LE(20_000_000, centralHeader(huge, 'foo-1.0.dist-info/METADATA') + 24);
    await expect(parsePypiPackage(huge, { filename: W })).rejects.toThrow(refusal('PYPI_TOO_LARGE', /METADATA is 20000000 bytes, more than the 8388608-byte limit/));

    // Stored (not deflated), so one flipped byte is still a well-formed zip: only the CRC sees it.
    const info = 'foo-1.0.dist-info';
    const flat = zipSync({ [`${info}/METADATA`]: [Buffer.from(meta('foo', '1.0')), { level: 0 }], [`${info}/WHEEL`]: [Buffer.from('Wheel-Version: 1.0\n'), { level: 0 }] });
    const f = Buffer.from(flat.buffer, flat.byteOffset, flat.byteLength);
    f[f.indexOf('Summary') + 1] ^= 0x20;
    await expect(parsePypiPackage(flat, { filename: W })).rejects.toThrow(refusal('PYPI_CORRUPT', /METADATA" is damaged: its size or CRC-32/));
  });

  it('stops bombs: too many entries, too many declared bytes, an oversized METADATA', async () => {
    const limits: ArchiveLimits = { maxEntries: 5, maxUnpackedBytes: 50_000, maxMetadataBytes: 2_000 };
    const zeros = new Uint8Array(60_000);
    await expect(parsePypiPackage(wheel('foo', '1.0', undefined, { 'foo/a': '', 'foo/b': '', 'foo/c': '' }), { filename: W }, limits)).rejects.toThrow(
      refusal('PYPI_TOO_LARGE', /more than 5 entries/),
    );
    await expect(parsePypiPackage(wheel('foo', '1.0', undefined, { 'foo/zeros': zeros }), { filename: W }, limits)).rejects.toThrow(refusal('PYPI_TOO_LARGE', /unpacks to more than 50000 bytes/));
    await expect(parsePypiPackage(wheel('foo', '1.0', meta('foo', '1.0') + 'x'.repeat(3000)), { filename: W }, limits)).rejects.toThrow(
      refusal('PYPI_TOO_LARGE', /METADATA is \d+ bytes, more than the 2000-byte limit/),
    );
  });
});

describe('parsing an sdist', () => {
  it('reads {name}-{version}/PKG-INFO; older sdists keep "-" and dots in the name', async () => {
    const bytes = await sdist('My.Pkg-1.0', meta('My.Pkg', '1.0', { 'Requires-Python': '>=3.7' }), [{ name: 'My.Pkg-1.0/My.Pkg.egg-info/PKG-INFO', body: meta('other', '9') }]);
    const pkg = await parsePypiPackage(bytes, { filename: 'My.Pkg-1.0.tar.gz', declared: { name: 'my_pkg', version: '1.0' } });
    expect(pkg).toMatchObject({ name: 'my-pkg', version: '1.0', arch: 'sdist', metadata: { kind: 'sdist', displayName: 'My.Pkg', requiresPython: '>=3.7' } });
    expect(pkg.extras).toBeUndefined();
    expect(pypiFormat.companions('acme/py', PYPI, pkg, stored(bytes, 'k'))).toEqual([]);
    expect(pypiFormat.claims(bytes)).toBe(true);
    const legacy = await parsePypiPackage(await sdist('my-pkg-2.0', meta('my-pkg', '2.0')), { filename: 'my-pkg-2.0.tar.gz' });
    expect(legacy).toMatchObject({ name: 'my-pkg', version: '2.0' });
    // "./" prefixes, as some tar writers add them.
    await expect(parsePypiPackage(await tgz([{ name: './foo-1.0/PKG-INFO', body: meta('foo', '1.0') }]), { filename: 'foo-1.0.tar.gz' })).resolves.toMatchObject({ name: 'foo' });
  });

  const S = 'foo-1.0.tar.gz';
  const pkgInfo = { name: 'foo-1.0/PKG-INFO', body: meta('foo', '1.0') };
  it.each([
    ['no PKG-INFO', [{ name: 'foo-1.0/setup.py', body: '' }], 'PYPI_NO_METADATA', /no foo-1.0\/PKG-INFO/],
    ['PKG-INFO only in egg-info', [{ name: 'foo-1.0/foo.egg-info/PKG-INFO', body: meta('foo', '1.0') }], 'PYPI_NO_METADATA', /no foo-1.0\/PKG-INFO/],
    ['PKG-INFO in another folder', [{ name: 'bar-1.0/PKG-INFO', body: meta('foo', '1.0') }], 'PYPI_NO_METADATA', /no foo-1.0\/PKG-INFO/],
    ['PKG-INFO twice', [pkgInfo, pkgInfo], 'PYPI_BAD_METADATA', /PKG-INFO twice/],
    ['another project in PKG-INFO', [{ name: 'foo-1.0/PKG-INFO', body: meta('bar', '1.0') }], 'PYPI_FILENAME_MISMATCH', /"foo-1.0.tar.gz" does not match the metadata, which says bar 1.0/],
    ['a path with ..', [pkgInfo, { name: 'foo-1.0/../../evil', body: 'x' }], 'PYPI_UNSAFE_PATH', /unsafe path "foo-1.0\/..\/..\/evil"/],
    ['an absolute path', [pkgInfo, { name: '/etc/cron.d/evil', body: 'x' }], 'PYPI_UNSAFE_PATH', /unsafe path "\/etc\/cron.d\/evil"/],
    ['a symlink out', [pkgInfo, { name: 'foo-1.0/link', type: 'symlink', linkname: '../../etc/passwd' }], 'PYPI_UNSAFE_PATH', /symbolic link "foo-1.0\/link" points outside/],
    ['a hard link out', [pkgInfo, { name: 'foo-1.0/hard', type: 'link', linkname: '../etc/passwd' }], 'PYPI_UNSAFE_PATH', /hard link "foo-1.0\/hard" points outside/],
    ['a device', [pkgInfo, { name: 'foo-1.0/tty', type: 'character-device' }], 'PYPI_UNSAFE_PATH', /character-device entry/],
  ] as const)('refuses an sdist with %s', async (_what, entries, code, message) => {
    await expect(parsePypiPackage(await tgz([...entries]), { filename: S })).rejects.toThrow(refusal(code, message));
  });

  it('accepts links that stay inside', async () => {
    await expect(parsePypiPackage(await tgz([pkgInfo, { name: 'foo-1.0/docs/link', type: 'symlink', linkname: '../README' }]), { filename: S })).resolves.toMatchObject({ name: 'foo' });
  });

  it('refuses damaged archives and bombs', async () => {
    await expect(parsePypiPackage(Buffer.from('not gzip at all'), { filename: S })).rejects.toThrow(refusal('PYPI_CORRUPT', /not gzip-compressed/));
    const good = await tgz([pkgInfo]);
    await expect(parsePypiPackage(good.subarray(0, good.length - 30), { filename: S })).rejects.toThrow(refusal('PYPI_CORRUPT', /not a valid gzip-compressed tar/));
    const limits: ArchiveLimits = { maxEntries: 3, maxUnpackedBytes: 200_000, maxMetadataBytes: 1_000 };
    await expect(parsePypiPackage(await tgz([pkgInfo, { name: 'foo-1.0/zeros', body: Buffer.alloc(500_000) }]), { filename: S }, limits)).rejects.toThrow(
      refusal('PYPI_TOO_LARGE', /decompresses to more than 200000 bytes/),
    );
    const many = [pkgInfo, ...[1, 2, 3].map((i) => ({ name: `foo-1.0/f${i}`, body: '' }))];
    await expect(parsePypiPackage(await tgz(many), { filename: S }, limits)).rejects.toThrow(refusal('PYPI_TOO_LARGE', /more than 3 entries/));
    await expect(parsePypiPackage(await tgz([{ name: 'foo-1.0/PKG-INFO', body: meta('foo', '1.0') + 'x'.repeat(2000) }]), { filename: S }, limits)).rejects.toThrow(
      refusal('PYPI_TOO_LARGE', /PKG-INFO is \d+ bytes, more than the 1000-byte limit/),
    );
  });
});
