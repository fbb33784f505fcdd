import type { IndexMember, PublishedFile, RenderedIndex, RenderInput } from '../format';
import { requireBaseUrl } from '../format';
import type { NuspecMetadata } from './nupkg';
import { nupkgKey, registrationDir, versionsKey } from './paths';
import { compareNugetVersions } from './version';

/** What the rebuild keeps of a package: its nuspec metadata and normalised version. */
export interface NugetFragment {
  metadata: NuspecMetadata;
  /** Normalised, in the author's case. */
  version: string;
}

export const readNugetFragment = (fragment: string): NugetFragment => JSON.parse(fragment) as NugetFragment;
const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
/** Unlisted packages show this publish date, as nuget.org does. */
const UNLISTED = '1900-01-01T00:00:00+00:00';

/** One version's catalog entry, as registration pages inline it. */
export function catalogEntry(base: string, repo: string, m: IndexMember): Record<string, unknown> {
  const f = readNugetFragment(m.fragment);
  const lowerId = m.name;
  const leaf = `${base}/${registrationDir(repo, lowerId)}${m.version}.json`;
  const md = f.metadata;
  return {
    '@id': leaf,
    '@type': 'PackageDetails',
    id: md.id,
    version: f.version,
    authors: md.authors,
    description: md.description,
    ...(md.title ? { title: md.title } : {}),
    ...(md.summary ? { summary: md.summary } : {}),
    ...(md.tags ? { tags: md.tags.split(/[\s,]+/).filter(Boolean) } : {}),
    ...(md.projectUrl ? { projectUrl: md.projectUrl } : {}),
    ...(md.licenseUrl ? { licenseUrl: md.licenseUrl } : {}),
    ...(md.license ? { licenseExpression: md.license } : {}),
    ...(md.iconUrl ? { iconUrl: md.iconUrl } : {}),
    ...(md.requireLicenseAcceptance ? { requireLicenseAcceptance: true } : {}),
    listed: !m.yanked,
    published: m.yanked ? UNLISTED : m.uploadedAt,
    packageContent: `${base}/${nupkgKey(repo, lowerId, m.version)}`,
    dependencyGroups: md.dependencyGroups.map((g) => ({
      ...(g.targetFramework ? { targetFramework: g.targetFramework } : {}),
      // A dependency without a version has no range: NuGet reads a missing range as "any", an empty one as an error.
      dependencies: g.dependencies.map((d) => ({ id: d.id, ...(d.range ? { range: d.range } : {}) })),
    })),
  };
}

/**
 * One package id's documents: the flat container's version list (unlisted versions stay restorable) and the
 * registration index with one inlined page, plus a leaf per version.
 */
export async function renderNuget(input: RenderInput): Promise<RenderedIndex> {
  const base = requireBaseUrl(input);
  const lowerId = input.scope;
  const members = [...input.members].sort((a, b) => compareNugetVersions(a.version, b.version));
  const regDir = registrationDir(input.repo, lowerId);
  const regIndex = `${base}/${regDir}index.json`;
  const leaves = members.map((m) => {
    const entry = catalogEntry(base, input.repo, m);
    return { '@id': entry['@id'] as string, '@type': 'Package', commitTimeStamp: m.uploadedAt, catalogEntry: entry, packageContent: entry.packageContent, registration: regIndex };
  });
  const top: PublishedFile[] = [
    { key: versionsKey(input.repo, lowerId), body: json({ versions: members.map((m) => m.version) }), contentType: 'application/json' },
    ...leaves.map((l, i) => ({
      key: `${regDir}${members[i].version}.json`,
      body: json({ '@id': l['@id'], '@type': ['Package', 'http://schema.nuget.org/catalog#Permalink'], listed: !members[i].yanked, packageContent: l.packageContent, published: (l.catalogEntry as { published: string }).published, registration: regIndex }),
      contentType: 'application/json',
    })),
    {
      key: `${regDir}index.json`,
      body: json({
        '@id': regIndex,
        '@type': ['catalog:CatalogRoot', 'PackageRegistration', 'catalog:Permalink'],
        count: members.length ? 1 : 0,
        items: members.length
          ? [{ '@id': `${regIndex}#page/${members[0].version}/${members[members.length - 1].version}`, '@type': 'catalog:CatalogPage', count: leaves.length, lower: members[0].version, upper: members[members.length - 1].version, parent: regIndex, items: leaves }]
          : [],
      }),
      contentType: 'application/json',
    },
  ];
  return { content: [], top, byHashPrefixes: [] };
}
