import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { badRequest, isPackyardError } from '../../domain/errors';
import { GemCodes } from './codes';

/** A bomb stops here: far above any real gem's unpacked size, far below what exhausts a function. */
export const MAX_DATA_BYTES = 1024 * 1024 * 1024;
export const MAX_DATA_ENTRIES = 100_000;

const ALLOWED_TYPES = new Set(['file', 'contiguous-file', 'directory', 'symlink', 'link']);

/** `./a//b/` -> [`a`, `b`]; `..` components are kept so they can be refused. */
const components = (path: string): string[] => path.split('/').filter((p) => p !== '' && p !== '.');

/** Resolves `..` against `base` (components); undefined when it climbs above the root. */
function resolveWithin(base: string[], target: string): string[] | undefined {
  const out = [...base];
  for (const part of components(target)) {
    if (part !== '..') out.push(part);
    else if (out.pop() === undefined) return undefined;
  }
  return out;
}

/**
 * What `gem install` would refuse or what would escape the gem's directory: absolute names, `..`
 * components, links pointing outside, files written through a link the archive itself created, and
 * devices or fifos.
 */
class EntryGuard {
  private readonly links = new Set<string>();

  check(header: tar.Header): void {
    const { name, type } = header;
    const parts = components(name);
    if (name.startsWith('/') || name.includes('\0') || parts.includes('..')) {
      throw badRequest(GemCodes.UNSAFE_ENTRY, `data.tar.gz holds an unsafe path ${JSON.stringify(name)} (absolute or with "..")`);
    }
    if (!ALLOWED_TYPES.has(type ?? 'file')) {
      throw badRequest(GemCodes.UNSAFE_ENTRY, `data.tar.gz holds ${JSON.stringify(name)}, a ${type}; a gem holds only files, directories and links`);
    }
    for (let i = 1; i < parts.length; i++) {
      if (this.links.has(parts.slice(0, i).join('/'))) {
        throw badRequest(GemCodes.UNSAFE_ENTRY, `data.tar.gz writes ${JSON.stringify(name)} through a link it created`);
      }
    }
    if (type === 'symlink' || type === 'link') {
      const target = header.linkname ?? '';
      // A symlink resolves from its own directory, a hard link from the archive root.
      const base = type === 'symlink' ? parts.slice(0, -1) : [];
      if (target.startsWith('/') || target.includes('\0') || resolveWithin(base, target) === undefined) {
        throw badRequest(GemCodes.UNSAFE_ENTRY, `data.tar.gz holds a link ${JSON.stringify(name)} pointing outside the gem (${JSON.stringify(target)})`);
      }
      this.links.add(parts.join('/'));
    }
  }
}

/**
 * Streams data.tar.gz through the checks without keeping it: memory stays flat, and decompression stops at
 * `maxBytes` or `maxEntries` (a bomb).
 */
export async function scanDataArchive(raw: Uint8Array, maxBytes = MAX_DATA_BYTES, maxEntries = MAX_DATA_ENTRIES): Promise<{ entries: number; bytes: number }> {
  const guard = new EntryGuard();
  const extract = tar.extract();
  let total = 0;
  let entries = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      if (total > maxBytes) done(badRequest(GemCodes.TOO_LARGE, `the gem's data.tar.gz decompresses to more than ${maxBytes} bytes`));
      else done(null, chunk);
    },
  });
  const source = Readable.from([Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)]);
  const walk = (async () => {
    for await (const entry of extract) {
      try {
        if (++entries > maxEntries) throw badRequest(GemCodes.TOO_LARGE, `the gem's data.tar.gz holds more than ${maxEntries} entries`);
        guard.check(entry.header);
      } catch (e) {
        extract.destroy(e as Error);
        throw e;
      }
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
    const why = failures[0] instanceof Error ? failures[0].message : String(failures[0]);
    throw badRequest(GemCodes.CORRUPT, `the gem's data.tar.gz is not a valid gzip-compressed tar (${why})`);
  }
  return { entries, bytes: total };
}
