import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { badRequest, isPackyardError, type PackyardError } from '../../domain/errors';
import { NpmCodes } from './codes';

export interface TarballLimits {
  /** Decompressed tar bytes (headers included): stops a gzip bomb. */
  maxUnpackedBytes: number;
  maxEntries: number;
  /** package.json is kept whole in the index fragment, which lives in a DynamoDB item (400 KB). */
  maxManifestBytes: number;
  /** The README is kept in the fragment too, cut at this length. */
  maxReadmeBytes: number;
}

/** Generous for real packages (the largest icon sets hold tens of thousands of files), finite for bombs. */
export const TARBALL_LIMITS: TarballLimits = {
  maxUnpackedBytes: 512 * 1024 * 1024,
  maxEntries: 100_000,
  maxManifestBytes: 128 * 1024,
  maxReadmeBytes: 32 * 1024,
};

export interface TarballContents {
  /** `package/package.json` (the first path component is stripped, whatever it is). */
  manifest: Uint8Array;
  /** Regular files, as npm counts them for `dist.fileCount`. */
  fileCount: number;
  /** Sum of the regular files' sizes (`dist.unpackedSize`). */
  unpackedSize: number;
  /** Regular files at the package root (binding.gyp, npm-shrinkwrap.json...). */
  rootFiles: string[];
  readme?: { filename: string; text: string; truncated: boolean };
}

const GZIP_MAGIC = [0x1f, 0x8b];

export const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));
const unsafe = (message: string) => badRequest(NpmCodes.UNSAFE_PATH, message);

/** `./package//lib/` -> ['package', 'lib']; backslashes count as separators, as they do for Windows clients. */
const components = (name: string): string[] => name.split(/[/\\]/).filter((p) => p !== '' && p !== '.');

const isAbsolute = (name: string) => /^[/\\]/.test(name) || /^[A-Za-z]:/.test(name);

/**
 * Refuses what could write outside the folder npm extracts into: absolute names, `..`, NUL bytes, hard links
 * and symbolic links that point outside the archive's root, and device or FIFO entries (npm pack never
 * makes any of these).
 */
function checkEntry(header: tar.Header): void {
  const { name, type } = header;
  if (name.includes('\0') || isAbsolute(name) || components(name).includes('..')) {
    throw unsafe(`the tarball holds an unsafe path ${JSON.stringify(name)} (absolute, or with "..")`);
  }
  if (type === 'character-device' || type === 'block-device' || type === 'fifo') {
    throw unsafe(`the tarball holds a ${type} entry ${JSON.stringify(name)}; a package holds files, folders and links only`);
  }
  if (type === 'link' || type === 'symlink') {
    const target = header.linkname ?? '';
    // A symbolic link resolves from its own folder, a hard link from the archive's root.
    const base = type === 'symlink' ? components(name).slice(0, -1) : [];
    let depth = base.length;
    let escapes = isAbsolute(target) || target.includes('\0');
    for (const part of components(target)) {
      depth += part === '..' ? -1 : 1;
      if (depth < 0) escapes = true;
    }
    if (escapes) throw unsafe(`the tarball's ${type === 'link' ? 'hard' : 'symbolic'} link ${JSON.stringify(name)} points outside the package (${JSON.stringify(target)})`);
  }
}

const README = /^readme(\.[a-z0-9]+)?$/i;

/** The bytes of an entry, at most `max` of them (the rest is drained); `over` says whether there was more. */
async function readEntry(entry: AsyncIterable<unknown>, max: number): Promise<{ data: Buffer; over: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  for await (const chunk of entry) {
    const buf = chunk as Buffer;
    if (size + buf.length > max) {
      over = true;
      if (size < max) chunks.push(buf.subarray(0, max - size));
      size = max;
      continue;
    }
    chunks.push(buf);
    size += buf.length;
  }
  return { data: Buffer.concat(chunks), over };
}

/**
 * Streams a package tarball (gzip-compressed tar) through the path and size checks, keeping only
 * package.json and the README: memory stays flat however large the package, and decompression stops at
 * `maxUnpackedBytes`.
 */
export async function readTarball(bytes: Uint8Array, limits: TarballLimits = TARBALL_LIMITS): Promise<TarballContents> {
  if (!isGzip(bytes)) throw badRequest(NpmCodes.NOT_GZIP, 'the package tarball is not gzip-compressed (npm packages are .tgz files made by npm pack)');
  let total = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      if (total > limits.maxUnpackedBytes) done(badRequest(NpmCodes.TOO_LARGE, `the tarball decompresses to more than ${limits.maxUnpackedBytes} bytes`));
      else done(null, chunk);
    },
  });
  const extract = tar.extract();
  const found: { manifest?: Buffer; readme?: TarballContents['readme']; fileCount: number; unpackedSize: number; rootFiles: string[] } = {
    fileCount: 0,
    unpackedSize: 0,
    rootFiles: [],
  };
  let entries = 0;
  const walk = async () => {
    for await (const entry of extract) {
      const { header } = entry;
      checkEntry(header);
      if (++entries > limits.maxEntries) throw badRequest(NpmCodes.TOO_LARGE, `the tarball holds more than ${limits.maxEntries} entries`);
      const regular = header.type === 'file' || header.type === 'contiguous-file';
      const path = components(header.name).slice(1).join('/');
      if (!regular || path === '') {
        entry.resume();
        continue;
      }
      found.fileCount++;
      found.unpackedSize += header.size ?? 0;
      if (!path.includes('/')) found.rootFiles.push(path);
      if (path === 'package.json') {
        if (found.manifest) throw badRequest(NpmCodes.BAD_MANIFEST, 'the tarball holds more than one package/package.json');
        const { data, over } = await readEntry(entry, limits.maxManifestBytes);
        if (over) throw badRequest(NpmCodes.TOO_LARGE, `package.json is larger than ${limits.maxManifestBytes} bytes`);
        found.manifest = data;
      } else if (README.test(path) && !found.readme) {
        const { data, over } = await readEntry(entry, limits.maxReadmeBytes);
        // A cut may split a UTF-8 sequence; the replacement character is harmless in a README.
        found.readme = { filename: path, text: data.toString('utf8'), truncated: over };
      } else {
        entry.resume();
      }
    }
  };
  const walking = walk().catch((e: unknown) => {
    extract.destroy(e as Error);
    throw e;
  });
  const source = Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  // Either side may fail first and the other then sees a secondary error: report the most specific one.
  const failures = (await Promise.allSettled([pipeline(source, createGunzip(), limit, extract), walking]))
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => r.reason as unknown);
  if (failures.length > 0) {
    const known = failures.find(isPackyardError) as PackyardError | undefined;
    if (known) throw known;
    throw badRequest(NpmCodes.CORRUPT, `the package tarball is not a valid gzip-compressed tar (${reason(failures[0])})`);
  }
  if (!found.manifest) throw badRequest(NpmCodes.NO_MANIFEST, 'the tarball holds no package/package.json');
  return {
    manifest: found.manifest,
    fileCount: found.fileCount,
    unpackedSize: found.unpackedSize,
    rootFiles: found.rootFiles.sort(),
    ...(found.readme ? { readme: found.readme } : {}),
  };
}
