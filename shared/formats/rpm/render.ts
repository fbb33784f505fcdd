import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { type IndexMember, type PublishedFile, type RenderedIndex, type RenderInput, requireDistribution, type Signer } from '../format';
import { compareEvr, type Evr, splitEvr } from './evr';
import { decodeFragment, type RpmFragment } from './fragment';
import { NOARCH, rpmBase, SOURCE_DIR } from './paths';

/** Always published, so `$basearch` of the common hosts resolves even before their first package. */
export const DEFAULT_ARCHES = ['x86_64', 'aarch64'] as const;

const NS_COMMON = 'http://linux.duke.edu/metadata/common';
const NS_FILELISTS = 'http://linux.duke.edu/metadata/filelists';
const NS_OTHER = 'http://linux.duke.edu/metadata/other';
const NS_REPO = 'http://linux.duke.edu/metadata/repo';
const NS_RPM = 'http://linux.duke.edu/metadata/rpm';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

const GZIP = 'application/gzip';
const XML = 'application/xml';
const PGP_SIGNATURE = 'application/pgp-signature';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
/** Gzip without a name or mtime (Node writes neither), so equal XML gives equal bytes and file names. */
const gzip = (data: Uint8Array): Uint8Array => gzipSync(data, { level: 9 });

interface Member {
  name: string;
  arch: string;
  evr: Evr;
  fragment: RpmFragment;
}

/** The three repodata files, keyed by their repomd `type`. */
const METADATA = [
  ['primary', (n: number) => `<metadata xmlns="${NS_COMMON}" xmlns:rpm="${NS_RPM}" packages="${n}">\n`, '</metadata>\n'],
  ['filelists', (n: number) => `<filelists xmlns="${NS_FILELISTS}" packages="${n}">\n`, '</filelists>\n'],
  ['other', (n: number) => `<otherdata xmlns="${NS_OTHER}" packages="${n}">\n`, '</otherdata>\n'],
] as const;

/** `1:2.0-3` back into its parts (the record's version is written by evrString). */
function memberEvr(m: IndexMember): Evr {
  return splitEvr(m.version) ?? { epoch: '0', ver: m.version };
}

/** By name, then rpm version order, then arch: stable across rebuilds. */
function compareMembers(a: Member, b: Member): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return compareEvr(a.evr, b.evr) || (a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : 0);
}

/** The index directories of a scope: every member arch plus the defaults, and SRPMS. */
export function indexDirectories(members: readonly IndexMember[]): string[] {
  const arches = new Set<string>(DEFAULT_ARCHES);
  for (const m of members) if (m.arch !== NOARCH && m.arch !== 'src' && m.arch !== 'nosrc') arches.add(m.arch);
  return [...[...arches].sort(), SOURCE_DIR];
}

/** Which members a directory's index lists: its own arch and noarch; SRPMS lists the source packages. */
const listedIn = (dir: string, arch: string) => (dir === SOURCE_DIR ? arch === 'src' || arch === 'nosrc' : arch === dir || arch === NOARCH);

/**
 * Renders `{distro}/{release}/{dir}/repodata/` for every index directory: hash-named primary, filelists
 * and other (gzip), then repomd.xml and its detached signature, written last.
 */
export async function renderRpmIndex(input: RenderInput, signer: Signer): Promise<RenderedIndex> {
  const base = rpmBase(input.repo, requireDistribution(input));
  const members: Member[] = input.members
    .map((m) => ({ name: m.name, arch: m.arch, evr: memberEvr(m), fragment: decodeFragment(m.fragment) }))
    .sort(compareMembers);
  const revision = Math.floor(input.now.getTime() / 1000);

  const content: PublishedFile[] = [];
  const top: PublishedFile[] = [];
  const byHashPrefixes: string[] = [];
  for (const dir of indexDirectories(input.members)) {
    const repodata = `${base}/${dir}/repodata/`;
    const listed = members.filter((m) => listedIn(dir, m.arch));
    const records: string[] = [];
    for (const [type, open, close] of METADATA) {
      const xml = Buffer.from(XML_DECL + open(listed.length) + listed.map((m) => m.fragment[type]).join('') + close, 'utf8');
      const gz = gzip(xml);
      const checksum = sha256(gz);
      const href = `repodata/${checksum}-${type}.xml.gz`;
      content.push({ key: `${base}/${dir}/${href}`, body: gz, contentType: GZIP });
      records.push(dataRecord(type, { checksum, openChecksum: sha256(xml), href, timestamp: revision, size: gz.length, openSize: xml.length }));
    }
    const repomd = Buffer.from(`${XML_DECL}<repomd xmlns="${NS_REPO}" xmlns:rpm="${NS_RPM}">\n  <revision>${revision}</revision>\n${records.join('')}</repomd>\n`, 'utf8');
    const signature = await signer.detachSign(repomd);
    top.push({ key: `${repodata}repomd.xml`, body: repomd, contentType: XML });
    top.push({ key: `${repodata}repomd.xml.asc`, body: Buffer.from(signature, 'utf8'), contentType: PGP_SIGNATURE });
    // Superseded hash-named files are pruned after the grace period; repomd.xml and its signature share
    // the prefix but are rewritten by every rebuild, so they are never older than the cutoff.
    byHashPrefixes.push(repodata);
  }
  return { content, top, byHashPrefixes };
}

interface DataRecord {
  checksum: string;
  openChecksum: string;
  href: string;
  timestamp: number;
  size: number;
  openSize: number;
}

function dataRecord(type: string, r: DataRecord): string {
  return [
    `  <data type="${type}">`,
    `    <checksum type="sha256">${r.checksum}</checksum>`,
    `    <open-checksum type="sha256">${r.openChecksum}</open-checksum>`,
    `    <location href="${r.href}"/>`,
    `    <timestamp>${r.timestamp}</timestamp>`,
    `    <size>${r.size}</size>`,
    `    <open-size>${r.openSize}</open-size>`,
    '  </data>',
  ].join('\n') + '\n';
}
