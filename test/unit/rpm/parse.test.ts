import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPackyardError } from '../../../shared/domain/errors';
import { rpmFormat } from '../../../shared/formats/rpm';
import type { RpmPackageInfo } from '../../../shared/formats/rpm/model';
import { run, runOk } from '../../support/exec';
import { buildRpm } from '../../support/rpms';
import { patchBytes, patchEntry, patchString, refreshDigests, spans } from './craft';

let dir: string;
const built: Record<string, Buffer> = {};

beforeAll(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'packyard-rpm-parse-'));
  const specs = {
    epoch: buildRpm(dir, {
      name: 'hello',
      version: '1.4.0~rc1',
      release: '3.el9',
      epoch: 2,
      arch: 'x86_64',
      url: 'https://example.invalid/hello',
      vendor: 'Acme',
      packager: 'Ann <ann@example.invalid>',
      group: 'Applications/Misc',
      deps: [
        'Requires: bar >= 1:2.0-1',
        'Requires(pre): /bin/sh',
        'Requires: /usr/bin/hello',
        'Provides: greeter = 1.4',
        'Conflicts: old-hello < 1',
        'Obsoletes: hello-legacy <= 0.9',
        'Recommends: hello-doc',
        'Suggests: hello-extras',
        'Supplements: hello-shell',
        'Enhances: bash',
      ],
      files: { '/usr/bin/hello': '#!/bin/sh\necho hello\n', '/etc/hello.conf': 'greeting=hi\n', '/usr/share/hello/a b.txt': 'spaced\n' },
      dirs: ['/usr/share/hello'],
      ghosts: ['/var/log/hello.log'],
      changelog: [
        { date: 'Tue Jan 02 2024', author: 'Ann <ann@example.invalid> - 1.4.0~rc1-3', text: 'Say hello & <goodbye>' },
        { date: 'Mon Jan 01 2024', author: 'Bob <bob@example.invalid> - 1.3-1', text: 'First' },
      ],
    }),
    noarch: buildRpm(dir, { name: 'hello-doc', version: '1.0', arch: 'noarch', files: { '/usr/share/hello-doc/guide.txt': 'read me\n' } }),
    rich: buildRpm(dir, { name: 'rich', version: '0.1', arch: 'noarch', deps: ['Requires: (hello or hello-doc)', 'Recommends: (hello-extras if hello)'] }),
    srpm: buildRpm(dir, { name: 'hello', version: '1.4.0', source: true }),
    arm: buildRpm(dir, { name: 'hello-arm', version: '1.0', arch: 'aarch64' }),
  };
  for (const [k, p] of Object.entries(specs)) built[k] = await fsp.readFile(await p);
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const info = (control: string | undefined): RpmPackageInfo => JSON.parse(control!) as RpmPackageInfo;

/** What the real rpm says about a file: the oracle for the parser. */
async function rpmQuery(bytes: Uint8Array, format: string): Promise<string> {
  const file = join(dir, `query-${Date.now()}-${Math.random()}.rpm`);
  await fsp.writeFile(file, bytes);
  const r = await runOk('rpm', ['-qp', '--nosignature', '--qf', format, file]);
  return r.stdout;
}

async function rejection(bytes: Uint8Array, code: string, message: RegExp, status = 400): Promise<void> {
  let error: unknown;
  try {
    await rpmFormat.parse(bytes, {});
  } catch (e) {
    error = e;
  }
  if (!isPackyardError(error)) throw new Error(`expected ${code}, got ${error instanceof Error ? error.stack : 'no error'}`);
  expect({ status: error.status, code: error.code, message: error.message }).toEqual({ status, code, message: expect.stringMatching(message) });
}

/** The real rpm agrees that a forged file's digests are intact, so only the forged field can be the fault. */
async function expectDigestsOk(bytes: Uint8Array): Promise<void> {
  const file = join(dir, `forged-${Date.now()}-${Math.random()}.rpm`);
  await fsp.writeFile(file, bytes);
  const r = await run('rpmkeys', ['-K', '--nosignature', file]);
  expect(r.stdout).toMatch(/digests OK/);
}

describe('parsing real packages built by rpmbuild', () => {
  it('reads a binary package with an epoch, every dependency kind, files and a changelog', async () => {
    const bytes = built.epoch;
    expect(rpmFormat.detect(bytes.subarray(0, 16))).toBe(true);
    const pkg = await rpmFormat.parse(bytes, {});
    expect(pkg).toMatchObject({ name: 'hello', version: '2:1.4.0~rc1-3.el9', arch: 'x86_64' });
    expect(pkg.metadata).toMatchObject({
      name: 'hello',
      epoch: '2',
      version: '1.4.0~rc1',
      release: '3.el9',
      arch: 'x86_64',
      url: 'https://example.invalid/hello',
      vendor: 'Acme',
      packager: 'Ann <ann@example.invalid>',
      group: 'Applications/Misc',
      sourcerpm: 'hello-1.4.0~rc1-3.el9.src.rpm',
      payloadCompressor: 'gzip',
    });
    const p = info(pkg.control);
    const oracle = (await rpmQuery(bytes, '%{BUILDTIME}|%{SIZE}|%{BUILDHOST}|%{LICENSE}|%{SUMMARY}')).split('|');
    expect([String(p.buildTime), String(p.installedSize), p.buildhost, p.license, p.summary]).toEqual(oracle);
    const { main } = spans(bytes);
    expect([p.headerStart, p.headerEnd]).toEqual([main.start, main.end]);

    expect(p.deps.provides).toEqual([
      { name: 'greeter', flags: 'EQ', epoch: '0', ver: '1.4' },
      { name: 'hello', flags: 'EQ', epoch: '2', ver: '1.4.0~rc1', rel: '3.el9' },
      { name: 'hello(x86-64)', flags: 'EQ', epoch: '2', ver: '1.4.0~rc1', rel: '3.el9' },
    ]);
    // rpmlib() requires and the package's own primary file /usr/bin/hello are left out, as createrepo_c does.
    expect(p.deps.requires).toEqual([
      { name: '/bin/sh', pre: true },
      { name: 'bar', flags: 'GE', epoch: '1', ver: '2.0', rel: '1' },
    ]);
    expect(p.deps.conflicts).toEqual([{ name: 'old-hello', flags: 'LT', epoch: '0', ver: '1' }]);
    expect(p.deps.obsoletes).toEqual([{ name: 'hello-legacy', flags: 'LE', epoch: '0', ver: '0.9' }]);
    expect([p.deps.recommends, p.deps.suggests, p.deps.supplements, p.deps.enhances]).toEqual([
      [{ name: 'hello-doc' }],
      [{ name: 'hello-extras' }],
      [{ name: 'hello-shell' }],
      [{ name: 'bash' }],
    ]);
    expect(p.files).toEqual([
      { path: '/etc/hello.conf' },
      { path: '/usr/bin/hello' },
      { path: '/usr/share/hello', type: 'dir' },
      { path: '/usr/share/hello/a b.txt' },
      { path: '/var/log/hello.log', type: 'ghost' },
    ]);
    expect(p.changelogs).toEqual([
      { author: 'Bob <bob@example.invalid> - 1.3-1', date: Date.UTC(2024, 0, 1, 12) / 1000, text: '- First' },
      { author: 'Ann <ann@example.invalid> - 1.4.0~rc1-3', date: Date.UTC(2024, 0, 2, 12) / 1000, text: '- Say hello & <goodbye>' },
    ]);
    expect(rpmFormat.filename(pkg)).toBe('hello-1.4.0~rc1-3.el9.x86_64.rpm');
    expect(rpmFormat.blobKey('acme/tools', { distro: 'el', release: '9' }, pkg)).toBe('acme/tools/el/9/x86_64/Packages/h/hello-1.4.0~rc1-3.el9.x86_64.rpm');
    expect(rpmFormat.scope({ distro: 'el', release: '9' })).toBe('el/9');
  });

  it('reads a noarch package and files it under noarch/', async () => {
    const pkg = await rpmFormat.parse(built.noarch, {});
    expect(pkg).toMatchObject({ name: 'hello-doc', version: '1.0-1', arch: 'noarch' });
    expect(rpmFormat.blobKey('acme/tools', { distro: 'fedora', release: '40' }, pkg)).toBe('acme/tools/fedora/40/noarch/Packages/h/hello-doc-1.0-1.noarch.rpm');
    const fragment = JSON.parse(rpmFormat.fragment('acme/tools', { distro: 'fedora', release: '40' }, pkg, { blobKey: '', size: 1, hashes: { md5: '', sha1: '', sha256: 'ab'.repeat(32), sha512: '' } }));
    expect(fragment.primary).toContain('<location href="../noarch/Packages/h/hello-doc-1.0-1.noarch.rpm"/>');
  });

  it('keeps rich dependencies as one entry', async () => {
    const p = info((await rpmFormat.parse(built.rich, {})).control);
    expect(p.deps.requires).toEqual([{ name: '(hello or hello-doc)' }]);
    expect(p.deps.recommends).toEqual([{ name: '(hello-extras if hello)' }]);
  });

  it('reads a source package as arch src with bare file names and files it under SRPMS/', async () => {
    const pkg = await rpmFormat.parse(built.srpm, {});
    expect(pkg).toMatchObject({ name: 'hello', version: '1.4.0-1', arch: 'src' });
    const p = info(pkg.control);
    expect(p.arch).toBe('src');
    expect(p.sourcerpm).toBe('');
    expect(p.files.map((f) => f.path).sort()).toEqual(['file-0', 'hello.spec']);
    expect(rpmFormat.filename(pkg)).toBe('hello-1.4.0-1.src.rpm');
    expect(rpmFormat.blobKey('acme/tools', { distro: 'el', release: '9' }, pkg)).toBe('acme/tools/el/9/SRPMS/Packages/h/hello-1.4.0-1.src.rpm');
  });

  it.each([
    ['w2.xzdio', 'xz'],
    ['w19.zstdio', 'zstd'],
    ['w9.bzdio', 'bzip2'],
    ['w.ufdio', 'none'],
  ])('accepts a %s payload', async (payload, compressor) => {
    const path = await buildRpm(dir, { name: `pl-${compressor}`, version: '1', arch: 'noarch', payload });
    const pkg = await rpmFormat.parse(await fsp.readFile(path), {});
    expect(pkg.metadata.payloadCompressor).toBe(compressor);
  });

  it('is detected only by the lead magic', () => {
    expect(rpmFormat.detect(Uint8Array.of(0xed, 0xab, 0xee, 0xdb, 3, 0))).toBe(true);
    expect(rpmFormat.detect(Buffer.from('!<arch>\ndebian-binary   '))).toBe(false);
    expect(rpmFormat.detect(Uint8Array.of(0xed, 0xab))).toBe(false);
  });

  it('serves the Packagecloud rpm distributions and no others', () => {
    for (const d of ['el/9', 'el/8', 'fedora/40', 'ol/9', 'sles/15', 'opensuse/15.5', 'rpm_any/rpm_any', 'amzn/2023', 'rocky/9', 'almalinux/9']) {
      const [distro, release] = d.split('/');
      expect(rpmFormat.servesDistribution({ distro, release })).toBe(true);
    }
    expect(rpmFormat.servesDistribution({ distro: 'debian', release: 'bookworm' })).toBe(false);
    expect(rpmFormat.servesDistribution({ distro: 'alpine', release: 'v3.20' })).toBe(false);
  });
});

describe('refusing bad packages', () => {
  it('refuses a file without the lead magic', async () => {
    await rejection(Buffer.from('!<arch>\ndebian-binary   '), 'RPM_NOT_RPM', /lead magic/);
  });

  it.each([
    ['inside the lead', 50, /lead/],
    ['inside the signature header', 200, /signature header/],
    ['inside the main header', () => spans(built.noarch).main.start + 40, /main header/],
    ['inside the payload', () => built.noarch.length - 10, /truncated/],
  ] as const)('refuses a package truncated %s', async (_where, at, message) => {
    await rejection(built.noarch.subarray(0, typeof at === 'number' ? at : at()), 'RPM_TRUNCATED', message);
  });

  it('refuses a lead of an unknown version or signature type', async () => {
    const v9 = Buffer.from(built.noarch);
    v9[4] = 9;
    await rejection(v9, 'RPM_BAD_LEAD', /version 9/);
    const sigType = Buffer.from(built.noarch);
    sigType.writeUInt16BE(1, 78);
    await rejection(sigType, 'RPM_BAD_LEAD', /signature type 1/);
  });

  it('refuses a corrupt header magic, overlapping entries and a misaligned integer', async () => {
    const magic = Buffer.from(built.noarch);
    magic[spans(magic).main.start + 1] ^= 0xff;
    await rejection(magic, 'RPM_BAD_HEADER', /bad header magic/);
    // VERSION's data made to start inside NAME's.
    await rejection(patchEntry(built.noarch, 1001, { offset: 0 }), 'RPM_BAD_HEADER', /overlaps/);
    // NAME's string data declared as a 32-bit integer at an odd offset.
    await rejection(patchEntry(built.noarch, 1000, { type: 4 }), 'RPM_BAD_HEADER', /tag 1000 is not aligned to 4 bytes/);
  });

  it('refuses a flipped byte in the header or the payload by its digests', async () => {
    await rejection(patchString(built.noarch, 1004, 'hello-doc for the Packyard testz'), 'RPM_DIGEST_MISMATCH', /main header SHA256/);
    const payload = Buffer.from(built.noarch);
    payload[payload.length - 30] ^= 0x01;
    await rejection(payload, 'RPM_DIGEST_MISMATCH', /payload SHA256/);
  });

  it('refuses header size bombs quickly, before reading what they declare', async () => {
    const started = Date.now();
    const entries = Buffer.from(built.noarch);
    entries.writeUInt32BE(0x00ffffff, spans(entries).main.start + 8);
    await rejection(entries, 'RPM_HEADER_TOO_LARGE', /declares 16777215 entries/);
    const data = Buffer.from(built.noarch);
    data.writeUInt32BE(64 * 1024 + 1, 96 + 12);
    await rejection(data, 'RPM_HEADER_TOO_LARGE', /signature header declares \d+ entries and 65537 data bytes; rpm accepts at most 32 and 65536/);
    // Within rpm's limits but beyond the file: nothing is allocated for it.
    const beyond = Buffer.from(built.noarch);
    beyond.writeUInt32BE(0x0ffffff0, spans(beyond).main.start + 12);
    await rejection(beyond, 'RPM_TRUNCATED', /main header needs/);
    // A string array claiming two billion values.
    await rejection(patchEntry(built.noarch, 1117, { count: 0x7fffffff }), 'RPM_BAD_HEADER', /2147483647 strings/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a payload compressor or format rpm clients cannot read', async () => {
    const lzip = refreshDigests(patchString(built.noarch, 1125, 'lzip'));
    await expectDigestsOk(lzip);
    await rejection(lzip, 'RPM_UNSUPPORTED_PAYLOAD', /compressor "lzip"/);
    const drpm = refreshDigests(patchString(built.noarch, 1124, 'drpm'));
    await expectDigestsOk(drpm);
    await rejection(drpm, 'RPM_UNSUPPORTED_PAYLOAD', /format is "drpm"/);
    const mislabelled = refreshDigests(patchString(built.noarch, 1125, 'zstd'));
    await rejection(mislabelled, 'RPM_UNSUPPORTED_PAYLOAD', /declared zstd/);
  });

  it('refuses an invalid version, release or epoch', async () => {
    const dash = refreshDigests(patchString(built.noarch, 1001, '1-0'));
    await expectDigestsOk(dash);
    await rejection(dash, 'RPM_INVALID_EVR', /version "1-0" contains "-"/);
    await rejection(refreshDigests(patchString(built.noarch, 1002, '~')), 'RPM_INVALID_EVR', /release "~" has no letter or digit/);
    await rejection(refreshDigests(patchString(built.noarch, 1001, '1%0')), 'RPM_INVALID_EVR', /may only contain/);
    // An epoch beyond what rpm compares: written straight into the EPOCH value.
    const b = Buffer.from(built.epoch);
    const { main } = spans(b);
    const e = [...Array(main.count).keys()].map((i) => main.start + 16 + 16 * i).find((at) => b.readUInt32BE(at) === 1003)!;
    b.writeUInt32BE(0xfffffff0, main.dataStart + b.readUInt32BE(e + 8));
    await rejection(refreshDigests(b), 'RPM_INVALID_EVR', /epoch 4294967280 is out of range/);
  });

  it('refuses a package without a name, version, release or arch tag', async () => {
    for (const [tag, label] of [[1000, 'NAME'], [1001, 'VERSION'], [1002, 'RELEASE'], [1022, 'ARCH']] as const) {
      const forged = refreshDigests(patchEntry(built.noarch, tag, { tag: 1999 }));
      await rejection(forged, 'RPM_MISSING_TAG', new RegExp(`no ${label} tag`));
    }
  });

  it('refuses an invalid name or arch', async () => {
    await rejection(refreshDigests(patchString(built.noarch, 1000, 'hel/o-doc')), 'RPM_INVALID_NAME', /"hel\/o-doc" is not valid/);
    await rejection(refreshDigests(patchString(built.noarch, 1000, '-ello-doc')), 'RPM_INVALID_NAME', /not valid/);
    await rejection(refreshDigests(patchString(built.arm, 1022, 'aarc/64')), 'RPM_INVALID_ARCH', /"aarc\/64"/);
    // A binary package claiming the source arch would land in SRPMS/.
    await rejection(refreshDigests(patchString(built.arm, 1022, 'SRPMS\0\0')), 'RPM_INVALID_ARCH', /"SRPMS"/);
  });

  it('refuses file names that climb out of the install root', async () => {
    const climb = refreshDigests(patchBytes(built.epoch, '/usr/share/hello/\0', '/usr/share/../../\0'));
    await expectDigestsOk(climb);
    await rejection(climb, 'RPM_UNSAFE_PATH', /"\/usr\/share\/\.\.\/\.\.\/a b\.txt", which has a "\." or "\.\." component/);
    await rejection(refreshDigests(patchBytes(built.epoch, 'a b.txt\0', 'a/b.txt\0')), 'RPM_UNSAFE_PATH', /"\/" inside its base name/);
    await rejection(refreshDigests(patchBytes(built.epoch, 'hello.conf\0', 'hello\nconf\0')), 'RPM_UNSAFE_PATH', /control character/);
    await rejection(refreshDigests(patchBytes(built.srpm, 'hello.spec\0', '../../spec\0')), 'RPM_UNSAFE_PATH', /"\.\.\/\.\.\/spec", which has a "\/" inside its base name/);
  });

  it('refuses dependency arrays of different lengths', async () => {
    const forged = refreshDigests(patchEntry(built.epoch, 1050, { count: 1 }));
    await rejection(forged, 'RPM_INVALID_DEPENDENCY', /requires have \d+ names, \d+ flags and 1 versions/);
  });
});
