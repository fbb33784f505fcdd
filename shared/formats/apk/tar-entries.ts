import { createGunzip } from 'node:zlib';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { badRequest, isPackyardError } from '../../domain/errors';
import { ApkCodes } from './codes';

export interface TarFile {
  name: string;
  data: Uint8Array;
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Rejects entries that would land outside the install root: absolute names, `..` components, hard links
 * pointing outside, and entries written through a symbolic link the same archive created (the classic
 * "symlink, then file below it" escape). Relative symlink targets such as `../lib/libfoo.so` are normal.
 */
export class PathGuard {
  private readonly symlinks = new Set<string>();

  constructor(private readonly what: string) {}

  check(header: tar.Header): void {
    const name = normalise(header.name);
    this.refuse(name, header.name, 'entry');
    if (header.type === 'link' && header.linkname !== undefined && header.linkname !== null) {
      this.refuse(normalise(header.linkname), header.linkname, 'hard link target');
    }
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      if (this.symlinks.has(parts.slice(0, i).join('/'))) {
        throw badRequest(ApkCodes.UNSAFE_PATH, `the ${this.what} writes ${JSON.stringify(header.name)} through a symbolic link it created`);
      }
    }
    if (header.type === 'symlink') this.symlinks.add(name);
  }

  private refuse(name: string, original: string, kind: string): void {
    if (original.startsWith('/') || name.split('/').includes('..') || original.includes('\0')) {
      throw badRequest(ApkCodes.UNSAFE_PATH, `the ${this.what} holds an unsafe ${kind} ${JSON.stringify(original)} (absolute or with "..")`);
    }
  }
}

/** `./a//b/` -> `a/b`, for comparisons only. */
const normalise = (name: string): string =>
  name
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');

/**
 * Walks an in-memory tar (a complete archive or apk's segment without end blocks), checking every entry's
 * path, and returns the regular files `keep` selects (each at most `maxFile` bytes).
 */
export async function readTar(bytes: Uint8Array, what: string, keep: (name: string) => boolean, maxFile: number): Promise<{ names: string[]; files: TarFile[] }> {
  const guard = new PathGuard(what);
  const extract = tar.extract();
  extract.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const names: string[] = [];
  const files: TarFile[] = [];
  try {
    for await (const entry of extract) {
      const { header } = entry;
      guard.check(header);
      names.push(header.name);
      const regular = header.type === 'file' || header.type === 'contiguous-file';
      if (!regular || !keep(header.name)) {
        entry.resume();
        continue;
      }
      if ((header.size ?? 0) > maxFile) {
        entry.destroy();
        throw badRequest(ApkCodes.TOO_LARGE, `${header.name} in the ${what} is ${header.size} bytes, more than the ${maxFile}-byte limit`);
      }
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      files.push({ name: header.name, data: Buffer.concat(chunks) });
    }
  } catch (e) {
    if (isPackyardError(e)) throw e;
    throw badRequest(ApkCodes.CORRUPT, `the ${what} is not a valid tar archive (${reason(e)})`);
  }
  return { names, files };
}

/**
 * Streams the data part (gzip-compressed tar) through the path checks without keeping it: memory stays
 * flat however large the package, and decompression stops at `maxBytes` (a bomb).
 */
export async function scanDataStream(raw: Uint8Array, maxBytes: number): Promise<{ entries: number; bytes: number }> {
  const guard = new PathGuard('data archive');
  const extract = tar.extract();
  let total = 0;
  let entries = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      if (total > maxBytes) done(badRequest(ApkCodes.TOO_LARGE, `the data archive decompresses to more than ${maxBytes} bytes`));
      else done(null, chunk);
    },
  });
  const source = Readable.from([Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)]);
  const walk = (async () => {
    for await (const entry of extract) {
      try {
        guard.check(entry.header);
      } catch (e) {
        extract.destroy(e as Error);
        throw e;
      }
      entries++;
      entry.resume();
    }
  })();
  // Either side may fail first and the other then sees a secondary error: report the most specific one.
  const failures = (await Promise.allSettled([pipeline(source, createGunzip(), limit, extract), walk]))
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => r.reason as unknown);
  if (failures.length > 0) {
    const known = failures.find(isPackyardError);
    if (known) throw known;
    throw badRequest(ApkCodes.CORRUPT, `the data archive is not a valid gzip-compressed tar (${reason(failures[0])})`);
  }
  return { entries, bytes: total };
}
