import { crc32, inflateRawSync } from 'node:zlib';
import { badRequest } from '../../domain/errors';
import { PypiCodes } from './codes';

/** One member as the zip's central directory (what pip's zipfile reads) describes it. */
export interface ZipMember {
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;

const corrupt = (what: string, why: string) => badRequest(PypiCodes.CORRUPT, `the ${what} is not a valid zip archive (${why})`);

/** Reads a 64-bit little-endian value that must fit a JavaScript number. */
function u64(view: DataView, at: number, what: string): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(what, 'a size or offset is out of range');
  return Number(v);
}

/**
 * Lists a zip's central directory (zip64 included). Sizes and offsets are checked against the file, so a
 * member can be read later without trusting anything else.
 */
export function readZipDirectory(bytes: Uint8Array, what: string): ZipMember[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.length;
  let eocd = -1;
  for (let i = len - 22; i >= Math.max(0, len - 22 - MAX_COMMENT); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt(what, 'no end of central directory record');
  if (view.getUint16(eocd + 4, true) !== 0 || view.getUint16(eocd + 6, true) !== 0) throw corrupt(what, 'multi-volume archives are not supported');
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (eocd >= 20 && view.getUint32(eocd - 20, true) === ZIP64_LOCATOR) {
    const at = u64(view, eocd - 12, what);
    if (at + 56 > len || view.getUint32(at, true) !== ZIP64_EOCD) throw corrupt(what, 'a broken zip64 end of central directory');
    count = u64(view, at + 32, what);
    offset = u64(view, at + 48, what);
  }
  const members: ZipMember[] = [];
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > len || view.getUint32(p, true) !== CENTRAL) throw corrupt(what, 'the central directory is truncated or damaged');
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    if (p + 46 + nameLen + extraLen + commentLen > len) throw corrupt(what, 'the central directory is truncated');
    const member: ZipMember = {
      name: Buffer.from(bytes.subarray(p + 46, p + 46 + nameLen)).toString('utf8'),
      flags: view.getUint16(p + 8, true),
      method: view.getUint16(p + 10, true),
      crc32: view.getUint32(p + 16, true),
      compressedSize: view.getUint32(p + 20, true),
      size: view.getUint32(p + 24, true),
      localHeaderOffset: view.getUint32(p + 42, true),
    };
    // Values saturated at 0xffffffff continue in the zip64 extra field, in this order.
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen; ) {
      const id = view.getUint16(e, true);
      const size = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        for (const key of ['size', 'compressedSize', 'localHeaderOffset'] as const) {
          if (member[key] !== 0xffffffff) continue;
          if (q + 8 > e + 4 + size) throw corrupt(what, 'a broken zip64 extra field');
          member[key] = u64(view, q, what);
          q += 8;
        }
      }
      e += 4 + size;
    }
    if (member.localHeaderOffset + 30 > len || member.localHeaderOffset + member.compressedSize > len) {
      throw corrupt(what, `${JSON.stringify(member.name)} points outside the file`);
    }
    members.push(member);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return members;
}

/**
 * A member's bytes, inflated to at most its declared size and checked against its size and CRC-32, so the
 * bytes are exactly what pip will read.
 */
export function readZipMember(bytes: Uint8Array, member: ZipMember, what: string): Buffer {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = member.localHeaderOffset;
  if (view.getUint32(at, true) !== LOCAL) throw corrupt(what, `no local header for ${JSON.stringify(member.name)}`);
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  if (start + member.compressedSize > bytes.length) throw corrupt(what, `${JSON.stringify(member.name)} is truncated`);
  if (member.flags & 1) throw corrupt(what, `${JSON.stringify(member.name)} is encrypted`);
  const raw = bytes.subarray(start, start + member.compressedSize);
  let data: Buffer;
  if (member.method === 0) data = Buffer.from(raw);
  else if (member.method === 8) {
    try {
      // One byte over the declared size is enough to prove the declaration false.
      data = inflateRawSync(raw, { maxOutputLength: member.size + 1 });
    } catch (e) {
      throw corrupt(what, `${JSON.stringify(member.name)} does not inflate to its declared size (${e instanceof Error ? e.message : String(e)})`);
    }
  } else throw corrupt(what, `${JSON.stringify(member.name)} uses compression method ${member.method}; wheels use deflate or none`);
  if (data.length !== member.size || crc32(data) !== member.crc32) {
    throw corrupt(what, `${JSON.stringify(member.name)} is damaged: its size or CRC-32 does not match the zip directory`);
  }
  return data;
}
