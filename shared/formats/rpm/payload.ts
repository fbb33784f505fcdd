import { badRequest } from '../../domain/errors';
import { RpmCodes } from './codes';
import type { RpmFile } from './package-file';
import { Tag } from './tags';

/** Payload compressors rpm 4 reads, with the magic their streams start with (lzma-alone has none). */
const COMPRESSORS: Readonly<Record<string, readonly number[] | undefined>> = {
  gzip: [0x1f, 0x8b],
  bzip2: [0x42, 0x5a, 0x68],
  xz: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
  zstd: [0x28, 0xb5, 0x2f, 0xfd],
  lzma: undefined,
};
/** An uncompressed payload is a "newc" cpio archive (`070701`, or `070702` with checksums). */
const CPIO_MAGIC = /^07070[12]$/;

const startsWith = (data: Uint8Array, magic: readonly number[]) => data.length >= magic.length && magic.every((b, i) => data[i] === b);

/** Returns the payload compressor after checking that clients can unpack the payload at all. */
export function checkPayload(rpm: RpmFile): string {
  const format = rpm.header.string(Tag.PAYLOADFORMAT) ?? 'cpio';
  if (format !== 'cpio') throw badRequest(RpmCodes.UNSUPPORTED_PAYLOAD, `the payload format is ${JSON.stringify(format)}; rpm clients install only cpio payloads`);
  const payload = rpm.bytes.subarray(rpm.payloadStart);
  if (payload.length === 0) throw badRequest(RpmCodes.TRUNCATED, 'the package has no payload after its header');
  const compressor = rpm.header.string(Tag.PAYLOADCOMPRESSOR);
  if (compressor === undefined) {
    // rpm writes no compressor tag for an uncompressed payload and reads such payloads through gzip's transparent mode.
    const head = Buffer.from(payload.subarray(0, 6)).toString('latin1');
    if (!CPIO_MAGIC.test(head) && !startsWith(payload, COMPRESSORS.gzip!)) {
      throw badRequest(RpmCodes.UNSUPPORTED_PAYLOAD, 'the payload declares no compressor but is neither a cpio archive nor gzip');
    }
    return 'none';
  }
  if (!Object.hasOwn(COMPRESSORS, compressor)) {
    throw badRequest(
      RpmCodes.UNSUPPORTED_PAYLOAD,
      `the payload compressor ${JSON.stringify(compressor)} is not one rpm clients read (${Object.keys(COMPRESSORS).join(', ')})`,
    );
  }
  const magic = COMPRESSORS[compressor];
  if (magic && !startsWith(payload, magic)) {
    throw badRequest(RpmCodes.UNSUPPORTED_PAYLOAD, `the payload is declared ${compressor} but does not start with ${compressor}'s magic bytes`);
  }
  return compressor;
}
