import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, promises as fsp, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isPackyardError } from '../../../shared/domain/errors';
import { fileHashes } from '../../../shared/domain/hashes';
import type { IndexMember, ParsedPackage, RenderedIndex, Signer } from '../../../shared/formats/format';
import { rpmFormat } from '../../../shared/formats/rpm';
import { decodeFragment, encodeFragment, MAX_FRAGMENT_CHARS } from '../../../shared/formats/rpm/fragment';
import type { RpmPackageInfo } from '../../../shared/formats/rpm/model';
import { createSigner, generateSigningKey } from '../../../shared/signing/openpgp';
import { run } from '../../support/exec';
import { packagesByPkgid, parseXml, repomdRecords } from './repodata';

const GOLDEN = join(__dirname, '../../fixtures/rpm/golden');
// Regenerate deliberately with: UPDATE_GOLDEN=1 npx jest test/unit/rpm/render.test.ts
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const fakeSigner: Signer = {
  clearsign: async (t) => t,
  detachSign: async (data) => `FAKE DETACHED SIGNATURE over sha256 ${sha256(data)}\n`,
};

const NOW = new Date('2024-01-02T15:04:05.678Z');
const DIST = { distro: 'el', release: '9' };
const REPO = 'acme/tools';
const BASE = 'acme/tools/el/9/';
const NO_DEPS = { provides: [], requires: [], conflicts: [], obsoletes: [], suggests: [], enhances: [], recommends: [], supplements: [] };

function info(name: string, epoch: string, ver: string, rel: string, arch: string, extra: Partial<RpmPackageInfo> = {}): RpmPackageInfo {
  return {
    name,
    arch: arch === 'nosrc' ? 'src' : arch,
    ...(arch === 'src' || arch === 'nosrc' ? { source: arch } : {}),
    epoch,
    ver,
    rel,
    summary: `${name} for tests`,
    description: `${name} is a package.\nIt has two lines.`,
    packager: 'Packyard Tests <tests@packyard.invalid>',
    url: 'https://example.invalid/',
    license: 'MIT',
    vendor: '',
    group: 'Unspecified',
    buildhost: 'build.invalid',
    sourcerpm: arch === 'src' ? '' : `${name}-${ver}-${rel}.src.rpm`,
    buildTime: 1704067200,
    installedSize: 1234,
    archiveSize: 1500,
    headerStart: 4504,
    headerEnd: 6000,
    payloadCompressor: 'gzip',
    deps: { ...NO_DEPS, provides: [{ name, flags: 'EQ', epoch, ver, rel }] },
    files: [{ path: `/usr/share/${name}/README` }],
    changelogs: [],
    ...extra,
  };
}

function member(i: RpmPackageInfo): IndexMember {
  const version = `${i.epoch !== '0' ? `${i.epoch}:` : ''}${i.ver}-${i.rel}`;
  const pkg: ParsedPackage = { name: i.name, version, arch: i.source ?? i.arch, metadata: {}, control: JSON.stringify(i) };
  // File hashes derived from the identity, so the golden output never changes by accident.
  const hashes = fileHashes(Buffer.from(`${i.name} ${version} ${pkg.arch}`));
  const fragment = rpmFormat.fragment(REPO, DIST, pkg, { blobKey: rpmFormat.blobKey(REPO, DIST, pkg), size: 2000 + i.name.length, hashes });
  return { name: i.name, version, arch: pkg.arch, fragment };
}

const MEMBERS: IndexMember[] = [
  member(info('zeta', '0', '1.0', '1', 'x86_64')),
  member(
    info('hello', '2', '1.4.0~rc1', '3.el9', 'x86_64', {
      summary: 'Says hello & <waves>',
      description: 'Control \u0001characters\u0007 vanish; "quotes" stay.\r\nCRLF too.',
      deps: {
        ...NO_DEPS,
        provides: [{ name: 'hello', flags: 'EQ', epoch: '2', ver: '1.4.0~rc1', rel: '3.el9' }, { name: 'greeter' }],
        requires: [{ name: '/bin/sh', pre: true }, { name: 'bar', flags: 'GE', epoch: '1', ver: '2.0', rel: '1' }, { name: '(a or b)' }],
        conflicts: [{ name: 'old', flags: 'LT', epoch: '0', ver: '1' }],
        obsoletes: [{ name: 'older', flags: 'LE', epoch: '0', ver: '0.9' }],
        recommends: [{ name: 'hello-doc' }],
        suggests: [{ name: 'extras' }],
        supplements: [{ name: 'sup' }],
        enhances: [{ name: 'bash', flags: 'GE', epoch: '0', ver: '5' }],
      },
      files: [{ path: '/etc/hello.conf' }, { path: '/usr/bin/hello' }, { path: '/usr/share/hello', type: 'dir' }, { path: '/usr/share/hello/a & b.txt' }, { path: '/var/log/hello.log', type: 'ghost' }],
      changelogs: [
        { author: 'Bob <bob@example.invalid> - 1.3-1', date: 1704110400, text: '- First' },
        { author: 'Ann <ann@example.invalid> - 1.4.0~rc1-3', date: 1704196800, text: '- Say hello & <goodbye>' },
      ],
    }),
  ),
  member(info('hello', '0', '1.10', '1', 'x86_64')),
  member(info('hello', '0', '1.9', '1', 'x86_64')),
  member(info('hello-doc', '0', '1.0', '1', 'noarch')),
  member(info('hello', '0', '1.0', '1', 'ppc64le')),
  member(info('hello', '2', '1.4.0~rc1', '3.el9', 'src', { files: [{ path: 'hello.spec' }, { path: 'hello-1.4.0.tar.gz' }] })),
  member(info('nosource', '0', '1', '1', 'nosrc')),
];

const byKey = (r: RenderedIndex) => new Map([...r.content, ...r.top].map((f) => [f.key, f]));
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const open = (b: Uint8Array) => gunzipSync(b);

function checkGolden(rel: string, body: string): void {
  const path = join(GOLDEN, rel);
  if (UPDATE || !existsSync(path)) {
    if (!UPDATE) throw new Error(`golden file ${path} is missing; run with UPDATE_GOLDEN=1 to create it`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
  }
  expect(body).toBe(readFileSync(path, 'utf8'));
}

describe('rendering an rpm distribution', () => {
  let rendered: RenderedIndex;
  let files: ReturnType<typeof byKey>;
  beforeAll(async () => {
    rendered = await rpmFormat.render({ repo: REPO, scope: 'el/9', distribution: DIST, members: MEMBERS, now: NOW }, fakeSigner);
    files = byKey(rendered);
  });

  /** The three metadata files of a directory, uncompressed, found through its repomd.xml. */
  function metadata(dir: string): Record<string, Buffer> {
    const { records } = repomdRecords(files.get(`${BASE}${dir}/repodata/repomd.xml`)!.body);
    return Object.fromEntries(records.map((r) => [r.type, open(files.get(`${BASE}${dir}/${r.href}`)!.body)]));
  }

  it('matches the golden repodata', () => {
    for (const dir of ['x86_64', 'SRPMS']) {
      const m = metadata(dir);
      for (const type of ['primary', 'filelists', 'other']) checkGolden(`${dir}/${type}.xml`, m[type].toString('utf8'));
      checkGolden(`${dir}/repomd.xml`, text(files.get(`${BASE}${dir}/repodata/repomd.xml`)!.body));
    }
  });

  it('publishes member arches plus x86_64 and aarch64, noarch in each, sources in SRPMS only', () => {
    const dirs = [...new Set([...files.keys()].map((k) => k.slice(BASE.length).split('/')[0]))].sort();
    expect(dirs).toEqual(['SRPMS', 'aarch64', 'ppc64le', 'x86_64']);
    const nevras = (dir: string) => {
      const m = metadata(dir);
      return [...packagesByPkgid(m.primary, m.filelists, m.other).values()].map((v) => v.nevra);
    };
    expect(nevras('x86_64')).toEqual([
      'hello-0:1.9-1.x86_64',
      'hello-0:1.10-1.x86_64',
      'hello-2:1.4.0~rc1-3.el9.x86_64',
      'hello-doc-0:1.0-1.noarch',
      'zeta-0:1.0-1.x86_64',
    ]);
    expect(nevras('aarch64')).toEqual(['hello-doc-0:1.0-1.noarch']);
    expect(nevras('ppc64le')).toEqual(['hello-0:1.0-1.ppc64le', 'hello-doc-0:1.0-1.noarch']);
    expect(nevras('SRPMS')).toEqual(['hello-2:1.4.0~rc1-3.el9.src', 'nosource-0:1-1.src']);
  });

  it('writes repomd.xml with the right namespaces, revision, sizes and both checksums of each file', () => {
    for (const dir of ['x86_64', 'aarch64', 'ppc64le', 'SRPMS']) {
      const repomd = files.get(`${BASE}${dir}/repodata/repomd.xml`)!;
      expect(repomd.contentType).toBe('application/xml');
      const doc = parseXml(repomd.body).repomd as Record<string, string>;
      expect([doc['@xmlns'], doc['@xmlns:rpm']]).toEqual(['http://linux.duke.edu/metadata/repo', 'http://linux.duke.edu/metadata/rpm']);
      const { revision, records } = repomdRecords(repomd.body);
      expect(revision).toBe(String(Math.floor(NOW.getTime() / 1000)));
      expect(records.map((r) => r.type)).toEqual(['primary', 'filelists', 'other']);
      for (const r of records) {
        const file = files.get(`${BASE}${dir}/${r.href}`)!;
        expect(r.href).toBe(`repodata/${r.checksum}-${r.type}.xml.gz`);
        expect(file.contentType).toBe('application/gzip');
        expect([r.checksum, r.size]).toEqual([sha256(file.body), file.body.length]);
        const xml = open(file.body);
        expect([r.openChecksum, r.openSize]).toEqual([sha256(xml), xml.length]);
        const root = parseXml(xml);
        const [name] = Object.keys(root).filter((k) => k !== '?xml');
        const ns = { primary: 'http://linux.duke.edu/metadata/common', filelists: 'http://linux.duke.edu/metadata/filelists', other: 'http://linux.duke.edu/metadata/other' }[r.type];
        expect({ name, ns: (root[name] as Record<string, string>)['@xmlns'] }).toEqual({ name: { primary: 'metadata', filelists: 'filelists', other: 'otherdata' }[r.type], ns });
        const count = Number((root[name] as Record<string, string>)['@packages']);
        expect(count).toBe(((root[name] as Record<string, unknown[]>).package ?? []).length);
      }
    }
  });

  it('writes hash-named files first and each repomd.xml before its signature, last', () => {
    expect(rendered.content.every((f) => /\/repodata\/[0-9a-f]{64}-(primary|filelists|other)\.xml\.gz$/.test(f.key))).toBe(true);
    expect(rendered.top.map((f) => f.key.slice(BASE.length))).toEqual([
      'aarch64/repodata/repomd.xml',
      'aarch64/repodata/repomd.xml.asc',
      'ppc64le/repodata/repomd.xml',
      'ppc64le/repodata/repomd.xml.asc',
      'x86_64/repodata/repomd.xml',
      'x86_64/repodata/repomd.xml.asc',
      'SRPMS/repodata/repomd.xml',
      'SRPMS/repodata/repomd.xml.asc',
    ]);
    for (let i = 0; i < rendered.top.length; i += 2) {
      expect(text(rendered.top[i + 1].body)).toBe(`FAKE DETACHED SIGNATURE over sha256 ${sha256(rendered.top[i].body)}\n`);
    }
    expect(rendered.byHashPrefixes.sort()).toEqual(['SRPMS', 'aarch64', 'ppc64le', 'x86_64'].map((d) => `${BASE}${d}/repodata/`));
  });

  it('is deterministic: shuffled members give the same bytes; only repomd changes with the time', async () => {
    const again = await rpmFormat.render({ repo: REPO, scope: 'el/9', distribution: DIST, members: [...MEMBERS].reverse(), now: new Date(NOW.getTime() + 3600_000) }, fakeSigner);
    expect(again.content.map((f) => [f.key, sha256(f.body)])).toEqual(rendered.content.map((f) => [f.key, sha256(f.body)]));
    expect(text(again.top[0].body)).not.toBe(text(rendered.top[0].body));
  });

  it('renders an empty distribution that dnf can read', async () => {
    const empty = await rpmFormat.render({ repo: REPO, scope: 'fedora/40', distribution: { distro: 'fedora', release: '40' }, members: [], now: NOW }, fakeSigner);
    const keys = empty.top.map((f) => f.key);
    expect(keys).toContain('acme/tools/fedora/40/x86_64/repodata/repomd.xml');
    expect(keys).toContain('acme/tools/fedora/40/aarch64/repodata/repomd.xml');
    const primary = empty.content.find((f) => f.key.startsWith('acme/tools/fedora/40/x86_64/') && f.key.endsWith('-primary.xml.gz'))!;
    expect(open(primary.body).toString('utf8')).toMatch(/<metadata [^>]*packages="0">\n<\/metadata>\n$/);
  });

  it('signs repomd.xml with a detached signature gpgv accepts, and refuses a changed repomd.xml', async () => {
    const key = await generateSigningKey({ type: 'ed25519', name: 'Packyard test', email: 'test@packyard.invalid' });
    const signed = await rpmFormat.render({ repo: REPO, scope: 'el/9', distribution: DIST, members: MEMBERS.slice(0, 2), now: NOW }, await createSigner(key.privateKeyArmored));
    const dir = await fsp.mkdtemp(join(tmpdir(), 'packyard-rpm-sign-'));
    try {
      const [repomd, asc] = signed.top.filter((f) => f.key.startsWith(`${BASE}x86_64/`));
      expect(text(asc.body)).toMatch(/^-----BEGIN PGP SIGNATURE-----/);
      await fsp.writeFile(join(dir, 'key.gpg'), key.publicKeyBinary);
      await fsp.writeFile(join(dir, 'repomd.xml.asc'), asc.body);
      await fsp.writeFile(join(dir, 'repomd.xml'), repomd.body);
      const ok = await run('gpgv', ['--keyring', join(dir, 'key.gpg'), join(dir, 'repomd.xml.asc'), join(dir, 'repomd.xml')]);
      expect(ok.code).toBe(0);
      await fsp.writeFile(join(dir, 'repomd.xml'), text(repomd.body).replace(/<revision>\d+/, '<revision>1'));
      const bad = await run('gpgv', ['--keyring', join(dir, 'key.gpg'), join(dir, 'repomd.xml.asc'), join(dir, 'repomd.xml')]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/BAD signature/);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('fragments', () => {
  it('round-trip, compressed above 16 KiB', () => {
    const small = { primary: '<package/>\n', filelists: '', other: '' };
    expect(encodeFragment(small, 'x')).toBe(JSON.stringify(small));
    const files = Array.from({ length: 2000 }, (_, i) => `  <file>/usr/share/big/file-${i}.txt</file>\n`).join('');
    const big = { primary: '<package/>\n', filelists: files, other: '' };
    const encoded = encodeFragment(big, 'x');
    expect(encoded.startsWith('gz:')).toBe(true);
    expect(encoded.length).toBeLessThan(files.length / 4);
    expect(decodeFragment(encoded)).toEqual(big);
  });

  it('refuses a package whose entries would not fit one metadata record', () => {
    // Random names do not compress: about 200k files worth of entries.
    const files = Array.from({ length: 12000 }, () => `  <file>/opt/${createHash('sha256').update(String(Math.random())).digest('hex')}</file>\n`).join('');
    let error: unknown;
    try {
      encodeFragment({ primary: '', filelists: files, other: '' }, 'huge-1-1.x86_64');
    } catch (e) {
      error = e;
    }
    expect(isPackyardError(error) && { status: error.status, code: error.code }).toEqual({ status: 413, code: 'RPM_METADATA_TOO_LARGE' });
    expect(String((error as Error).message)).toContain(`at most ${MAX_FRAGMENT_CHARS}`);
  });
});
