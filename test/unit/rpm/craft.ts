import { createHash } from 'node:crypto';

/**
 * Forges .rpm files byte by byte, for inputs rpmbuild refuses to build. Deliberately independent of the
 * parser under test: it walks the headers with its own few lines, and `refreshDigests` re-seals a patched
 * package so that `rpmkeys -K --nosignature` accepts it again (the tests check that with the real rpm).
 */

interface HeaderSpan {
  start: number;
  count: number;
  dataStart: number;
  end: number;
}

function span(b: Buffer, start: number): HeaderSpan {
  const count = b.readUInt32BE(start + 8);
  const size = b.readUInt32BE(start + 12);
  const dataStart = start + 16 + 16 * count;
  return { start, count, dataStart, end: dataStart + size };
}

export function spans(b: Buffer): { sig: HeaderSpan; main: HeaderSpan } {
  const sig = span(b, 96);
  const mainStart = sig.end + ((8 - ((sig.end - 96) % 8)) % 8);
  return { sig, main: span(b, mainStart) };
}

interface IndexEntry {
  /** Offset of the 16-byte index entry in the file. */
  at: number;
  tag: number;
  type: number;
  offset: number;
  count: number;
}

export function entries(b: Buffer, h: HeaderSpan): IndexEntry[] {
  return Array.from({ length: h.count }, (_, i) => {
    const at = h.start + 16 + 16 * i;
    return { at, tag: b.readUInt32BE(at), type: b.readUInt32BE(at + 4), offset: b.readUInt32BE(at + 8), count: b.readUInt32BE(at + 12) };
  });
}

function entry(b: Buffer, h: HeaderSpan, tag: number): IndexEntry | undefined {
  return entries(b, h).find((e) => e.tag === tag);
}

/** Replaces the first string value of `tag` in the main header with one of the same length. */
export function patchString(input: Uint8Array, tag: number, value: string): Buffer {
  const b = Buffer.from(input);
  const { main } = spans(b);
  const e = entry(b, main, tag);
  if (!e) throw new Error(`no tag ${tag}`);
  const at = main.dataStart + e.offset;
  const old = b.toString('latin1', at, b.indexOf(0, at));
  if (Buffer.byteLength(value) !== old.length) throw new Error(`${JSON.stringify(value)} must have the length of ${JSON.stringify(old)}`);
  b.write(value, at, 'utf8');
  return b;
}

/** Replaces the bytes of `from` (anywhere in the main header data) with `to`, of the same length. */
export function patchBytes(input: Uint8Array, from: string, to: string): Buffer {
  const b = Buffer.from(input);
  const { main } = spans(b);
  const at = b.indexOf(from, main.dataStart);
  if (at < 0 || at >= main.end) throw new Error(`${JSON.stringify(from)} is not in the main header`);
  if (from.length !== to.length) throw new Error('patches must keep the length');
  b.write(to, at, 'latin1');
  return b;
}

/** Sets fields of a main-header index entry (tag number, count, offset). */
export function patchEntry(input: Uint8Array, tag: number, change: Partial<{ tag: number; type: number; offset: number; count: number }>): Buffer {
  const b = Buffer.from(input);
  const e = entry(b, spans(b).main, tag);
  if (!e) throw new Error(`no tag ${tag}`);
  if (change.tag !== undefined) b.writeUInt32BE(change.tag, e.at);
  if (change.type !== undefined) b.writeUInt32BE(change.type, e.at + 4);
  if (change.offset !== undefined) b.writeUInt32BE(change.offset, e.at + 8);
  if (change.count !== undefined) b.writeUInt32BE(change.count, e.at + 12);
  return b;
}

const digest = (alg: string, data: Uint8Array) => createHash(alg).update(data).digest();

/** Recomputes the payload digest, the header SHA1/SHA256, the MD5 and the size, as rpmbuild would have. */
export function refreshDigests(input: Uint8Array): Buffer {
  const b = Buffer.from(input);
  const { sig, main } = spans(b);
  const payloadDigest = entry(b, main, 5092);
  if (payloadDigest) b.write(digest('sha256', b.subarray(main.end)).toString('hex'), main.dataStart + payloadDigest.offset, 'latin1');
  const header = b.subarray(main.start, main.end);
  for (const [tag, alg] of [[273, 'sha256'], [269, 'sha1']] as const) {
    const e = entry(b, sig, tag);
    if (e) b.write(digest(alg, header).toString('hex'), sig.dataStart + e.offset, 'latin1');
  }
  const md5 = entry(b, sig, 1004);
  if (md5) digest('md5', b.subarray(main.start)).copy(b, sig.dataStart + md5.offset);
  const size = entry(b, sig, 1000);
  if (size) b.writeUInt32BE(b.length - main.start, sig.dataStart + size.offset);
  return b;
}
