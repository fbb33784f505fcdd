import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { badRequest, isPackyardError } from '../../domain/errors';
import { PypiCodes } from './codes';
import { ARCHIVE_LIMITS, memberPath, unsafeMemberName, type ArchiveLimits } from './limits';

const GZIP_MAGIC = [0x1f, 0x8b];
export const isGzip = (head: Uint8Array): boolean => GZIP_MAGIC.every((b, i) => head[i] === b);

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));
const unsafe = (message: string) => badRequest(PypiCodes.UNSAFE_PATH, message);

/**
 * Refuses what could write outside the folder pip unpacks into: absolute names, `..`, links pointing out
 * of the archive, and device or FIFO entries (sdist builders make none of these).
 */
function checkEntry(header: tar.Header): void {
  const { name, type } = header;
  if (unsafeMemberName(name)) throw unsafe(`the sdist holds an unsafe path ${JSON.stringify(name)} (absolute, or with "..")`);
  if (type === 'character-device' || type === 'block-device' || type === 'fifo') {
    throw unsafe(`the sdist holds a ${type} entry ${JSON.stringify(name)}; a source distribution holds files, folders and links only`);
  }
  if (type === 'link' || type === 'symlink') {
    const target = header.linkname ?? '';
    // A symbolic link resolves from its own folder, a hard link from the archive's root.
    let depth = type === 'symlink' ? memberPath(name).split('/').length - 1 : 0;
    let escapes = target.includes('\0') || /^[/\\]/.test(target) || /^[A-Za-z]:/.test(target);
    for (const part of target.split(/[/\\]/).filter((p) => p !== '' && p !== '.')) {
      depth += part === '..' ? -1 : 1;
      if (depth < 0) escapes = true;
    }
    if (escapes) throw unsafe(`the sdist's ${type === 'link' ? 'hard' : 'symbolic'} link ${JSON.stringify(name)} points outside the archive (${JSON.stringify(target)})`);
  }
}

/**
 * Streams an sdist (gzip-compressed tar) through the path and size checks and returns its top-level
 * `{stem}/PKG-INFO`: memory stays flat however large the archive, and decompression stops at the limit.
 */
export async function readSdist(bytes: Uint8Array, stem: string, limits: ArchiveLimits = ARCHIVE_LIMITS): Promise<Uint8Array> {
  if (!isGzip(bytes)) throw badRequest(PypiCodes.CORRUPT, 'the sdist is not gzip-compressed (a .tar.gz source distribution)');
  let total = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      if (total > limits.maxUnpackedBytes) done(badRequest(PypiCodes.TOO_LARGE, `the sdist decompresses to more than ${limits.maxUnpackedBytes} bytes`));
      else done(null, chunk);
    },
  });
  const extract = tar.extract();
  const wanted = `${stem}/PKG-INFO`;
  let pkgInfo: Buffer | undefined;
  let entries = 0;
  const walk = async () => {
    for await (const entry of extract) {
      const { header } = entry;
      checkEntry(header);
      if (++entries > limits.maxEntries) throw badRequest(PypiCodes.TOO_LARGE, `the sdist holds more than ${limits.maxEntries} entries`);
      const regular = header.type === 'file' || header.type === 'contiguous-file';
      if (!regular || memberPath(header.name) !== wanted) {
        entry.resume();
        continue;
      }
      if (pkgInfo) throw badRequest(PypiCodes.BAD_METADATA, `the sdist holds ${wanted} twice`);
      if ((header.size ?? 0) > limits.maxMetadataBytes) throw badRequest(PypiCodes.TOO_LARGE, `${wanted} is ${header.size} bytes, more than the ${limits.maxMetadataBytes}-byte limit`);
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      pkgInfo = Buffer.concat(chunks);
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
    const known = failures.find(isPackyardError);
    if (known) throw known;
    throw badRequest(PypiCodes.CORRUPT, `the sdist is not a valid gzip-compressed tar (${reason(failures[0])})`);
  }
  if (entries === 0) throw badRequest(PypiCodes.CORRUPT, 'the sdist is an empty archive');
  if (!pkgInfo) throw badRequest(PypiCodes.NO_METADATA, `the sdist has no ${wanted} (a source distribution holds its metadata in {name}-{version}/PKG-INFO)`);
  return pkgInfo;
}
