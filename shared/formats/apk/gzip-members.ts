import { gunzipSync, inflateRawSync } from 'node:zlib';
import { badRequest } from '../../domain/errors';
import { ApkCodes } from './codes';

/** One gzip member of a concatenation: its raw bytes (what apk hashes) and its decompressed content. */
export interface GzipMember {
  /** Offset of the member's first byte in the file. */
  start: number;
  /** Offset just past the member's trailer. */
  end: number;
  raw: Uint8Array;
  content: Uint8Array;
}

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const RESERVED = 0xe0;
const TRAILER = 8;

export const isGzipAt = (bytes: Uint8Array, at: number): boolean =>
  bytes.length >= at + 3 && bytes[at] === 0x1f && bytes[at + 1] === 0x8b && bytes[at + 2] === 8;

const truncated = () => badRequest(ApkCodes.CORRUPT, 'the package is truncated inside a gzip header');

/** Offset of the deflate data of the member starting at `at` (RFC 1952 section 2.3). */
export function gzipHeaderEnd(bytes: Uint8Array, at: number): number {
  if (!isGzipAt(bytes, at)) throw badRequest(ApkCodes.NOT_GZIP, `expected a gzip stream at byte ${at}`);
  if (bytes.length < at + 10) throw truncated();
  const flags = bytes[at + 3];
  if (flags & RESERVED) throw badRequest(ApkCodes.CORRUPT, `the gzip stream at byte ${at} sets reserved header flags`);
  let p = at + 10;
  if (flags & FEXTRA) {
    if (bytes.length < p + 2) throw truncated();
    p += 2 + (bytes[p] | (bytes[p + 1] << 8));
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    while (p < bytes.length && bytes[p] !== 0) p++;
    p++;
  }
  if (flags & FHCRC) p += 2;
  if (p > bytes.length) throw truncated();
  return p;
}

/**
 * Reads the gzip member starting at `at` without reading past it (apk's identity is the hash of exactly
 * these bytes), checking its CRC and length; refuses content larger than `maxContent` (a bomb).
 */
export function readGzipMember(bytes: Uint8Array, at: number, maxContent: number, what: string): GzipMember {
  const body = gzipHeaderEnd(bytes, at);
  let consumed: number;
  try {
    // inflateRaw stops at the end of the deflate stream; bytesWritten is the input it consumed. With
    // `info: true` Node returns { buffer, engine }, which @types/node does not model.
    const out = inflateRawSync(bytes.subarray(body), { info: true, maxOutputLength: maxContent }) as unknown as { engine: { bytesWritten: number } };
    consumed = out.engine.bytesWritten;
  } catch (e) {
    throw memberError(e, what, maxContent);
  }
  const end = body + consumed + TRAILER;
  if (end > bytes.length) throw badRequest(ApkCodes.CORRUPT, `the ${what} stream is truncated (its gzip trailer is missing)`);
  const raw = bytes.subarray(at, end);
  let content: Uint8Array;
  try {
    content = gunzipSync(raw, { maxOutputLength: maxContent });
  } catch (e) {
    throw memberError(e, what, maxContent);
  }
  return { start: at, end, raw, content };
}

function memberError(e: unknown, what: string, max: number) {
  if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
    return badRequest(ApkCodes.TOO_LARGE, `the ${what} stream decompresses to more than ${max} bytes`);
  }
  const reason = e instanceof Error ? e.message : String(e);
  return badRequest(ApkCodes.CORRUPT, `the ${what} stream is not valid gzip data (${reason})`);
}
