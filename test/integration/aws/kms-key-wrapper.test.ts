import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, InvalidCiphertextException, KMSClient, type DecryptCommandInput, type GenerateDataKeyCommandInput } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { KmsKeyWrapper } from '../../../shared/aws/kms-key-wrapper';
import { PackyardError } from '../../../shared/domain/errors';

const KEY_ID = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/**
 * A stand-in for KMS with its contract: a data key comes back in plaintext and wrapped, and Decrypt only
 * succeeds with the key id and the exact encryption context it was wrapped with.
 */
function fakeKms() {
  const master = randomBytes(32);
  const aad = (keyId: string, ctx: Record<string, string> | undefined) =>
    Buffer.from(JSON.stringify([keyId, Object.entries(ctx ?? {}).sort(([a], [b]) => a.localeCompare(b))]));
  return {
    generate(input: GenerateDataKeyCommandInput) {
      const plaintext = randomBytes(32);
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', master, iv).setAAD(aad(input.KeyId ?? '', input.EncryptionContext));
      const ct = Buffer.concat([c.update(plaintext), c.final()]);
      return { KeyId: input.KeyId, Plaintext: new Uint8Array(plaintext), CiphertextBlob: new Uint8Array(Buffer.concat([iv, c.getAuthTag(), ct])) };
    },
    decrypt(input: DecryptCommandInput) {
      const blob = Buffer.from(input.CiphertextBlob ?? new Uint8Array());
      try {
        const d = createDecipheriv('aes-256-gcm', master, blob.subarray(0, 12)).setAAD(aad(input.KeyId ?? '', input.EncryptionContext));
        d.setAuthTag(blob.subarray(12, 28));
        return { KeyId: input.KeyId, Plaintext: new Uint8Array(Buffer.concat([d.update(blob.subarray(28)), d.final()])) };
      } catch {
        throw new InvalidCiphertextException({ message: 'invalid ciphertext', $metadata: { httpStatusCode: 400 } });
      }
    },
  };
}

describe('KmsKeyWrapper (aws-sdk-client-mock)', () => {
  const client = new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const kms = mockClient(client);
  const wrapper = new KmsKeyWrapper(client, KEY_ID);
  const context = { repo: 'acme/tools', purpose: 'signing-key' };

  beforeEach(() => {
    kms.reset();
    const fake = fakeKms();
    kms.on(GenerateDataKeyCommand).callsFake((input: GenerateDataKeyCommandInput) => fake.generate(input));
    kms.on(DecryptCommand).callsFake((input: DecryptCommandInput) => fake.decrypt(input));
  });

  it('asks for an AES-256 data key under its key, with the encryption context', async () => {
    const { plaintext, wrapped } = await wrapper.generateDataKey(context);
    expect(plaintext).toHaveLength(32);
    expect(Buffer.from(wrapped).includes(Buffer.from(plaintext))).toBe(false);
    const calls = kms.commandCalls(GenerateDataKeyCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({ KeyId: KEY_ID, KeySpec: 'AES_256', EncryptionContext: context });
  });

  it('unwraps with Decrypt, the same KeyId and context: a round trip', async () => {
    const { plaintext, wrapped } = await wrapper.generateDataKey(context);
    const unwrapped = await wrapper.unwrap(wrapped, { purpose: 'signing-key', repo: 'acme/tools' });
    expect(Buffer.from(unwrapped).equals(Buffer.from(plaintext))).toBe(true);
    const calls = kms.commandCalls(DecryptCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({ KeyId: KEY_ID, CiphertextBlob: wrapped, EncryptionContext: { purpose: 'signing-key', repo: 'acme/tools' } });
  });

  it('refuses another context as a PackyardError, not an SDK error', async () => {
    const { wrapped } = await wrapper.generateDataKey(context);
    const e = await wrapper.unwrap(wrapped, { repo: 'acme/other', purpose: 'signing-key' }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(PackyardError);
    expect(e).toMatchObject({ status: 500, code: 'KEY_UNWRAP_FAILED' });
  });

  it('maps KMS throttling to a retryable 503', async () => {
    kms.on(GenerateDataKeyCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    await expect(wrapper.generateDataKey(context)).rejects.toMatchObject({ status: 503, code: 'KMS_UNAVAILABLE' });
  });
});
