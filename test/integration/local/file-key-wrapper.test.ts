import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileKeyWrapper } from '../../../infra/local/file-key-wrapper';
import { PackyardError } from '../../../shared/domain/errors';

describe('FileKeyWrapper', () => {
  let dir: string;
  const context = { repo: 'acme/tools', purpose: 'signing-key' };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'packyard-fkw-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const unwrapError = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

  it('round-trips a data key, whatever the order of the context', async () => {
    const w = new FileKeyWrapper(join(dir, 'data', 'master.key'));
    const { plaintext, wrapped } = await w.generateDataKey(context);
    expect(plaintext).toHaveLength(32);
    expect(wrapped).toHaveLength(1 + 12 + 16 + 32);
    expect(wrapped[0]).toBe(1);
    expect(Buffer.from(wrapped).includes(Buffer.from(plaintext))).toBe(false);
    const back = await w.unwrap(wrapped, { purpose: 'signing-key', repo: 'acme/tools' });
    expect(Buffer.from(back).equals(Buffer.from(plaintext))).toBe(true);
  });

  it('creates the master key once, 32 bytes, mode 0600, and reuses it across instances', async () => {
    const file = join(dir, 'master.key');
    const a = new FileKeyWrapper(file);
    const { plaintext, wrapped } = await a.generateDataKey(context);
    const info = await stat(file);
    expect(info.mode & 0o777).toBe(0o600);
    const key = await readFile(file);
    expect(key).toHaveLength(32);
    // A new process (a new instance) unwraps what the old one wrapped.
    const b = new FileKeyWrapper(file);
    expect(Buffer.from(await b.unwrap(wrapped, context)).equals(Buffer.from(plaintext))).toBe(true);
    expect((await readFile(file)).equals(key)).toBe(true);
  });

  it('agrees on one master key when instances start concurrently', async () => {
    const file = join(dir, 'master.key');
    const wrappers = Array.from({ length: 8 }, () => new FileKeyWrapper(file));
    const keys = await Promise.all(wrappers.map((w) => w.generateDataKey(context)));
    for (const w of wrappers) {
      for (const k of keys) expect(Buffer.from(await w.unwrap(k.wrapped, context)).equals(Buffer.from(k.plaintext))).toBe(true);
    }
  });

  it('refuses a different context', async () => {
    const w = new FileKeyWrapper(join(dir, 'master.key'));
    const { wrapped } = await w.generateDataKey(context);
    const others: Record<string, string>[] = [{ repo: 'acme/other', purpose: 'signing-key' }, { repo: 'acme/tools' }, { ...context, extra: 'x' }];
    for (const other of others) {
      const e = await unwrapError(w.unwrap(wrapped, other));
      expect(e).toBeInstanceOf(PackyardError);
      expect(e).toMatchObject({ status: 500, code: 'KEY_UNWRAP_FAILED' });
    }
  });

  it('refuses a tampered or truncated blob, and another master key', async () => {
    const w = new FileKeyWrapper(join(dir, 'master.key'));
    const { wrapped } = await w.generateDataKey(context);
    for (const index of [0, 1, 14, wrapped.length - 1]) {
      const tampered = Uint8Array.from(wrapped);
      tampered[index] ^= 0x01;
      expect(await unwrapError(w.unwrap(tampered, context))).toMatchObject({ code: 'KEY_UNWRAP_FAILED' });
    }
    expect(await unwrapError(w.unwrap(wrapped.subarray(0, 40), context))).toMatchObject({ code: 'KEY_UNWRAP_FAILED' });
    const other = new FileKeyWrapper(join(dir, 'other.key'));
    expect(await unwrapError(other.unwrap(wrapped, context))).toMatchObject({ code: 'KEY_UNWRAP_FAILED' });
  });
});
