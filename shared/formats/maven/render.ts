import { createHash } from 'node:crypto';
import type { IndexMember, PublishedFile, RenderedIndex, RenderInput } from '../format';
import { artifactDir, CHECKSUM_EXTENSIONS, isSnapshot, mavenTimestamp, METADATA_FILE, splitGa } from './coordinates';
import { readMavenFragment } from './fragment';

const XML_TYPE = 'application/xml';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const tag = (name: string, value: string) => `<${name}>${esc(value)}</${name}>`;

/** A metadata file and its four checksum sidecars, computed from the bytes served. */
function withSidecars(key: string, xml: string): PublishedFile[] {
  const body = Buffer.from(xml, 'utf8');
  return [
    ...CHECKSUM_EXTENSIONS.map((ext) => ({ key: `${key}.${ext}`, body: Buffer.from(createHash(ext).update(body).digest('hex')), contentType: 'text/plain' })),
    // The metadata last: a client that sees it finds its checksums.
    { key, body, contentType: XML_TYPE },
  ];
}

/** Versions in the order they were first deployed, as Maven itself appends them. */
function versionsInOrder(members: IndexMember[]): string[] {
  const first = new Map<string, string>();
  for (const m of members) {
    const at = m.uploadedAt ?? '';
    const seen = first.get(m.version);
    if (seen === undefined || at < seen) first.set(m.version, at);
  }
  return [...first.entries()].sort(([va, a], [vb, b]) => (a < b ? -1 : a > b ? 1 : va < vb ? -1 : va > vb ? 1 : 0)).map(([v]) => v);
}

const lastUpdated = (members: IndexMember[]) => mavenTimestamp(members.reduce((max, m) => ((m.uploadedAt ?? '') > max ? m.uploadedAt ?? '' : max), ''));

export function artifactMetadata(groupId: string, artifactId: string, members: IndexMember[]): string {
  const versions = versionsInOrder(members);
  const releases = versions.filter((v) => !isSnapshot(v));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<metadata modelVersion="1.1.0">',
    `  ${tag('groupId', groupId)}`,
    `  ${tag('artifactId', artifactId)}`,
    '  <versioning>',
    ...(versions.length ? [`    ${tag('latest', versions[versions.length - 1])}`] : []),
    ...(releases.length ? [`    ${tag('release', releases[releases.length - 1])}`] : []),
    '    <versions>',
    ...versions.map((v) => `      ${tag('version', v)}`),
    '    </versions>',
    `    ${tag('lastUpdated', lastUpdated(members))}`,
    '  </versioning>',
    '</metadata>',
    '',
  ].join('\n');
}

/** A SNAPSHOT version's metadata: its newest build, and the newest file of each classifier and extension. */
export function snapshotMetadata(groupId: string, artifactId: string, version: string, members: IndexMember[]): string | undefined {
  const builds = members.map((m) => ({ m, f: readMavenFragment(m.fragment) })).filter((b) => b.f.snapshot);
  if (builds.length === 0) return undefined;
  const newest = builds.reduce((a, b) => (b.f.snapshot!.buildNumber > a.f.snapshot!.buildNumber ? b : a));
  const byKind = new Map<string, (typeof builds)[number]>();
  for (const b of builds) {
    const kind = `${b.f.classifier ?? ''}|${b.f.extension}`;
    const cur = byKind.get(kind);
    if (!cur || b.f.snapshot!.buildNumber > cur.f.snapshot!.buildNumber) byKind.set(kind, b);
  }
  // Unclassified files first, then by classifier and extension: a stable order for identical rebuilds.
  const order = (b: (typeof builds)[number]) => [b.f.classifier ?? '', b.f.extension].join('\u0000');
  const entries = [...byKind.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0)).map((b) => [
    '      <snapshotVersion>',
    ...(b.f.classifier ? [`        ${tag('classifier', b.f.classifier)}`] : []),
    `        ${tag('extension', b.f.extension)}`,
    `        ${tag('value', b.f.fileVersion)}`,
    `        ${tag('updated', mavenTimestamp(b.m.uploadedAt ?? ''))}`,
    '      </snapshotVersion>',
  ]);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<metadata modelVersion="1.1.0">',
    `  ${tag('groupId', groupId)}`,
    `  ${tag('artifactId', artifactId)}`,
    `  ${tag('version', version)}`,
    '  <versioning>',
    '    <snapshot>',
    `      ${tag('timestamp', newest.f.snapshot!.timestamp)}`,
    `      ${tag('buildNumber', String(newest.f.snapshot!.buildNumber))}`,
    '    </snapshot>',
    `    ${tag('lastUpdated', lastUpdated(members))}`,
    '    <snapshotVersions>',
    ...entries.flat(),
    '    </snapshotVersions>',
    '  </versioning>',
    '</metadata>',
    '',
  ].join('\n');
}

/**
 * One artifact's metadata, rendered from the records (never from what clients uploaded, so concurrent deploys
 * cannot overwrite each other's versions): the artifact level and each SNAPSHOT version's level.
 */
export async function renderMaven(input: RenderInput): Promise<RenderedIndex> {
  const { groupId, artifactId } = splitGa(input.scope);
  const dir = artifactDir(input.repo, { groupId, artifactId });
  const top: PublishedFile[] = [];
  const snapshots = [...new Set(input.members.map((m) => m.version))].filter(isSnapshot).sort();
  for (const version of snapshots) {
    const xml = snapshotMetadata(groupId, artifactId, version, input.members.filter((m) => m.version === version));
    if (xml) top.push(...withSidecars(`${dir}${version}/${METADATA_FILE}`, xml));
  }
  top.push(...withSidecars(`${dir}${METADATA_FILE}`, artifactMetadata(groupId, artifactId, input.members)));
  return { content: [], top, byHashPrefixes: [] };
}
