import { createHash } from 'node:crypto';
import { badRequest } from '../../domain/errors';
import { RpmCodes } from './codes';
import type { RpmFile } from './package-file';
import { DIGEST_ALGOS, SigTag, Tag } from './tags';

const hex = (alg: string, data: Uint8Array) => createHash(alg).update(data).digest('hex');

/**
 * Checks what the package says about its own bytes, as `rpmkeys -K --nosignature` does: the declared
 * header+payload size, the main header's SHA256 (or SHA1), the payload digest and the legacy MD5. The
 * OpenPGP signature over them is the publisher's business (gpgcheck); it cannot be checked without the key.
 */
export function checkIntegrity(rpm: RpmFile): void {
  const { bytes, signature: sig, header } = rpm;
  const signed = bytes.subarray(header.start);
  const size = sig.number(SigTag.LONGSIZE) ?? sig.number(SigTag.SIZE);
  if (size !== undefined && size !== signed.length) {
    if (signed.length < size) {
      throw badRequest(RpmCodes.TRUNCATED, `the package declares ${size} bytes of header and payload but has ${signed.length}: it is truncated`);
    }
    throw badRequest(RpmCodes.DIGEST_MISMATCH, `the package declares ${size} bytes of header and payload but has ${signed.length}`);
  }

  const headerBytes = bytes.subarray(header.start, header.end);
  const sha256 = sig.string(SigTag.SHA256);
  const sha1 = sig.string(SigTag.SHA1);
  if (sha256 !== undefined) expectDigest('the main header SHA256', sha256, hex('sha256', headerBytes));
  else if (sha1 !== undefined) expectDigest('the main header SHA1', sha1, hex('sha1', headerBytes));

  const payloadDigest = header.strings(Tag.PAYLOADDIGEST)?.[0];
  if (payloadDigest !== undefined) {
    const algo = header.number(Tag.PAYLOADDIGESTALGO) ?? 8;
    const name = DIGEST_ALGOS[algo];
    if (!name) throw badRequest(RpmCodes.UNSUPPORTED_PAYLOAD, `the payload digest uses unknown algorithm ${algo}`);
    expectDigest(`the payload ${name.toUpperCase()}`, payloadDigest, hex(name, bytes.subarray(rpm.payloadStart)));
  }

  const md5 = sig.binary(SigTag.MD5);
  if (md5 !== undefined) expectDigest('the header and payload MD5', Buffer.from(md5).toString('hex'), hex('md5', signed));
}

function expectDigest(what: string, declared: string, actual: string): void {
  if (declared.toLowerCase() !== actual) {
    throw badRequest(RpmCodes.DIGEST_MISMATCH, `${what} recorded in the package (${declared}) does not match its bytes (${actual}): the file is corrupt`);
  }
}
