import { badRequest } from '../../domain/errors';
import { DebCodes } from './codes';

/** One member of an ar archive; `data` is a view into the archive bytes, not a copy. */
export interface ArMember {
  name: string;
  data: Uint8Array;
}

export const AR_MAGIC = '!<arch>\n';
const HEADER = 60;
const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/** Does `bytes` start with the ar magic? */
export const isAr = (bytes: Uint8Array): boolean => bytes.length >= AR_MAGIC.length && latin1(bytes.subarray(0, AR_MAGIC.length)) === AR_MAGIC;

/**
 * Reads the common (System V / GNU) ar format dpkg writes: 60-byte headers, decimal sizes, data padded to an
 * even offset. Every header is checked before it is trusted, so a forged size or name cannot reach past the
 * file or smuggle a path.
 */
export function readAr(bytes: Uint8Array): ArMember[] {
  if (!isAr(bytes)) throw badRequest(DebCodes.NOT_AR, 'not a Debian package: the file does not start with the ar magic "!<arch>\\n"');
  const members: ArMember[] = [];
  let offset = AR_MAGIC.length;
  while (offset < bytes.length) {
    const n = members.length + 1;
    if (offset + HEADER > bytes.length) {
      throw badRequest(DebCodes.TRUNCATED, `the file is truncated: ar member ${n} header at byte ${offset} needs ${HEADER} bytes, only ${bytes.length - offset} remain`);
    }
    const header = latin1(bytes.subarray(offset, offset + HEADER));
    if (header.slice(58, 60) !== '`\n') {
      throw badRequest(DebCodes.BAD_MEMBER, `ar member ${n} header at byte ${offset} lacks its "\`\\n" terminator`);
    }
    const name = memberName(header.slice(0, 16), n);
    const sizeText = header.slice(48, 58).trimEnd();
    if (!/^[0-9]{1,10}$/.test(sizeText)) {
      throw badRequest(DebCodes.BAD_MEMBER, `ar member ${name}: size field ${JSON.stringify(header.slice(48, 58))} is not a decimal number`);
    }
    const size = Number(sizeText);
    if (size > bytes.length) {
      throw badRequest(DebCodes.BAD_MEMBER, `ar member ${name} claims ${size} bytes, more than the whole file (${bytes.length} bytes)`);
    }
    const start = offset + HEADER;
    if (start + size > bytes.length) {
      throw badRequest(DebCodes.TRUNCATED, `the file is truncated: ar member ${name} needs ${size} bytes, only ${bytes.length - start} remain`);
    }
    members.push({ name, data: bytes.subarray(start, start + size) });
    // Data is padded to an even offset; a pad byte missing after the last member is tolerated.
    offset = start + size + (size % 2);
  }
  return members;
}

function memberName(field: string, n: number): string {
  // GNU ar ends names with '/'; dpkg writes them space-padded without it. Both are accepted.
  const trimmed = field.trimEnd();
  const name = trimmed.endsWith('/') ? trimmed.slice(0, -1) : trimmed;
  if (name === '' || !/^[\x21-\x7e]+$/.test(name)) {
    throw badRequest(DebCodes.BAD_MEMBER, `ar member ${n} has an invalid name ${JSON.stringify(field)}`);
  }
  if (name.includes('/') || name.includes('..')) {
    throw badRequest(DebCodes.BAD_MEMBER, `ar member ${n} name ${JSON.stringify(name)} contains a path ('/' or '..')`);
  }
  return name;
}
