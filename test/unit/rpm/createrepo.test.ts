import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileHashes } from '../../../shared/domain/hashes';
import type { IndexMember, RenderedIndex, Signer } from '../../../shared/formats/format';
import { rpmFormat } from '../../../shared/formats/rpm';
import { runOk } from '../../support/exec';
import { buildRpm, requireTool } from '../../support/rpms';
import { packagesByPkgid, type PackageView, repomdRecords } from './repodata';

/**
 * The cross-check the issue asks for: for the same RPMs, the NEVRA, checksums, dependency entries, files and
 * changelogs Packyard renders agree with what createrepo_c (the tool Fedora and RHEL publish with) writes.
 * Only the locations differ by design (Packyard's layout), and the file time (Packyard uses the build time).
 */
let dir: string;
let theirs: Map<string, PackageView>;
let ours: Map<string, PackageView>;
let rendered: RenderedIndex;

const DIST = { distro: 'el', release: '9' };
const signer: Signer = { clearsign: async (t) => t, detachSign: async () => 'signature\n' };

beforeAll(async () => {
  await requireTool('createrepo_c', 'createrepo-c');
  dir = await fsp.mkdtemp(join(tmpdir(), 'packyard-rpm-createrepo-'));
  const rpms = join(dir, 'rpms');
  await fsp.mkdir(rpms);
  const sameDay = 'Wed Jan 03 2024';
  await Promise.all([
    buildRpm(rpms, {
      name: 'tool',
      version: '2.1',
      release: '4.el9',
      epoch: 3,
      arch: 'x86_64',
      summary: 'A tool & its <friends>',
      description: 'Déjà vu: "quotes", tabs\tand\nnew lines.',
      url: 'https://example.invalid/tool',
      license: 'MIT AND (BSD-2-Clause OR Apache-2.0)',
      vendor: 'Acme',
      packager: 'Ann <ann@example.invalid>',
      // A real ELF file: rpmbuild adds libc.so.6(GLIBC_*) and rtld requires, which createrepo_c filters.
      files: {
        '/usr/bin/tool': await fsp.readFile('/bin/true'),
        '/usr/libexec/tool/run.sh': '#!/bin/bash\necho run\n',
        '/etc/tool/tool.conf': 'a=1\n',
        '/usr/share/tool/data.txt': 'data\n',
      },
      executables: ['/usr/bin/tool', '/usr/libexec/tool/run.sh'],
      dirs: ['/usr/share/tool', '/etc/tool'],
      ghosts: ['/var/lib/tool/state'],
      deps: [
        'Requires: /usr/bin/tool',
        'Requires: /usr/share/tool/data.txt',
        'Requires(pre): shadow-utils',
        'Requires(post): coreutils >= 8',
        'Requires(posttrans): systemd',
        'Requires(preun): /bin/sh',
        'Provides: tool-api = 2',
        'Requires: tool-api = 2',
        'Requires: libfoo.so.1()(64bit)',
        'Requires: bar >= 1:2.0-3, baz < 4, qux = 5.0-1.el9, quux > 0.1, corge <= 9',
        'Conflicts: tool-old < 2',
        'Obsoletes: tool-legacy <= 1.9-1',
        'Recommends: tool-doc = 3:2.1-4.el9',
        'Suggests: tool-extras',
        'Supplements: (tool-core and bash)',
        'Enhances: bash >= 5',
      ],
      changelog: [
        { date: sameDay, author: 'Ann <ann@example.invalid> - 3:2.1-4', text: 'Third on the same day' },
        { date: sameDay, author: 'Ann <ann@example.invalid> - 3:2.1-3', text: 'Second on the same day' },
        { date: sameDay, author: 'Bob <bob@example.invalid> - 3:2.1-2', text: 'First on the same day' },
        { date: 'Mon Jan 01 2024', author: 'Bob <bob@example.invalid> - 2.0-1', text: 'Older & <escaped>' },
      ],
    }),
    buildRpm(rpms, { name: 'tool-doc', version: '2.1', release: '4.el9', epoch: 3, arch: 'noarch', files: { '/usr/share/doc/tool/README': 'read me\n' } }),
    buildRpm(rpms, { name: 'tool-rich', version: '1.0', arch: 'noarch', deps: ['Requires: (tool or tool-doc)', 'Requires: (tool >= 2 with tool < 3)', 'Recommends: (tool-extras if tool)'] }),
    buildRpm(rpms, { name: 'tool-arm', version: '1.0', arch: 'aarch64', deps: ['Requires: tool-doc'] }),
    buildRpm(rpms, { name: 'tool', version: '2.1', release: '4.el9', epoch: 3, source: true }),
  ]);

  const files = (await fsp.readdir(rpms)).filter((f) => f.endsWith('.rpm')).sort();
  expect(files).toHaveLength(5);
  const members: IndexMember[] = [];
  for (const f of files) {
    const bytes = await fsp.readFile(join(rpms, f));
    const pkg = await rpmFormat.parse(bytes, {});
    const blobKey = rpmFormat.blobKey('acme/tools', DIST, pkg);
    members.push({ name: pkg.name, version: pkg.version, arch: pkg.arch, fragment: rpmFormat.fragment('acme/tools', DIST, pkg, { blobKey, size: bytes.length, hashes: fileHashes(bytes) }) });
  }
  rendered = await rpmFormat.render({ repo: 'acme/tools', scope: 'el/9', distribution: DIST, members, now: new Date('2024-01-05T00:00:00Z') }, signer);
  ours = new Map();
  for (const dirName of ['x86_64', 'aarch64', 'SRPMS']) for (const [id, view] of readOurs(dirName)) ours.set(id, view);

  await runOk('createrepo_c', ['--no-database', '--quiet', rpms]);
  const repomd = await fsp.readFile(join(rpms, 'repodata/repomd.xml'));
  const href = (type: string) => repomdRecords(repomd).records.find((r) => r.type === type)!.href;
  const read = (type: string) => fsp.readFile(join(rpms, href(type)));
  theirs = packagesByPkgid(await read('primary'), await read('filelists'), await read('other'));
}, 120_000);
afterAll(async () => {
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

function readOurs(dirName: string): Map<string, PackageView> {
  const base = `acme/tools/el/9/${dirName}/`;
  const body = (key: string) => [...rendered.content, ...rendered.top].find((f) => f.key === key)!.body;
  const repomd = repomdRecords(body(`${base}repodata/repomd.xml`));
  const get = (type: string) => body(base + repomd.records.find((r) => r.type === type)!.href);
  return packagesByPkgid(get('primary'), get('filelists'), get('other'));
}

/** A view without what differs by design: the location (layout) and nothing else. */
const comparable = ({ location: _l, ...rest }: PackageView) => rest;

describe('Packyard repodata against createrepo_c for the same packages', () => {
  it('lists the same packages (NEVRA and sha256 pkgid)', () => {
    const nevras = (m: Map<string, PackageView>) => [...m.values()].map((v) => `${v.nevra} ${v.checksum}`).sort();
    expect(nevras(ours)).toEqual(nevras(theirs));
    expect(nevras(ours).map((n) => n.split(' ')[0])).toEqual([
      'tool-3:2.1-4.el9.src',
      'tool-3:2.1-4.el9.x86_64',
      'tool-arm-0:1.0-1.aarch64',
      'tool-doc-3:2.1-4.el9.noarch',
      'tool-rich-0:1.0-1.noarch',
    ]);
  });

  it('agrees on every field but the location, package by package', () => {
    for (const [pkgid, mine] of ours) {
      expect({ pkgid, ...comparable(mine) }).toEqual({ pkgid, ...comparable(theirs.get(pkgid)!) });
    }
  });

  it('agrees on the dependency entries createrepo_c filters and rewrites', () => {
    const tool = [...ours.values()].find((v) => v.nevra === 'tool-3:2.1-4.el9.x86_64')!;
    const requires = (tool.format.requires as Record<string, string>[]).map((e) => e['@name']);
    // Sanity of the oracle itself: the interesting cases are really present.
    expect(requires).toContain('/usr/share/tool/data.txt'); // not a primary file: kept
    expect(requires).not.toContain('/usr/bin/tool'); // own primary file: dropped
    expect(requires).not.toContain('tool-api'); // provided by itself with the same version: dropped
    expect(requires.filter((r) => r.startsWith('libc.so.6'))).toHaveLength(1); // highest GLIBC only
    expect(requires[requires.length - 1]).toMatch(/^libc\.so\.6\(GLIBC_2\.\d+\)\(64bit\)$/);
    expect(requires.some((r) => r.startsWith('rpmlib('))).toBe(false);
    expect((tool.format.requires as Record<string, string>[]).filter((e) => e['@pre'] === '1').map((e) => e['@name']).sort()).toEqual(['coreutils', 'shadow-utils']);
    expect(tool.changelogs).toHaveLength(4);
  });

  it('lists noarch packages in every architecture index and sources only in SRPMS', () => {
    const names = (d: string) => [...readOurs(d).values()].map((v) => v.nevra).sort();
    expect(names('x86_64')).toEqual(['tool-3:2.1-4.el9.x86_64', 'tool-doc-3:2.1-4.el9.noarch', 'tool-rich-0:1.0-1.noarch']);
    expect(names('aarch64')).toEqual(['tool-arm-0:1.0-1.aarch64', 'tool-doc-3:2.1-4.el9.noarch', 'tool-rich-0:1.0-1.noarch']);
    expect(names('SRPMS')).toEqual(['tool-3:2.1-4.el9.src']);
    const doc = [...readOurs('aarch64').values()].find((v) => v.nevra.startsWith('tool-doc'))!;
    expect(doc.location).toBe('../noarch/Packages/t/tool-doc-2.1-4.el9.noarch.rpm');
  });
});
