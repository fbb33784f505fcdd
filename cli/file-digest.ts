import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface FileDigest {
  size: number;
  /** Lower-case hex. */
  sha256: string;
}

/** Size and SHA-256 in one streaming pass: package files can be gigabytes. */
export async function digestFile(path: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

/** Bytes `start` (inclusive) to `end` (exclusive) of a file, reporting each chunk as it is read for sending. */
export async function* fileSlice(path: string, start: number, end: number, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  if (end <= start) return;
  for await (const chunk of createReadStream(path, { start, end: end - 1, highWaterMark: 256 * 1024 })) {
    onBytes((chunk as Buffer).length);
    yield chunk as Buffer;
  }
}
