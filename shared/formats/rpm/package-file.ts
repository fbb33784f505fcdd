import { badRequest } from '../../domain/errors';
import { RpmCodes } from './codes';
import { RpmHeader } from './header';

/** The lead's first four bytes; also what `detect` looks for. */
export const LEAD_MAGIC = Uint8Array.of(0xed, 0xab, 0xee, 0xdb);
export const LEAD_SIZE = 96;
/** The only signature type rpm has written since 1997 (RPMSIGTYPE_HEADERSIG). */
const HEADER_SIGNATURE_TYPE = 5;

export const hasLeadMagic = (head: Uint8Array): boolean => head.length >= LEAD_MAGIC.length && LEAD_MAGIC.every((b, i) => head[i] === b);

/** The parts of an .rpm: lead, signature header, main header, payload (format_v4.md). */
export interface RpmFile {
  bytes: Uint8Array;
  /** Lead type: 0 binary, 1 source. */
  leadType: number;
  signature: RpmHeader;
  header: RpmHeader;
  /** Where the compressed payload starts (= header.end). */
  payloadStart: number;
}

export function readRpmFile(bytes: Uint8Array): RpmFile {
  if (!hasLeadMagic(bytes)) throw badRequest(RpmCodes.NOT_RPM, 'the file does not start with the rpm lead magic ed ab ee db');
  if (bytes.length < LEAD_SIZE) throw badRequest(RpmCodes.TRUNCATED, `the file ends inside the ${LEAD_SIZE}-byte lead (${bytes.length} bytes)`);
  const major = bytes[4];
  if (major !== 3 && major !== 4) throw badRequest(RpmCodes.BAD_LEAD, `unsupported rpm package version ${major}; rpm reads versions 3 and 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const leadType = view.getUint16(6);
  if (leadType !== 0 && leadType !== 1) throw badRequest(RpmCodes.BAD_LEAD, `the lead declares package type ${leadType}; only 0 (binary) and 1 (source) exist`);
  const sigType = view.getUint16(78);
  if (sigType !== HEADER_SIGNATURE_TYPE) {
    throw badRequest(RpmCodes.BAD_LEAD, `the lead declares signature type ${sigType}; rpm only reads header-style signatures (5)`);
  }
  const signature = RpmHeader.read(bytes, LEAD_SIZE, 'signature');
  // The signature header is padded to a multiple of 8 bytes; the main header follows.
  const mainStart = signature.end + ((8 - ((signature.end - LEAD_SIZE) % 8)) % 8);
  const header = RpmHeader.read(bytes, mainStart, 'main');
  return { bytes, leadType, signature, header, payloadStart: header.end };
}
