import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PackyardError } from '../domain/errors';
import type { KeyWrapper } from '../ports/key-wrapper';
import { sdkErrorName, unexpectedSdkError } from './sdk-error';

/** Envelope encryption with a KMS key: the encryption context binds each data key to what it protects. */
export class KmsKeyWrapper implements KeyWrapper {
  constructor(
    private readonly client: KMSClient,
    private readonly keyId: string,
  ) {}

  async generateDataKey(context: Record<string, string>): Promise<{ plaintext: Uint8Array; wrapped: Uint8Array }> {
    try {
      const out = await this.client.send(new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: context }));
      if (!out.Plaintext || !out.CiphertextBlob) throw new Error('GenerateDataKey returned no key');
      return { plaintext: out.Plaintext, wrapped: out.CiphertextBlob };
    } catch (e) {
      throw unexpectedSdkError('KMS', 'GenerateDataKey', e);
    }
  }

  async unwrap(wrapped: Uint8Array, context: Record<string, string>): Promise<Uint8Array> {
    try {
      // KeyId pins the key: a blob wrapped under any other key is refused rather than decrypted with it.
      const out = await this.client.send(new DecryptCommand({ KeyId: this.keyId, CiphertextBlob: wrapped, EncryptionContext: context }));
      if (!out.Plaintext) throw new Error('Decrypt returned no key');
      return out.Plaintext;
    } catch (e) {
      if (sdkErrorName(e) === 'InvalidCiphertextException' || sdkErrorName(e) === 'IncorrectKeyException') {
        const err = new PackyardError(500, 'KEY_UNWRAP_FAILED', 'the data key cannot be unwrapped with this key and context');
        err.cause = e;
        throw err;
      }
      throw unexpectedSdkError('KMS', 'Decrypt', e);
    }
  }
}

// Compile-time conformance, aptly-style: this adapter is a KeyWrapper.
const _conformance: (client: KMSClient, keyId: string) => KeyWrapper = (client, keyId) => new KmsKeyWrapper(client, keyId);
void _conformance;
