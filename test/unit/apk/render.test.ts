import { existsSync, mkdirSync, promises as fsp, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileHashes } from '../../../shared/domain/hashes';
import { apkFormat } from '../../../shared/formats/apk';
import { apkIndexText } from '../../../shared/formats/apk/render';
import type { IndexMember, ParsedPackage, RenderedIndex, Signer } from '../../../shared/formats/format';
import { createApkSigner, generateApkKey, type GeneratedApkKey } from '../../../shared/signing/apk-rsa';
import { buildApk, checkApkIndex, splitGzipStreams } from '../../support/apks';

const GOLDEN = join(__dirname, '../../fixtures/apk/golden');
// Regenerate deliberately with: UPDATE_GOLDEN=1 npx jest test/unit/apk/render.test.ts
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const NOW = new Date('2024-01-02T15:04:05.678Z');
const DIST = { distro: 'alpine', release: 'v3.19' };
const REPO = 'acme/tools';
const KEY_NAME = 'acme-tools-0123abcd';

let dir: string;
let key: GeneratedApkKey;
let signer: Signer;

beforeAll(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'packyard-apk-render-'));
  key = await generateApkKey(2048);
  signer = {
    clearsign: async () => {
      throw new Error('apk indexes are not OpenPGP-signed');
    },
    detachSign: async () => {
      throw new Error('apk indexes are not OpenPGP-signed');
    },
    apk: createApkSigner(key.privateKeyPem, KEY_NAME),
  };
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

/** A member from fixed metadata, so the golden text never changes by accident. */
function member(name: string, version: string, arch: string, extra: Record<string, string> = {}): IndexMember {
  const metadata: Record<string, string> = {
    checksum: `Q1${Buffer.from(`${name}-${version}-${arch}`.padEnd(20, '.').slice(0, 20)).toString('base64')}`,
    pkgname: name,
    pkgver: version,
    arch,
    pkgdesc: `${name} for tests`,
    url: 'https://packyard.invalid/',
    builddate: '1700000000',
    size: '4096',
    license: 'MIT',
    origin: name,
    ...extra,
  };
  const pkg: ParsedPackage = { name, version, arch, metadata };
  const fragment = apkFormat.fragment(REPO, DIST, pkg, { blobKey: apkFormat.blobKey(REPO, DIST, pkg), size: 1000 + name.length, hashes: fileHashes(Buffer.from(name)) });
  return { name, version, arch, fragment };
}

const MEMBERS = [
  member('zlib', '1.3.1-r0', 'x86_64', { depend: 'so:libc.musl-x86_64.so.1', provides: 'so:libz.so.1=1.3.1' }),
  member('zlib', '1.3.1-r0', 'aarch64', { depend: 'so:libc.musl-aarch64.so.1', provides: 'so:libz.so.1=1.3.1' }),
  member('hello', '2.12.1-r3', 'x86_64', { maintainer: 'Ann <ann@example.invalid>', commit: 'abc123', provider_priority: '10' }),
  member('hello', '2.10-r0', 'x86_64'),
  member('docs', '1.0-r0', 'noarch', { install_if: 'hello man-pages' }),
  member('riscy', '0.1_git20240101-r0', 'riscv64'),
];

const render = (members: IndexMember[] = MEMBERS): Promise<RenderedIndex> =>
  apkFormat.render({ repo: REPO, scope: 'alpine/v3.19', distribution: DIST, members, now: NOW }, signer);

const indexOf = (r: RenderedIndex, arch: string) => r.top.find((f) => f.key === `${REPO}/alpine/v3.19/main/${arch}/APKINDEX.tar.gz`)!.body;

/** The index stream, decompressed: a tar whose APKINDEX member must hold the text. */
function indexStreamTar(body: Uint8Array): string {
  const [, index] = splitGzipStreams(Buffer.from(body));
  const tarBytes = gunzipSync(index);
  // The tar holds DESCRIPTION then APKINDEX; the checker below reads them with GNU tar.
  return tarBytes.toString('latin1');
}

describe('APKINDEX.tar.gz', () => {
  it('publishes one signed index per arch (members + x86_64, aarch64), nothing else', async () => {
    const r = await render();
    expect(r.content).toEqual([]);
    expect(r.byHashPrefixes).toEqual([]);
    expect(r.top.map((f) => [f.key, f.contentType])).toEqual(
      ['aarch64', 'riscv64', 'x86_64'].map((a) => [`${REPO}/alpine/v3.19/main/${a}/APKINDEX.tar.gz`, 'application/gzip']),
    );
  });

  it.each(['aarch64', 'riscv64', 'x86_64'])('the %s index verifies with openssl and matches its golden APKINDEX', async (arch) => {
    const checked = await checkApkIndex(Buffer.from(indexOf(await render(), arch)), key.publicKeyPem, dir);
    expect(checked.keyName).toBe(`${KEY_NAME}.rsa.pub`);
    expect(checked.description).toBe(`${REPO} alpine/v3.19`);
    const text = apkIndexText(MEMBERS.filter((m) => m.arch === arch || m.arch === 'noarch'));
    expect(indexStreamTar(indexOf(await render(), arch))).toContain(text);
    const golden = join(GOLDEN, 'main', arch, 'APKINDEX');
    if (UPDATE || !existsSync(golden)) {
      mkdirSync(dirname(golden), { recursive: true });
      writeFileSync(golden, text);
    }
    expect(text).toBe(readFileSync(golden, 'utf8'));
    expect(checked.records.every((r) => r.A === arch || r.A === 'noarch')).toBe(true);
    expect(checked.records.some((r) => r.P === 'docs' && r.A === 'noarch')).toBe(true);
  });

  it('renders byte-identical indexes for the same input (deterministic gzip, tar and PKCS#1 v1.5)', async () => {
    const [a, b] = [await render(), await render()];
    expect(a.top.map((f) => Buffer.from(f.body).toString('base64'))).toEqual(b.top.map((f) => Buffer.from(f.body).toString('base64')));
    const reordered = await render([...MEMBERS].reverse());
    expect(Buffer.compare(Buffer.from(indexOf(reordered, 'x86_64')), Buffer.from(indexOf(a, 'x86_64')))).toBe(0);
  });

  it('an empty branch still has valid, empty indexes for the default arches', async () => {
    const r = await render([]);
    expect(r.top.map((f) => f.key.split('/').at(-2))).toEqual(['aarch64', 'x86_64']);
    const checked = await checkApkIndex(Buffer.from(indexOf(r, 'x86_64')), key.publicKeyPem, dir);
    expect(checked.records).toEqual([]);
  });

  it('fails verification when the index stream is altered or checked with another key', async () => {
    const body = Buffer.from(indexOf(await render(), 'x86_64'));
    const [sig, index] = splitGzipStreams(body);
    // The gzip header's mtime: the content still decompresses, but the signed bytes changed.
    const forged = Buffer.from(index);
    forged[4] ^= 0x01;
    await expect(checkApkIndex(Buffer.concat([sig, forged]), key.publicKeyPem, dir)).rejects.toThrow(/Verification failure|did not verify|exited/);
    const other = await generateApkKey(2048);
    await expect(checkApkIndex(body, other.publicKeyPem, dir)).rejects.toThrow(/Verification failure|did not verify|exited/);
  });

  it('refuses to render without the repository apk key', async () => {
    const { apk: _apk, ...openpgpOnly } = signer;
    await expect(apkFormat.render({ repo: REPO, scope: 'alpine/v3.19', distribution: DIST, members: MEMBERS, now: NOW }, openpgpOnly)).rejects.toThrow(/apk RSA key/);
  });

  it('lists real packages with C: equal to the SHA-1 of their control streams and S: their size', async () => {
    const built = [
      await buildApk(dir, { name: 'real-one', version: '1.0-r0', fields: { depend: ['busybox', 'musl>=1.2'] } }),
      await buildApk(dir, { name: 'real-doc', version: '1.0-r0', arch: 'noarch' }),
    ];
    const members: IndexMember[] = [];
    for (const b of built) {
      const pkg = await apkFormat.parse(b.bytes, {});
      const fragment = apkFormat.fragment(REPO, DIST, pkg, { blobKey: apkFormat.blobKey(REPO, DIST, pkg), size: b.bytes.length, hashes: fileHashes(b.bytes) });
      members.push({ name: pkg.name, version: pkg.version, arch: pkg.arch, fragment });
    }
    for (const arch of ['x86_64', 'aarch64']) {
      const checked = await checkApkIndex(Buffer.from(indexOf(await render(members), arch)), key.publicKeyPem, dir);
      const byName = new Map(checked.records.map((r) => [r.P, r]));
      if (arch === 'x86_64') expect(byName.get('real-one')).toMatchObject({ C: built[0].checksum, V: '1.0-r0', A: 'x86_64', S: String(built[0].bytes.length), D: 'busybox musl>=1.2' });
      else expect(byName.has('real-one')).toBe(false);
      expect(byName.get('real-doc')).toMatchObject({ C: built[1].checksum, A: 'noarch', S: String(built[1].bytes.length) });
    }
  });
});
