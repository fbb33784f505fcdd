import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { internal, PackyardError } from '../../shared/domain/errors';
import type { KeyWrapper } from '../../shared/ports/key-wrapper';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** KMS's encryption context is a set of pairs: the same pairs in any order must give the same AAD. */
const contextAad = (context: Record<string, string>) =>
  Buffer.from(JSON.stringify(Object.keys(context).sort().map((k) => [k, context[k]])), 'utf8');

/**
 * KMS stand-in for the local runtime: a 32-byte master key in a 0600 file wraps data keys with AES-256-GCM,
 * the encryption context as additional data. Wrapped blob: version byte, iv, tag, ciphertext.
 */
export class FileKeyWrapper implements KeyWrapper {
  private master?: Promise<Buffer>;

  constructor(private readonly keyFile: string) {}

  async generateDataKey(context: Record<string, string>): Promise<{ plaintext: Uint8Array; wrapped: Uint8Array }> {
    const master = await this.masterKey();
    const plaintext = randomBytes(KEY_BYTES);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', master, iv);
    cipher.setAAD(contextAad(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const wrapped = Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), ciphertext]);
    return { plaintext, wrapped };
  }

  async unwrap(wrapped: Uint8Array, context: Record<string, string>): Promise<Uint8Array> {
    const master = await this.masterKey();
    const blob = Buffer.from(wrapped);
    if (blob.length !== 1 + IV_BYTES + TAG_BYTES + KEY_BYTES || blob[0] !== VERSION) throw unwrapFailed();
    const iv = blob.subarray(1, 1 + IV_BYTES);
    const tag = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', master, iv);
    decipher.setAAD(contextAad(context));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(blob.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw unwrapFailed();
    }
  }

  private masterKey(): Promise<Buffer> {
    this.master ??= loadOrCreateKey(this.keyFile).catch((e: unknown) => {
      this.master = undefined;
      throw e;
    });
    return this.master;
  }
}

const unwrapFailed = () => new PackyardError(500, 'KEY_UNWRAP_FAILED', 'the data key cannot be unwrapped with this key and context');

/** Created once, atomically (write a temp file, then link it into place), so concurrent starts agree on one key. */
async function loadOrCreateKey(file: string): Promise<Buffer> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
    await chmod(tmp, 0o600); // the umask may have cleared bits of the mode: make it exactly 0600
    await link(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  const key = await readFile(file);
  if (key.length !== KEY_BYTES) throw internal('MASTER_KEY_INVALID', `${file} does not hold a ${KEY_BYTES}-byte key`);
  return key;
}

// Compile-time conformance, aptly-style: this adapter is a KeyWrapper.
const _conformance: (file: string) => KeyWrapper = (file) => new FileKeyWrapper(file);
void _conformance;
