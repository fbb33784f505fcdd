import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { debFormat } from '../../../shared/formats/deb';
import type { RenderedIndex } from '../../../shared/formats/format';
import { createSigner, dearmorPublicKey, generateSigningKey, type GeneratedSigningKey } from '../../../shared/signing/openpgp';
import { run } from '../../support/exec';

let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'packyard-openpgp-'));
  await fsp.mkdir(join(dir, 'gnupg'), { mode: 0o700 });
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

/** gpgv as apt runs it: a binary keyring, no trust database, nothing from the machine's own keyrings. */
async function gpgv(key: GeneratedSigningKey, args: string[]) {
  const keyring = join(dir, `${key.fingerprint}.gpg`);
  await fsp.writeFile(keyring, key.publicKeyBinary);
  return run('gpgv', ['--keyring', keyring, ...args], { cwd: dir, env: { ...process.env, GNUPGHOME: join(dir, 'gnupg') } });
}

async function renderSigned(key: GeneratedSigningKey, sub: string): Promise<{ rendered: RenderedIndex; out: string }> {
  const signer = await createSigner(key.privateKeyArmored);
  const pkg = { name: 'hello', version: '1.0-1', arch: 'amd64', metadata: { Package: 'hello', Version: '1.0-1', Architecture: 'amd64', Maintainer: 'M <m@example.invalid>', Description: 'd\n -dash leading line\n .' } };
  const dist = { distro: 'debian', release: 'bookworm' };
  const file = { blobKey: 'x', size: 3, hashes: { md5: '0'.repeat(32), sha1: '1'.repeat(40), sha256: '2'.repeat(64), sha512: '3'.repeat(128) } };
  const members = [{ name: 'hello', version: '1.0-1', arch: 'amd64', fragment: debFormat.fragment('acme/tools', dist, pkg, file) }];
  const rendered = await debFormat.render({ repo: 'acme/tools', scope: 'debian/bookworm', distribution: dist, members, now: new Date() }, signer);
  const out = join(dir, sub);
  await fsp.mkdir(out);
  for (const f of rendered.top) await fsp.writeFile(join(out, f.key.slice(f.key.lastIndexOf('/') + 1)), f.body);
  return { rendered, out };
}

describe('OpenPGP signing verified by gpgv (apt’s verifier)', () => {
  let ed: GeneratedSigningKey;
  beforeAll(async () => {
    ed = await generateSigningKey({ type: 'ed25519', name: 'Packyard acme/tools', email: 'tools@acme.packyard' });
  });

  it('generates a v4 legacy Ed25519 signing-only key', async () => {
    expect(ed.algorithm).toBe('ed25519');
    expect(ed.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    const pub = await openpgp.readKey({ armoredKey: ed.publicKeyArmored });
    expect(pub.keyPacket.version).toBe(4);
    expect(pub.getAlgorithmInfo()).toMatchObject({ algorithm: 'eddsaLegacy', curve: 'ed25519Legacy' });
    expect(pub.getSubkeys()).toHaveLength(0);
    expect(pub.getFingerprint().toUpperCase()).toBe(ed.fingerprint);
    expect(pub.users[0].userID?.userID).toBe('Packyard acme/tools <tools@acme.packyard>');
    expect(ed.privateKeyArmored).toMatch(/^-----BEGIN PGP PRIVATE KEY BLOCK-----/);
    const priv = await openpgp.readPrivateKey({ armoredKey: ed.privateKeyArmored });
    expect(priv.isDecrypted()).toBe(true);
  });

  it('clearsigns InRelease and detach-signs Release.gpg so gpgv accepts both', async () => {
    const { out, rendered } = await renderSigned(ed, 'ed25519');
    const inRelease = await fsp.readFile(join(out, 'InRelease'), 'utf8');
    expect(inRelease).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n/);

    const clear = await gpgv(ed, ['--output', join(out, 'signed-text'), join(out, 'InRelease')]);
    expect(clear.code).toBe(0);
    expect(clear.stderr).toContain(`Good signature from "Packyard acme/tools <tools@acme.packyard>"`);
    // What the signature covers is exactly the Release file (gpgv also prints the line break before the armor).
    const release = Buffer.from(rendered.top[0].body).toString('utf8');
    expect(await fsp.readFile(join(out, 'signed-text'), 'utf8')).toBe(release + '\n');
    expect((await openpgp.readCleartextMessage({ cleartextMessage: inRelease })).getText()).toBe(release);
    expect(inRelease).not.toContain('\r');
    expect(inRelease.startsWith(`-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n${release}\n-----BEGIN PGP SIGNATURE-----\n`)).toBe(true);

    const detached = await gpgv(ed, [join(out, 'Release.gpg'), join(out, 'Release')]);
    expect(detached.code).toBe(0);
    expect(detached.stderr).toContain('Good signature');
    expect(await fsp.readFile(join(out, 'Release.gpg'), 'utf8')).toMatch(/^-----BEGIN PGP SIGNATURE-----\n[\s\S]+-----END PGP SIGNATURE-----\n$/);
  });

  it('fails verification when Release is altered or the key is another one', async () => {
    const { out } = await renderSigned(ed, 'tampered');
    await fsp.appendFile(join(out, 'Release'), 'X-Evil: yes\n');
    const detached = await gpgv(ed, [join(out, 'Release.gpg'), join(out, 'Release')]);
    expect(detached.code).not.toBe(0);
    expect(detached.stderr).toContain('BAD signature');

    const inRelease = await fsp.readFile(join(out, 'InRelease'), 'utf8');
    await fsp.writeFile(join(out, 'InRelease'), inRelease.replace('Suite: bookworm', 'Suite: trixie'));
    expect((await gpgv(ed, [join(out, 'InRelease')])).code).not.toBe(0);

    const other = await generateSigningKey({ type: 'ed25519', name: 'Other', email: 'other@example.invalid' });
    const { out: out2 } = await renderSigned(ed, 'other-key');
    const wrong = await gpgv(other, [join(out2, 'InRelease')]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/No public key|Can't check signature/);
  });

  it('signs with an RSA 4096 key that gpgv accepts', async () => {
    const rsa = await generateSigningKey({ type: 'rsa4096', name: 'Packyard acme/rsa', email: 'rsa@acme.packyard' });
    expect(rsa.algorithm).toBe('rsa4096');
    const pub = await openpgp.readKey({ armoredKey: rsa.publicKeyArmored });
    expect(pub.keyPacket.version).toBe(4);
    expect(pub.getAlgorithmInfo()).toMatchObject({ algorithm: 'rsaEncryptSign', bits: 4096 });
    const { out } = await renderSigned(rsa, 'rsa');
    expect((await gpgv(rsa, [join(out, 'InRelease')])).code).toBe(0);
    expect((await gpgv(rsa, [join(out, 'Release.gpg'), join(out, 'Release')])).code).toBe(0);
  }, 120_000);

  it('refuses keys apt cannot use or cannot be used unattended', async () => {
    const { privateKey: v6 } = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'v6' }], config: { v6Keys: true } });
    await expect(createSigner(v6)).rejects.toThrow(/v6 key; apt and dnf need a v4 key/);
    const { privateKey: locked } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'locked' }], passphrase: 'secret' });
    await expect(createSigner(locked)).rejects.toThrow(/passphrase-protected/);
  });
});

describe('dearmorPublicKey', () => {
  let key: GeneratedSigningKey;
  beforeAll(async () => {
    key = await generateSigningKey({ type: 'ed25519', name: 'Armor', email: 'armor@example.invalid' });
  });

  it('returns the binary key packets, as gpg --dearmor does', async () => {
    const binary = dearmorPublicKey(key.publicKeyArmored);
    expect(Buffer.from(binary)).toEqual(Buffer.from(key.publicKeyBinary));
    const reread = await openpgp.readKey({ binaryKey: binary });
    expect(reread.getFingerprint().toUpperCase()).toBe(key.fingerprint);
    expect(Buffer.from(dearmorPublicKey(key.publicKeyArmored.replace(/\n/g, '\r\n')))).toEqual(Buffer.from(binary));
  });

  it('matches gpg --dearmor byte for byte', async () => {
    const armored = join(dir, 'key.asc');
    await fsp.writeFile(armored, key.publicKeyArmored);
    const r = await run('gpg', ['--batch', '--homedir', join(dir, 'gnupg'), '--dearmor', '--output', join(dir, 'key-dearmored.gpg'), armored]);
    expect(r.code).toBe(0);
    expect(await fsp.readFile(join(dir, 'key-dearmored.gpg'))).toEqual(Buffer.from(dearmorPublicKey(key.publicKeyArmored)));
  });

  it('rejects a damaged or foreign armor block', () => {
    const lines = key.publicKeyArmored.split('\n');
    const body = lines.findIndex((l, i) => i > 0 && /^[A-Za-z0-9+/]{20,}/.test(l));
    const flipped = [...lines];
    flipped[body] = (flipped[body][0] === 'A' ? 'B' : 'A') + flipped[body].slice(1);
    const checksummed = lines.some((l) => /^=[A-Za-z0-9+/]{4}$/.test(l));
    if (checksummed) expect(() => dearmorPublicKey(flipped.join('\n'))).toThrow(/CRC-24/);
    expect(() => dearmorPublicKey(key.privateKeyArmored)).toThrow(/not an armored OpenPGP public key block/);
    expect(() => dearmorPublicKey('hello')).toThrow(/not an armored/);
  });
});
