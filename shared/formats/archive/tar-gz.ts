import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { badRequest, isPackyardError } from '../../domain/errors';

export interface TarGzOptions {
  /** How messages name the archive: "the chart". */
  label: string;
  /** Decompressed tar bytes (headers included): stops a gzip bomb. */
  maxUnpackedBytes: number;
  maxEntries: number;
  /** Regular files to keep in memory (by normalised path), each at most maxKeptBytes. */
  keep: (path: string) => boolean;
  maxKeptBytes: number;
  /** `duplicate` (a kept file twice) defaults to `corrupt`. */
  codes: { corrupt: string; tooLarge: string; unsafe: string; duplicate?: string };
  /** Links are refused unless they stay inside the archive and this says `within` (sdists may hold some). */
  links?: 'refuse' | 'within';
}

export interface TarGzEntry {
  /** The entry's path, normalised: `./a//b/` -> `a/b`. */
  path: string;
  type: string;
  size: number;
}

export const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
const components = (name: string): string[] => name.split(/[/\\]/).filter((p) => p !== '' && p !== '.');
const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A symbolic link resolves from its own folder, a hard link from the archive's root; neither may leave it. */
function checkLink(opts: TarGzOptions, name: string, type: string, target: string): void {
  let depth = type === 'symlink' ? components(name).length - 1 : 0;
  let escapes = target.includes('\0') || /^[/\\]/.test(target) || /^[A-Za-z]:/.test(target);
  for (const part of components(target)) {
    depth += part === '..' ? -1 : 1;
    if (depth < 0) escapes = true;
  }
  if (escapes) {
    const label = opts.label.replace(/^the /, '');
    throw badRequest(opts.codes.unsafe, `the ${label}'s ${type === 'link' ? 'hard' : 'symbolic'} link ${JSON.stringify(name)} points outside the archive (${JSON.stringify(target)})`);
  }
}

/**
 * Streams a gzip-compressed tar through the checks every package archive needs: decompression stops at the
 * size limit, the entry count is capped, and only plain files and folders with safe relative paths are
 * accepted (no `..`, absolute paths or devices; links only inside the archive, when allowed). Only the files
 * `keep` asks for are held in memory.
 */
export async function readTarGz(bytes: Uint8Array, opts: TarGzOptions): Promise<{ entries: TarGzEntry[]; kept: Map<string, Buffer> }> {
  const fail = (code: string, message: string) => badRequest(code, message);
  if (!isGzip(bytes)) throw fail(opts.codes.corrupt, `${opts.label} is not gzip-compressed`);
  let total = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      if (total > opts.maxUnpackedBytes) done(fail(opts.codes.tooLarge, `${opts.label} decompresses to more than ${opts.maxUnpackedBytes} bytes`));
      else done(null, chunk);
    },
  });
  const extract = tar.extract();
  const entries: TarGzEntry[] = [];
  const kept = new Map<string, Buffer>();
  const walk = async () => {
    for await (const entry of extract) {
      const { name, type, size = 0 } = entry.header;
      if (name.includes('\0') || /^[/\\]/.test(name) || /^[A-Za-z]:/.test(name) || components(name).includes('..')) {
        throw fail(opts.codes.unsafe, `${opts.label} holds an unsafe path ${JSON.stringify(name)} (absolute, or with "..")`);
      }
      const link = type === 'link' || type === 'symlink';
      if (link && opts.links === 'within') checkLink(opts, name, type, entry.header.linkname ?? '');
      else if (type !== 'file' && type !== 'contiguous-file' && type !== 'directory') {
        throw fail(opts.codes.unsafe, `${opts.label} holds a ${type} entry ${JSON.stringify(name)}; only files and folders${opts.links === 'within' ? ' and links' : ''} are accepted`);
      }
      if (entries.length >= opts.maxEntries) throw fail(opts.codes.tooLarge, `${opts.label} holds more than ${opts.maxEntries} entries`);
      const path = components(name).join('/');
      entries.push({ path, type, size });
      if ((type === 'file' || type === 'contiguous-file') && opts.keep(path)) {
        if (kept.has(path)) throw fail(opts.codes.duplicate ?? opts.codes.corrupt, `${opts.label} holds ${path} twice`);
        if (size > opts.maxKeptBytes) throw fail(opts.codes.tooLarge, `${path} is ${size} bytes, more than the ${opts.maxKeptBytes}-byte limit`);
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        kept.set(path, Buffer.concat(chunks));
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
  if (failures.length) {
    const known = failures.find(isPackyardError);
    if (known) throw known;
    throw fail(opts.codes.corrupt, `${opts.label} is not a valid gzip-compressed tar (${reason(failures[0])})`);
  }
  if (entries.length === 0) throw fail(opts.codes.corrupt, `${opts.label} is an empty archive`);
  return { entries, kept };
}
