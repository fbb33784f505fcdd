import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileHashes } from '../../../shared/domain/hashes';
import { debFormat } from '../../../shared/formats/deb';
import { fieldValue, parseParagraph } from '../../../shared/formats/deb/control';
import { releaseDate } from '../../../shared/formats/deb/render';
import type { IndexMember, ParsedPackage, RenderedIndex, Signer } from '../../../shared/formats/format';

const GOLDEN = join(__dirname, '../../fixtures/deb/golden');
// Regenerate deliberately with: UPDATE_GOLDEN=1 npx jest test/unit/deb/render.test.ts
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** Deterministic stand-in for the OpenPGP signer (the real one is tested against gpgv). */
const fakeSigner: Signer = {
  clearsign: async (text) => `-----BEGIN FAKE SIGNED MESSAGE-----\n${text}-----END FAKE SIGNED MESSAGE-----\n`,
  detachSign: async (data) => `FAKE DETACHED SIGNATURE over sha256 ${sha256(data)}\n`,
};

const NOW = new Date('2024-01-02T15:04:05.678Z');
const DIST = { distro: 'debian', release: 'bookworm' };
const REPO = 'acme/tools';

function member(name: string, version: string, arch: string, extra: Record<string, string> = {}): IndexMember {
  const metadata: Record<string, string> = {
    Package: name,
    Version: version,
    Architecture: arch,
    Maintainer: 'Packyard Tests <tests@packyard.invalid>',
    ...extra,
    Description: `${name} for tests\n Long description of ${name}.\n .\n Second paragraph.`,
  };
  const pkg: ParsedPackage = { name, version, arch, metadata };
  // File hashes derived from the identity, so the golden output never changes by accident.
  const hashes = fileHashes(Buffer.from(`${name} ${version} ${arch}`));
  const fragment = debFormat.fragment(REPO, DIST, pkg, { blobKey: debFormat.blobKey(REPO, DIST, pkg), size: 1000 + name.length, hashes });
  return { name, version, arch, fragment };
}

const MEMBERS: IndexMember[] = [
  member('zz', '10', 'amd64'),
  member('hello', '1.0-2', 'amd64', { Depends: 'libc6 (>= 2.36)' }),
  member('hello-doc', '1.0-1', 'all', { Section: 'doc' }),
  member('hello', '1.0~rc1-1', 'amd64'),
  member('libhello1', '2:0.9-1', 'riscv64', { 'Multi-Arch': 'same' }),
  member('hello', '1.0-1', 'arm64'),
  member('zz', '9', 'amd64'),
  member('hello', '1.0-1', 'amd64'),
];

const byKey = (r: RenderedIndex) => new Map([...r.content, ...r.top].map((f) => [f.key, f]));
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const BASE = 'acme/tools/debian/dists/bookworm/';

describe('rendering a Debian suite', () => {
  let rendered: RenderedIndex;
  beforeAll(async () => {
    rendered = await debFormat.render({ repo: REPO, scope: 'debian/bookworm', distribution: DIST, members: MEMBERS, now: NOW }, fakeSigner);
  });

  it('matches the golden Packages and Release files', () => {
    const files = byKey(rendered);
    const golden = ['Release', 'InRelease', 'Release.gpg', ...['amd64', 'arm64', 'riscv64'].map((a) => `main/binary-${a}/Packages`)];
    for (const rel of golden) {
      const file = files.get(BASE + rel);
      expect(file).toBeDefined();
      const path = join(GOLDEN, rel);
      if (UPDATE || !existsSync(path)) {
        if (!UPDATE) throw new Error(`golden file ${path} is missing; run with UPDATE_GOLDEN=1 to create it`);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, file!.body);
      }
      expect(text(file!.body)).toBe(readFileSync(path, 'utf8'));
    }
  });

  it('publishes every arch of its members plus amd64 and arm64, with `all` packages in each', () => {
    const release = parseParagraph(text(byKey(rendered).get(BASE + 'Release')!.body));
    const field = (n: string) => release.find((f) => f.name === n)?.value;
    expect(field('Architectures')).toBe('amd64 arm64 riscv64');
    for (const arch of ['amd64', 'arm64', 'riscv64']) {
      const packages = text(byKey(rendered).get(`${BASE}main/binary-${arch}/Packages`)!.body);
      expect(packages).toContain('Package: hello-doc\n');
    }
    const amd64 = text(byKey(rendered).get(`${BASE}main/binary-amd64/Packages`)!.body);
    const identities = amd64.split('\n\n').map((s) => {
      const f = parseParagraph(s);
      return ['Package', 'Version', 'Architecture'].map((n) => f.find((x) => x.name === n)?.value).join(' ');
    });
    expect(identities).toEqual([
      'hello 1.0~rc1-1 amd64',
      'hello 1.0-1 amd64',
      'hello 1.0-2 amd64',
      'hello-doc 1.0-1 all',
      'zz 9 amd64',
      'zz 10 amd64',
    ]);
    expect(amd64.endsWith('Second paragraph.\n')).toBe(true);
  });

  it('writes a Release with the required fields, a UTC date and every index file listed with its size', () => {
    const files = byKey(rendered);
    const release = parseParagraph(text(files.get(BASE + 'Release')!.body));
    const field = (n: string) => fieldValue(release, n) ?? '';
    expect(release.slice(0, 9).map((f) => [f.name, f.value])).toEqual([
      ['Origin', 'acme/tools'],
      ['Label', 'acme/tools'],
      ['Suite', 'bookworm'],
      ['Codename', 'bookworm'],
      ['Date', 'Tue, 02 Jan 2024 15:04:05 UTC'],
      ['Architectures', 'amd64 arm64 riscv64'],
      ['Components', 'main'],
      ['Description', 'Packyard repository acme/tools, debian/bookworm'],
      ['Acquire-By-Hash', 'yes'],
    ]);
    const algs = { MD5Sum: 'md5', SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' } as const;
    for (const [section, alg] of Object.entries(algs)) {
      const lines = field(section).trim().split('\n').map((l) => l.trim().split(/\s+/));
      expect(lines.map((l) => l[2])).toEqual(
        ['amd64', 'arm64', 'riscv64'].flatMap((a) => [`main/binary-${a}/Packages`, `main/binary-${a}/Packages.gz`]),
      );
      for (const [hex, size, path] of lines) {
        const body = files.get(BASE + path)!.body;
        expect(Number(size)).toBe(body.length);
        expect(hex).toBe(createHash(alg).update(body).digest('hex'));
      }
    }
  });

  it('gzips Packages deterministically (no name, no mtime) and the result inflates to Packages', () => {
    const files = byKey(rendered);
    for (const arch of ['amd64', 'arm64', 'riscv64']) {
      const plain = files.get(`${BASE}main/binary-${arch}/Packages`)!;
      const gz = files.get(`${BASE}main/binary-${arch}/Packages.gz`)!;
      expect(Buffer.from(gunzipSync(gz.body))).toEqual(Buffer.from(plain.body));
      expect([...gz.body.subarray(0, 8)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
      expect(plain.contentType).toBe('text/plain');
      expect(gz.contentType).toBe('application/gzip');
    }
  });

  it('publishes by-hash copies named by their SHA256 and SHA512 for every listed file', () => {
    const files = byKey(rendered);
    const indexFiles = rendered.content.filter((f) => !f.key.includes('/by-hash/'));
    expect(indexFiles).toHaveLength(6);
    for (const f of indexFiles) {
      const dir = f.key.slice(0, f.key.lastIndexOf('/'));
      const h = fileHashes(f.body);
      for (const [type, hex] of [['SHA256', h.sha256], ['SHA512', h.sha512]]) {
        const copy = files.get(`${dir}/by-hash/${type}/${hex}`);
        expect(copy).toBeDefined();
        expect(Buffer.from(copy!.body)).toEqual(Buffer.from(f.body));
        expect(copy!.contentType).toBe(f.contentType);
      }
    }
    expect(rendered.content).toHaveLength(6 * 3);
    expect(rendered.content.every((f) => f.key.startsWith(BASE))).toBe(true);
    expect(rendered.byHashPrefixes).toEqual(['amd64', 'arm64', 'riscv64'].map((a) => `${BASE}main/binary-${a}/by-hash/`));
  });

  it('puts Release, Release.gpg and InRelease last, signed over the Release bytes', () => {
    expect(rendered.top.map((f) => [f.key.slice(BASE.length), f.contentType])).toEqual([
      ['Release', 'text/plain'],
      ['Release.gpg', 'application/pgp-signature'],
      ['InRelease', 'text/plain'],
    ]);
    const [release, gpg, inRelease] = rendered.top.map((f) => text(f.body));
    expect(gpg).toBe(`FAKE DETACHED SIGNATURE over sha256 ${sha256(release)}\n`);
    expect(inRelease).toContain(`\n${release}-----END`);
  });

  it('is deterministic: the same members in any order give the same bytes', async () => {
    const again = await debFormat.render({ repo: REPO, scope: 'debian/bookworm', distribution: DIST, members: [...MEMBERS].reverse(), now: NOW }, fakeSigner);
    const flat = (r: RenderedIndex) => [...r.content, ...r.top].map((f) => [f.key, sha256(f.body), f.contentType]);
    expect(flat(again)).toEqual(flat(rendered));
  });

  it('publishes amd64 and arm64 for an empty suite and for one holding only `all` packages', async () => {
    const empty = await debFormat.render({ repo: REPO, scope: 'any/any', distribution: { distro: 'any', release: 'any' }, members: [], now: NOW }, fakeSigner);
    const files = byKey(empty);
    const base = 'acme/tools/any/dists/any/';
    expect(text(files.get(base + 'Release')!.body)).toContain('\nArchitectures: amd64 arm64\n');
    expect(files.get(`${base}main/binary-amd64/Packages`)!.body.length).toBe(0);
    expect(files.get(`${base}main/binary-arm64/Packages`)!.body.length).toBe(0);
    expect(files.has(`${base}main/binary-arm64/by-hash/SHA256/${sha256('')}`)).toBe(true);

    const allOnly = await debFormat.render({ repo: REPO, scope: 'debian/bookworm', distribution: DIST, members: [member('docs', '1', 'all')], now: NOW }, fakeSigner);
    const release = text(byKey(allOnly).get(BASE + 'Release')!.body);
    expect(release).toContain('\nArchitectures: amd64 arm64\n');
    for (const a of ['amd64', 'arm64']) expect(text(byKey(allOnly).get(`${BASE}main/binary-${a}/Packages`)!.body)).toMatch(/^Package: docs\n/);
  });

  it('formats the Release date as RFC 2822 in UTC', () => {
    expect(releaseDate(new Date('2025-12-31T23:59:59Z'))).toBe('Wed, 31 Dec 2025 23:59:59 UTC');
    expect(releaseDate(new Date('2024-02-29T00:00:00Z'))).toBe('Thu, 29 Feb 2024 00:00:00 UTC');
  });
});
