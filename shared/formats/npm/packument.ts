import { createHash } from 'node:crypto';
import type { IndexMember } from '../format';
import { readFragment, type NpmFragment } from './fragment';
import type { JsonObject } from './manifest';
import { tarballUrl } from './paths';
import { defaultLatest, sortVersions } from './version';

export interface PackumentInput {
  /** `owner/repo` */
  repo: string;
  name: string;
  /** Public base URL, no trailing slash. */
  baseUrl: string;
  /** Every recorded version, yanked ones included (they keep their `time` entry: the number stays used). */
  members: IndexMember[];
  /** Stored dist-tags (scope attributes). */
  tags: Record<string, string>;
  now: Date;
}

/**
 * The dist-tags clients see: stored tags that point at a version still published, and `latest` whenever a
 * version exists (the highest release when none was set or its version was unpublished).
 */
export function effectiveTags(tags: Record<string, string>, live: Iterable<string>): Record<string, string> {
  const versions = new Set(live);
  const out: Record<string, string> = {};
  for (const tag of Object.keys(tags).sort()) if (versions.has(tags[tag])) out[tag] = tags[tag];
  const latest = out.latest ?? defaultLatest(versions);
  return latest ? { latest, ...out } : out;
}

/**
 * `_rev`, which npm echoes in `/-rev/{rev}` URLs when it unpublishes: derived from the set of published
 * versions, so a write based on an outdated list of versions can be recognised and refused.
 */
export function packumentRev(live: Iterable<string>): string {
  const versions = sortVersions(live);
  const digest = createHash('sha256').update(versions.join('\n')).digest('hex').slice(0, 32);
  return `${versions.length + 1}-${digest}`;
}

/** Per-version fields of the abbreviated document (npm/registry docs, package-metadata.md). */
const ABBREVIATED_FIELDS = [
  'name',
  'version',
  'dependencies',
  'optionalDependencies',
  'devDependencies',
  'bundleDependencies',
  'bundledDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'acceptDependencies',
  'bin',
  'directories',
  'engines',
  'os',
  'cpu',
  'libc',
  'funding',
];

/** Top-level fields of the full document, taken from the `latest` version. */
const SUMMARY_FIELDS = ['description', 'license', 'homepage', 'keywords', 'repository', 'bugs', 'author', 'contributors'];

interface LiveVersion {
  member: IndexMember;
  fragment: NpmFragment;
}

function dist(input: PackumentInput, version: string, f: NpmFragment): JsonObject {
  return {
    integrity: f.integrity,
    shasum: f.shasum,
    tarball: tarballUrl(input.baseUrl, input.repo, input.name, version),
    fileCount: f.fileCount,
    unpackedSize: f.unpackedSize,
  };
}

/** One version of the full document: package.json, its id, the registry's dist and deprecation. */
export function fullVersion(input: PackumentInput, v: LiveVersion): JsonObject {
  const { version } = v.member;
  return {
    ...v.fragment.manifest,
    _id: `${input.name}@${version}`,
    ...(v.member.deprecated ? { deprecated: v.member.deprecated } : {}),
    ...(v.fragment.hasShrinkwrap ? { _hasShrinkwrap: true } : {}),
    ...(v.fragment.hasInstallScript ? { hasInstallScript: true } : {}),
    dist: dist(input, version, v.fragment),
  };
}

function abbreviatedVersion(input: PackumentInput, v: LiveVersion): JsonObject {
  const out: JsonObject = {};
  for (const field of ABBREVIATED_FIELDS) {
    const value = v.fragment.manifest[field];
    if (value !== undefined) out[field] = value;
  }
  if (v.member.deprecated) out.deprecated = v.member.deprecated;
  if (v.fragment.hasShrinkwrap) out._hasShrinkwrap = true;
  if (v.fragment.hasInstallScript) out.hasInstallScript = true;
  out.dist = dist(input, v.member.version, v.fragment);
  return out;
}

function liveVersions(input: PackumentInput): LiveVersion[] {
  const byVersion = new Map(input.members.filter((m) => !m.yanked).map((m) => [m.version, m]));
  return sortVersions(byVersion.keys()).map((version) => {
    const member = byVersion.get(version) as IndexMember;
    return { member, fragment: readFragment(member.fragment) };
  });
}

function times(input: PackumentInput, live: LiveVersion[]): JsonObject {
  const all = sortVersions(new Set(input.members.map((m) => m.version)));
  const uploaded = new Map(input.members.map((m) => [m.version, m.uploadedAt ?? input.now.toISOString()]));
  const created = [...uploaded.values()].sort()[0] ?? input.now.toISOString();
  const time: JsonObject = { created, modified: input.now.toISOString() };
  for (const v of all) time[v] = uploaded.get(v) as string;
  if (live.length === 0 && input.members.length > 0) {
    const yanked = input.members.filter((m) => m.yanked);
    time.unpublished = {
      time: yanked.map((m) => m.yanked?.at ?? '').sort().at(-1) ?? input.now.toISOString(),
      versions: sortVersions(yanked.map((m) => m.version)),
    };
  }
  return time;
}

/** The full packument (`GET /{name}`, and `?write=true`, which npm edits and PUTs back). */
export function fullPackument(input: PackumentInput): JsonObject {
  const live = liveVersions(input);
  const tags = effectiveTags(input.tags, live.map((v) => v.member.version));
  const latest = live.find((v) => v.member.version === tags.latest);
  const summary: JsonObject = {};
  for (const field of SUMMARY_FIELDS) {
    const value = latest?.fragment.manifest[field];
    if (value !== undefined) summary[field] = value;
  }
  const versions: JsonObject = {};
  for (const v of live) versions[v.member.version] = fullVersion(input, v);
  return {
    _id: input.name,
    _rev: packumentRev(live.map((v) => v.member.version)),
    name: input.name,
    ...summary,
    'dist-tags': tags,
    versions,
    time: times(input, live),
    ...(latest?.fragment.readme !== undefined ? { readme: latest.fragment.readme, readmeFilename: latest.fragment.readmeFilename ?? 'README.md' } : {}),
  };
}

/** The abbreviated packument npm install asks for (`Accept: application/vnd.npm.install-v1+json`). */
export function abbreviatedPackument(input: PackumentInput): JsonObject {
  const live = liveVersions(input);
  const versions: JsonObject = {};
  for (const v of live) versions[v.member.version] = abbreviatedVersion(input, v);
  return {
    name: input.name,
    modified: input.now.toISOString(),
    'dist-tags': effectiveTags(input.tags, live.map((v) => v.member.version)),
    versions,
  };
}

