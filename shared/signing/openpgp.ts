import * as openpgp from 'openpgp';
import type { SigningKeyType } from '../domain/repo';
import type { Signer } from '../formats/format';

export interface GenerateSigningKeyInput {
  type: SigningKeyType;
  name: string;
  email: string;
}

export interface GeneratedSigningKey {
  /** Unencrypted: envelope encryption protects it at rest. */
  privateKeyArmored: string;
  publicKeyArmored: string;
  /** The transferable public key as binary packets: a keyring apt's `signed-by` and gpgv read. */
  publicKeyBinary: Uint8Array;
  /** Upper-case hex, as gpg prints it. */
  fingerprint: string;
  algorithm: SigningKeyType;
}

/**
 * v4 keys only: apt (gpgv/sqv) and dnf reject v6 (RFC 9580) keys and signatures. Ed25519 therefore uses the
 * legacy EdDSA encoding. No encryption subkey: the key only ever signs.
 */
const KEY_OPTIONS = {
  rsa4096: { type: 'rsa', rsaBits: 4096 },
  ed25519: { type: 'ecc', curve: 'curve25519Legacy' },
} as const;

const V4: Partial<openpgp.Config> = { v6Keys: false, preferredHashAlgorithm: openpgp.enums.hash.sha512 };

export async function generateSigningKey(input: GenerateSigningKeyInput): Promise<GeneratedSigningKey> {
  const options = KEY_OPTIONS[input.type];
  if (!options) throw new Error(`unsupported signing key type ${JSON.stringify(input.type)}`);
  const { privateKey } = await openpgp.generateKey({
    ...options,
    userIDs: [{ name: input.name, email: input.email }],
    subkeys: [],
    format: 'object',
    config: V4,
  });
  const publicKey = privateKey.toPublic();
  return {
    privateKeyArmored: privateKey.armor(),
    publicKeyArmored: publicKey.armor(),
    publicKeyBinary: publicKey.write(),
    fingerprint: publicKey.getFingerprint().toUpperCase(),
    algorithm: input.type,
  };
}

/**
 * A Signer holding the decrypted keys in memory only; signatures are v4 with SHA-512. Several keys (a key
 * rotation's overlap) give one signature each in every signed file: apt and dnf accept a file when a signature
 * verifies with a key they trust.
 */
export async function createSigner(privateKeyArmored: string | string[]): Promise<Signer> {
  const armored = Array.isArray(privateKeyArmored) ? privateKeyArmored : [privateKeyArmored];
  if (armored.length === 0) throw new Error('a signer needs a key');
  const key = await Promise.all(armored.map(async (armoredKey) => {
    const k = await openpgp.readPrivateKey({ armoredKey });
    if (!k.isDecrypted()) throw new Error('the signing key is passphrase-protected; Packyard expects an unencrypted key');
    if (k.keyPacket.version !== 4) throw new Error(`the signing key is a v${k.keyPacket.version} key; apt and dnf need a v4 key`);
    return k;
  }));
  return {
    async clearsign(text: string): Promise<string> {
      const message = await openpgp.createCleartextMessage({ text });
      const signed = await openpgp.sign({ message, signingKeys: key, config: V4 });
      // openpgp.js writes the text with CRLF; the signature covers canonical CRLF text either way, and
      // InRelease files (and apt's parser) use LF.
      return signed.replace(/\r\n/g, '\n');
    },
    async detachSign(data: Uint8Array): Promise<string> {
      const message = await openpgp.createMessage({ binary: data });
      return openpgp.sign({ message, signingKeys: key, detached: true, format: 'armored', config: V4 });
    },
  };
}

/** One armored block holding several public keys (a keyring), as `gpgkey` serves during a rotation's overlap. */
export async function armoredKeyring(publicKeysArmored: string[]): Promise<string> {
  if (publicKeysArmored.length === 1) return publicKeysArmored[0];
  const keys = await Promise.all(publicKeysArmored.map((armoredKey) => openpgp.readKey({ armoredKey })));
  const packets = keys.map((k) => k.write());
  const all = new Uint8Array(packets.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of packets) {
    all.set(p, offset);
    offset += p.length;
  }
  return openpgp.armor(openpgp.enums.armor.publicKey, all);
}

/**
 * The binary packets of an armored public key block (what `gpg --dearmor` writes), synchronously so it can
 * feed a write directly. Verifies the CRC-24 checksum when the armor carries one.
 */
export function dearmorPublicKey(armored: string): Uint8Array {
  const lines = armored.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trimEnd());
  const begin = lines.indexOf('-----BEGIN PGP PUBLIC KEY BLOCK-----');
  const end = lines.indexOf('-----END PGP PUBLIC KEY BLOCK-----', begin + 1);
  if (begin < 0 || end < 0) throw new Error('not an armored OpenPGP public key block');
  let i = begin + 1;
  // Armor headers ("Comment: ...") run up to the first blank line.
  while (i < end && lines[i] !== '') {
    if (!/^[A-Za-z][A-Za-z0-9-]*: /.test(lines[i])) break;
    i++;
  }
  if (lines[i] === '') i++;
  const body: string[] = [];
  let checksum: string | undefined;
  for (; i < end; i++) {
    if (lines[i].startsWith('=')) checksum = lines[i].slice(1);
    else body.push(lines[i]);
  }
  const base64 = body.join('');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length === 0) throw new Error('the public key block holds invalid base64');
  const data = new Uint8Array(Buffer.from(base64, 'base64'));
  if (checksum !== undefined && Buffer.from(crc24(data)).toString('base64') !== checksum) {
    throw new Error('the public key block fails its CRC-24 checksum');
  }
  return data;
}

/** OpenPGP armor checksum (RFC 4880 section 6.1), as three big-endian bytes. */
function crc24(data: Uint8Array): Uint8Array {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let b = 0; b < 8; b++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return new Uint8Array([(crc >> 16) & 0xff, (crc >> 8) & 0xff, crc & 0xff]);
}
