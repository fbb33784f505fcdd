import { createHash, createPrivateKey, createPublicKey, generateKeyPair, sign } from 'node:crypto';
import { promisify } from 'node:util';
import type { Signer } from '../formats/format';

/** Alpine's own keys are RSA 4096; node:crypto generates one in about a second. */
export const APK_KEY_BITS = 4096;

export interface GeneratedApkKey {
  /** PKCS#8 PEM, unencrypted: envelope encryption protects it at rest. */
  privateKeyPem: string;
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`), the form apk reads from /etc/apk/keys. */
  publicKeyPem: string;
  /** Lower-case hex SHA-256 of the public key's DER. */
  fingerprint: string;
}

export async function generateApkKey(bits: number = APK_KEY_BITS): Promise<GeneratedApkKey> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey, fingerprint: apkKeyFingerprint(publicKey) };
}

export function apkKeyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

/** Signs as apk-tools verifies `.SIGN.RSA.*`: RSA PKCS#1 v1.5 over SHA-1. The key stays in this closure. */
export function createApkSigner(privateKeyPem: string, keyName: string): NonNullable<Signer['apk']> {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`the apk signing key is ${key.asymmetricKeyType}, apk needs RSA`);
  return {
    keyName,
    sign: async (data: Uint8Array) => new Uint8Array(sign('sha1', data, key)),
  };
}
