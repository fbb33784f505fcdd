import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PackyardError } from '../domain/errors';
import type { KeyWrapper } from '../ports/key-wrapper';
import type { StoredSigningKey } from '../ports/metadata-store';

export type SealedPrivateKey = Pick<StoredSigningKey, 'wrappedDataKey' | 'iv' | 'tag' | 'ciphertext'>;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** Encrypts an armored private key under a fresh data key; only the wrapped data key is kept. */
export async function sealPrivateKey(
  keyWrapper: KeyWrapper,
  armoredPrivateKey: string,
  context: Record<string, string>,
): Promise<SealedPrivateKey> {
  const { plaintext, wrapped } = await keyWrapper.generateDataKey(context);
  try {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', plaintext, iv);
    const ciphertext = Buffer.concat([cipher.update(armoredPrivateKey, 'utf8'), cipher.final()]);
    return { wrappedDataKey: b64(wrapped), iv: b64(iv), tag: b64(cipher.getAuthTag()), ciphertext: b64(ciphertext) };
  } finally {
    plaintext.fill(0);
  }
}

/** The armored private key; the context must be the one it was sealed with. Keep the result in memory only. */
export async function openPrivateKey(keyWrapper: KeyWrapper, stored: SealedPrivateKey, context: Record<string, string>): Promise<string> {
  const dataKey = await keyWrapper.unwrap(Buffer.from(stored.wrappedDataKey, 'base64'), context);
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(stored.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(stored.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(stored.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new PackyardError(500, 'SIGNING_KEY_CORRUPT', 'the stored signing key does not decrypt');
  } finally {
    dataKey.fill(0);
  }
}
