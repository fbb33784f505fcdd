import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isPackyardError } from '../../../shared/domain/errors';
import { cargoFormat } from '../../../shared/formats/cargo';
import { CRATE_LIMITS } from '../../../shared/formats/cargo/crate-file';
import { parseCrate } from '../../../shared/formats/cargo/package-file';
import type { ParseContext } from '../../../shared/formats/format';
import { crateBomb, crateFile, tarGz } from './craft';

const CARGO = { distro: 'cargo', release: '' };

async function failure(bytes: Uint8Array, ctx: ParseContext = {}, limits = CRATE_LIMITS): Promise<string> {
  try {
    await parseCrate(bytes, ctx, limits);
  } catch (e) {
    if (isPackyardError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  throw new Error('the crate was accepted');
}

describe('parsing a .crate', () => {
  it('reads a crate made by cargo package: identity without build metadata, the full version kept', async () => {
    const bytes = readFileSync(join(__dirname, '../../fixtures/cargo/Foo-b-0.2.0+build.5.crate'));
    const pkg = await cargoFormat.parse(bytes, { declared: { name: 'Foo-b', version: '0.2.0+build.5' } });
    expect(pkg).toMatchObject({
      name: 'Foo-b',
      version: '0.2.0',
      arch: '',
      metadata: { vers: '0.2.0+build.5', description: 'multi\nline', license: 'MIT', rust_version: '1.70', links: 'foo' },
    });
    expect(cargoFormat.scope(CARGO, pkg)).toBe('foo_b');
    expect(cargoFormat.filename(pkg)).toBe('Foo-b-0.2.0+build.5.crate');
    expect(cargoFormat.blobKey('acme/x', CARGO, pkg)).toBe('acme/x/cargo/crates/Foo-b/Foo-b-0.2.0+build.5.crate');
  });

  it('claims gzip files and detects nothing by itself', async () => {
    const bytes = await crateFile('a', '1.0.0');
    expect(cargoFormat.claims(bytes.subarray(0, 16))).toBe(true);
    expect(cargoFormat.claims(Buffer.from('PK\x03\x04'))).toBe(false);
    expect(cargoFormat.detect(bytes)).toBe(false);
    expect(cargoFormat.servesDistribution(CARGO)).toBe(true);
    expect(cargoFormat.servesDistribution({ distro: 'npm', release: '' })).toBe(false);
  });

  it('accepts directory entries and files in subdirectories', async () => {
    const bytes = await crateFile('a', '1.0.0', '', [{ name: 'a-1.0.0/src/', type: 'directory' }, { name: 'a-1.0.0/src/deep/x.rs', body: '' }]);
    expect((await parseCrate(bytes, {})).name).toBe('a');
  });

  it.each([
    ['not gzip', async () => Buffer.from('not a crate'), /^CARGO_NOT_GZIP/],
    ['truncated', async () => (await crateFile('a', '1.0.0')).subarray(0, 40), /^CARGO_CORRUPT: the .crate is not a valid gzip-compressed tar/],
    ['gzip of something else', async () => gzipSync(Buffer.from('hello world, not a tar archive at all')), /^CARGO_(CORRUPT|MISSING_MANIFEST)/],
    ['an absolute path', async () => crateFile('a', '1.0.0', '', [{ name: '/etc/passwd', body: 'x' }]), /^CARGO_UNSAFE_PATH: .*absolute path/],
    ['a ".." component', async () => crateFile('a', '1.0.0', '', [{ name: 'a-1.0.0/../x', body: 'x' }]), /^CARGO_UNSAFE_PATH: .*"\.\." component/],
    ['a backslash', async () => crateFile('a', '1.0.0', '', [{ name: 'a-1.0.0/..\\x', body: 'x' }]), /^CARGO_UNSAFE_PATH: .*backslash/],
    ['a symbolic link', async () => crateFile('a', '1.0.0', '', [{ name: 'a-1.0.0/l', type: 'symlink', linkname: '../../x' }]), /^CARGO_UNSAFE_PATH: .*symlink entries/],
    ['a hard link', async () => crateFile('a', '1.0.0', '', [{ name: 'a-1.0.0/l', type: 'link', linkname: 'a-1.0.0/Cargo.toml' }]), /^CARGO_UNSAFE_PATH: .*link entries/],
    ['a fifo', async () => crateFile('a', '1.0.0', '', [{ name: 'a-1.0.0/p', type: 'fifo' }]), /^CARGO_UNSAFE_PATH: .*fifo entries/],
    ['a file at the top level', async () => crateFile('a', '1.0.0', '', [{ name: 'README', body: 'x' }]), /^CARGO_INVALID_LAYOUT: every entry .* \(found "README"\)/],
    ['a "./" prefix', async () => tarGz([{ name: './a-1.0.0/Cargo.toml', body: '' }]), /^CARGO_INVALID_LAYOUT/],
    ['two top directories', async () => crateFile('a', '1.0.0', '', [{ name: 'b-1.0.0/x', body: 'x' }]), /^CARGO_INVALID_LAYOUT: .*found "a-1\.0\.0" and "b-1\.0\.0"/],
    ['Cargo.toml twice', async () => crateFile('a', '1.0.0', '', [{ name: 'a-1.0.0/Cargo.toml', body: 'x' }]), /^CARGO_INVALID_LAYOUT: the .crate holds a-1\.0\.0\/Cargo\.toml twice/],
    ['no Cargo.toml', async () => tarGz([{ name: 'a-1.0.0/src/lib.rs', body: '' }]), /^CARGO_MISSING_MANIFEST/],
    ['Cargo.toml only deeper down', async () => tarGz([{ name: 'a-1.0.0/sub/Cargo.toml', body: '' }]), /^CARGO_MISSING_MANIFEST/],
    ['an empty archive', async () => tarGz([]), /^CARGO_MISSING_MANIFEST/],
    ['Cargo.toml not UTF-8', async () => tarGz([{ name: 'a-1.0.0/Cargo.toml', body: Buffer.from([0xff, 0xfe]) }]), /^CARGO_INVALID_MANIFEST: Cargo.toml is not valid UTF-8/],
    ['a directory not matching the manifest', async () => tarGz([{ name: 'a-1.0.1/Cargo.toml', body: '[package]\nname = "a"\nversion = "1.0.0"\n' }]), /^CARGO_INVALID_LAYOUT: .*below a-1\.0\.1\/ .*expected a-1\.0\.0\//],
    ['a directory differing in case', async () => tarGz([{ name: 'A-1.0.0/Cargo.toml', body: '[package]\nname = "a"\nversion = "1.0.0"\n' }]), /^CARGO_INVALID_LAYOUT/],
  ])('refuses %s', async (_what, make, message) => {
    expect(await failure(await make())).toMatch(message);
  });

  it('refuses name and version that disagree with the publish metadata', async () => {
    const bytes = await crateFile('a', '1.0.0');
    expect(await failure(bytes, { declared: { name: 'A', version: '1.0.0' } })).toMatch(/^CARGO_METADATA_MISMATCH: the publish metadata names the crate "A"/);
    expect(await failure(bytes, { declared: { name: 'a', version: '1.0.0+x' } })).toMatch(/^CARGO_METADATA_MISMATCH: .*gives version "1\.0\.0\+x"/);
  });

  it('stops decompression bombs: unpacked size, entry count, manifest size', async () => {
    const small = { maxUnpackedBytes: 4 * 1024 * 1024, maxEntries: 10, maxManifestBytes: 150 };
    expect(await failure(crateBomb('a', '1.0.0', 8 * 1024 * 1024), {}, small)).toMatch(/^CARGO_TOO_LARGE: the .crate unpacks to more than 4194304 bytes/);
    const many = await crateFile('a', '1.0.0', '', Array.from({ length: 10 }, (_, i) => ({ name: `a-1.0.0/f${i}`, body: '' })));
    expect(await failure(many, {}, small)).toMatch(/^CARGO_TOO_LARGE: the .crate holds more than 10 entries/);
    const big = await crateFile('a', '1.0.0', `description = "${'x'.repeat(200)}"\n`);
    expect(await failure(big, {}, small)).toMatch(/^CARGO_TOO_LARGE: Cargo.toml is \d+ bytes, more than the 150-byte limit/);
  });
});
