import { constants, inflateRawSync } from 'node:zlib';
import { gzipHeaderEnd, isGzipAt } from './gzip-members';

const TAR_BLOCK = 512;
const USTAR = 'ustar';

const cString = (block: Uint8Array, from: number, length: number) => {
  const field = block.subarray(from, from + length);
  const nul = field.indexOf(0);
  return Buffer.from(field.subarray(0, nul < 0 ? field.length : nul)).toString('latin1');
};

/** The name in the first tar header of a decompressed prefix, ustar prefix included. */
function firstTarName(block: Uint8Array): string {
  const name = cString(block, 0, 100);
  const prefix = cString(block, 257, 6).startsWith(USTAR) ? cString(block, 345, 155) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/**
 * An apk starts with a gzip stream whose tar holds only dot-files (`.SIGN.RSA.*` in the signature stream,
 * `.PKGINFO` and install scripts in the control stream); a plain .tar.gz does not. Reads only the first
 * tar header from the first bytes.
 */
export function looksLikeApk(head: Uint8Array): boolean {
  if (!isGzipAt(head, 0)) return false;
  try {
    // A sync flush returns what the prefix decompresses to instead of failing on the cut.
    const out = inflateRawSync(head.subarray(gzipHeaderEnd(head, 0)), { finishFlush: constants.Z_SYNC_FLUSH });
    if (out.length < TAR_BLOCK) return false;
    const base = firstTarName(out).replace(/\/+$/, '').split('/').pop() ?? '';
    return /^\.[A-Za-z]/.test(base);
  } catch {
    return false;
  }
}
