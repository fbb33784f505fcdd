import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileKeyWrapper } from '../../../infra/local/file-key-wrapper';
import { PackyardError } from '../../../shared/domain/errors';
import type { KeyWrapper } from '../../../shared/ports/key-wrapper';
import { openPrivateKey, sealPrivateKey } from '../../../shared/signing/envelope';

const ARMORED = `-----BEGIN PGP PRIVATE KEY BLOCK-----

xcLYBGc0...a-fake-but-recognisable-private-key-body...UNIQUEMARKER1234567890
=abcd
-----END PGP PRIVATE KEY BLOCK-----
`;

describe('signing key envelope (with the local FileKeyWrapper)', () => {
  let dir: string;
  let keys: KeyWrapper;
  const context = { repo: 'acme/tools', purpose: 'signing-key' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'packyard-env-'));
    keys = new FileKeyWrapper(join(dir, 'master.key'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips an armored private key', async () => {
    const sealed = await sealPrivateKey(keys, ARMORED, context);
    expect(Object.keys(sealed).sort()).toEqual(['ciphertext', 'iv', 'tag', 'wrappedDataKey']);
    for (const v of Object.values(sealed)) expect(v).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(sealed.tag, 'base64')).toHaveLength(16);
    expect(await openPrivateKey(keys, sealed, context)).toBe(ARMORED);
  });

  it('never stores the plaintext, nor the data key, in any field', async () => {
    let dataKey: Buffer | undefined;
    const spy: KeyWrapper = {
      generateDataKey: async (ctx) => {
        const k = await keys.generateDataKey(ctx);
        dataKey = Buffer.from(k.plaintext);
        return k;
      },
      unwrap: (w, ctx) => keys.unwrap(w, ctx),
    };
    const sealed = await sealPrivateKey(spy, ARMORED, context);
    const stored = JSON.stringify(sealed);
    const decodedFields = Object.values(sealed).map((v) => Buffer.from(v, 'base64'));
    expect(stored).not.toContain('UNIQUEMARKER');
    expect(stored).not.toContain('PRIVATE KEY');
    for (const field of decodedFields) {
      expect(field.includes(Buffer.from('UNIQUEMARKER'))).toBe(false);
      expect(field.includes(dataKey!)).toBe(false);
    }
    // Two seals of the same key differ (fresh data key and iv).
    const again = await sealPrivateKey(keys, ARMORED, context);
    expect(again.ciphertext).not.toBe(sealed.ciphertext);
    expect(again.wrappedDataKey).not.toBe(sealed.wrappedDataKey);
  });

  it('zeroes the data key buffers it was handed', async () => {
    const handed: Uint8Array[] = [];
    const spy: KeyWrapper = {
      generateDataKey: async (ctx) => {
        const k = await keys.generateDataKey(ctx);
        handed.push(k.plaintext);
        return k;
      },
      unwrap: async (w, ctx) => {
        const k = await keys.unwrap(w, ctx);
        handed.push(k);
        return k;
      },
    };
    const sealed = await sealPrivateKey(spy, ARMORED, context);
    await openPrivateKey(spy, sealed, context);
    expect(handed).toHaveLength(2);
    for (const k of handed) expect(k.every((b) => b === 0)).toBe(true);
  });

  it('refuses another context and a tampered ciphertext', async () => {
    const sealed = await sealPrivateKey(keys, ARMORED, context);
    await expect(openPrivateKey(keys, sealed, { repo: 'acme/other', purpose: 'signing-key' })).rejects.toBeInstanceOf(PackyardError);
    const ct = Buffer.from(sealed.ciphertext, 'base64');
    ct[5] ^= 0xff;
    const e = await openPrivateKey(keys, { ...sealed, ciphertext: ct.toString('base64') }, context).catch((err: unknown) => err);
    expect(e).toMatchObject({ status: 500, code: 'SIGNING_KEY_CORRUPT' });
  });
});
