import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { requireDistribution, type IndexMember, type PublishedFile, type RenderedIndex, type RenderInput, type Signer } from '../format';
import { type Field, serialiseParagraph } from './control';
import { COMPONENT, distsDir } from './paths';
import { compareVersions } from './version';

/** Always published, so a suite that is empty or holds only `all` packages still satisfies apt on common hosts. */
export const DEFAULT_ARCHITECTURES = ['amd64', 'arm64'] as const;

const TEXT = 'text/plain';
const GZIP = 'application/gzip';
const PGP_SIGNATURE = 'application/pgp-signature';

/** Release checksum sections, weakest first; apt fetches by-hash with the strongest one listed. */
const SECTIONS = [
  ['MD5Sum', 'md5'],
  ['SHA1', 'sha1'],
  ['SHA256', 'sha256'],
  ['SHA512', 'sha512'],
] as const;
/** Listing SHA512 makes apt ask for by-hash/SHA512, so both strong hashes get by-hash copies. */
const BY_HASH = [
  ['SHA256', 'sha256'],
  ['SHA512', 'sha512'],
] as const;

interface IndexFile {
  /** Relative to dists/{release}/. */
  path: string;
  body: Uint8Array;
  contentType: string;
}

/** Orders stanzas by name, then Debian version order, then architecture: stable across rebuilds. */
export function compareMembers(a: IndexMember, b: IndexMember): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  const v = compareVersions(a.version, b.version);
  if (v !== 0) return v;
  if (a.version !== b.version) return a.version < b.version ? -1 : 1; // 1.0 and 1.0-0 are equal to dpkg
  return a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : 0;
}

/** The architectures a suite publishes: those of its members (not `all`) plus the defaults, sorted. */
export function suiteArchitectures(members: readonly IndexMember[]): string[] {
  const set = new Set<string>(DEFAULT_ARCHITECTURES);
  for (const m of members) if (m.arch !== 'all') set.add(m.arch);
  return [...set].sort();
}

/** A Packages file: one stanza per member, a blank line between stanzas. */
export function packagesText(members: readonly IndexMember[]): string {
  return [...members]
    .sort(compareMembers)
    .map((m) => m.fragment.replace(/\n*$/, '\n'))
    .join('\n');
}

/** RFC 2822 date in UTC, the form the Debian archive uses: `Tue, 02 Jan 2024 15:04:05 UTC`. */
export function releaseDate(now: Date): string {
  // toUTCString is specified as "Www, DD Mmm YYYY HH:MM:SS GMT".
  return now.toUTCString().replace(/GMT$/, 'UTC');
}

/** Gzip without a name or mtime (Node writes neither), so equal input gives equal bytes. */
const gzip = (data: Uint8Array): Uint8Array => gzipSync(data, { level: 9 });

const digest = (alg: string, data: Uint8Array) => createHash(alg).update(data).digest('hex');

export async function renderDebIndex(input: RenderInput, signer: Signer): Promise<RenderedIndex> {
  const { repo, members, now } = input;
  const d = requireDistribution(input);
  const base = distsDir(repo, d);
  const architectures = suiteArchitectures(members);

  const files: IndexFile[] = [];
  for (const arch of architectures) {
    const dir = `${COMPONENT}/binary-${arch}`;
    const packages = Buffer.from(packagesText(members.filter((m) => m.arch === arch || m.arch === 'all')), 'utf8');
    files.push({ path: `${dir}/Packages`, body: packages, contentType: TEXT });
    files.push({ path: `${dir}/Packages.gz`, body: gzip(packages), contentType: GZIP });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const content: PublishedFile[] = [];
  const byHashPrefixes = new Set<string>();
  for (const f of files) {
    content.push({ key: base + f.path, body: f.body, contentType: f.contentType });
    const byHash = `${base}${f.path.slice(0, f.path.lastIndexOf('/'))}/by-hash/`;
    byHashPrefixes.add(byHash);
    for (const [type, alg] of BY_HASH) {
      content.push({ key: `${byHash}${type}/${digest(alg, f.body)}`, body: f.body, contentType: f.contentType });
    }
  }

  const release = releaseText(input, architectures, files);
  const releaseBytes = Buffer.from(release, 'utf8');
  const [detached, clearsigned] = await Promise.all([signer.detachSign(releaseBytes), signer.clearsign(release)]);
  return {
    content,
    top: [
      { key: `${base}Release`, body: releaseBytes, contentType: TEXT },
      { key: `${base}Release.gpg`, body: Buffer.from(detached, 'utf8'), contentType: PGP_SIGNATURE },
      { key: `${base}InRelease`, body: Buffer.from(clearsigned, 'utf8'), contentType: TEXT },
    ],
    byHashPrefixes: [...byHashPrefixes],
  };
}

function releaseText(input: RenderInput, architectures: string[], files: IndexFile[]): string {
  const { repo, now } = input;
  const d = requireDistribution(input);
  const width = Math.max(...files.map((f) => String(f.body.length).length));
  const fields: Field[] = [
    { name: 'Origin', value: repo },
    { name: 'Label', value: repo },
    { name: 'Suite', value: d.release },
    { name: 'Codename', value: d.release },
    { name: 'Date', value: releaseDate(now) },
    { name: 'Architectures', value: architectures.join(' ') },
    { name: 'Components', value: COMPONENT },
    { name: 'Description', value: `Packyard repository ${repo}, ${d.distro}/${d.release}` },
    { name: 'Acquire-By-Hash', value: 'yes' },
    ...SECTIONS.map(([name, alg]) => ({
      name,
      value: files.map((f) => `\n ${digest(alg, f.body)} ${String(f.body.length).padStart(width)} ${f.path}`).join(''),
    })),
  ];
  return serialiseParagraph(fields);
}
