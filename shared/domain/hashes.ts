import { createHash } from 'node:crypto';
import type { FileHashes } from './package';

export function fileHashes(bytes: Uint8Array): FileHashes {
  const h = (alg: string) => createHash(alg).update(bytes).digest('hex');
  return { md5: h('md5'), sha1: h('sha1'), sha256: h('sha256'), sha512: h('sha512') };
}
