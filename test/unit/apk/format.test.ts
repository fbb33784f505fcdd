import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDistribution } from '../../../shared/domain/distribution';
import { fileHashes } from '../../../shared/domain/hashes';
import { apkFormat } from '../../../shared/formats/apk';
import { apkKeyFingerprint, createApkSigner, generateApkKey } from '../../../shared/signing/apk-rsa';
import { detectFormat, formatForDistribution } from '../../../shared/formats/registry';
import { runOk } from '../../support/exec';
import { buildApk } from '../../support/apks';

let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'packyard-apk-format-'));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('the apk format plug-in', () => {
  it.each([
    ['alpine/v3.19', true],
    ['alpine/v3.20', true],
    ['alpine/edge', true],
    ['alpine/3.19', false],
    ['alpine/latest', false],
    ['debian/bookworm', false],
  ])('serves %s: %p', (d, served) => {
    expect(apkFormat.servesDistribution(parseDistribution(d))).toBe(served);
  });

  it('is the registry format for alpine branches and is detected from the first bytes', async () => {
    expect(formatForDistribution(parseDistribution('alpine/edge')).id).toBe('apk');
    const apk = await buildApk(dir, { name: 'reg', version: '1.0-r0' });
    expect(detectFormat(apk.bytes.subarray(0, 1024))?.id).toBe('apk');
  });

  it('lays packages out beside their arch index, noarch ones in main/noarch', async () => {
    const d = parseDistribution('alpine/v3.19');
    for (const [arch, dirName] of [['x86_64', 'x86_64'], ['noarch', 'noarch']]) {
      const apk = await buildApk(dir, { name: 'lay', version: '1.2.3-r1', arch });
      const pkg = await apkFormat.parse(apk.bytes, {});
      expect(apkFormat.scope(d)).toBe('alpine/v3.19');
      expect(apkFormat.filename(pkg)).toBe('lay-1.2.3-r1.apk');
      expect(apkFormat.blobKey('acme/tools', d, pkg)).toBe(`acme/tools/alpine/v3.19/main/${dirName}/lay-1.2.3-r1.apk`);
      const fragment = apkFormat.fragment('acme/tools', d, pkg, { blobKey: '', size: apk.bytes.length, hashes: fileHashes(apk.bytes) });
      expect(fragment.split('\n').slice(0, 6)).toEqual([`C:${apk.checksum}`, 'P:lay', 'V:1.2.3-r1', `A:${arch}`, `S:${apk.bytes.length}`, 'I:13']);
      expect(fragment.endsWith('\n')).toBe(true);
      expect(fragment).not.toMatch(/\n\n/);
    }
  });
});

describe('the apk RSA signer', () => {
  it('signs RSA PKCS#1 v1.5 SHA-1 that openssl verifies with the SPKI PEM public key', async () => {
    const key = await generateApkKey(2048);
    expect(key.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(key.fingerprint).toBe(apkKeyFingerprint(key.publicKeyPem));
    expect(key.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const signer = createApkSigner(key.privateKeyPem, 'acme-tools-abcd');
    expect(signer.keyName).toBe('acme-tools-abcd');
    const data = Buffer.from('the compressed index stream');
    const sig = await signer.sign(data);
    await fsp.writeFile(join(dir, 'data'), data);
    await fsp.writeFile(join(dir, 'sig'), sig);
    await fsp.writeFile(join(dir, 'pub.pem'), key.publicKeyPem);
    const ok = await runOk('openssl', ['dgst', '-sha1', '-verify', join(dir, 'pub.pem'), '-signature', join(dir, 'sig'), join(dir, 'data')]);
    expect(ok.stdout).toMatch(/Verified OK/);
    await fsp.writeFile(join(dir, 'data'), 'something else');
    await expect(runOk('openssl', ['dgst', '-sha1', '-verify', join(dir, 'pub.pem'), '-signature', join(dir, 'sig'), join(dir, 'data')])).rejects.toThrow(/Verification failure/);
  });

  it('makes 4096-bit keys by default', async () => {
    const started = Date.now();
    const key = await generateApkKey();
    const details = await runOk('openssl', ['pkey', '-pubin', '-noout', '-text'], { input: key.publicKeyPem });
    expect(details.stdout).toMatch(/4096 bit/);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('refuses a key that is not RSA', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    expect(() => createApkSigner(privateKey, 'x')).toThrow(/apk needs RSA/);
  });
});
