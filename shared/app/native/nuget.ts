import { Codes, conflict, isPackyardError, notFound } from '../../domain/errors';
import { packageId, type PackageRecord } from '../../domain/package';
import { NUGET_SEGMENT, nugetFormat } from '../../formats/nuget';
import { NugetCodes } from '../../formats/nuget/codes';
import { registrationDir, serviceIndex } from '../../formats/nuget/paths';
import type { NuspecMetadata } from '../../formats/nuget/nupkg';
import { catalogEntry, readNugetFragment } from '../../formats/nuget/render';
import { checkNugetId, compareNugetVersions, parseNugetVersion } from '../../formats/nuget/version';
import { actorOf, audit } from '../audit';
import type { AppDeps } from '../deps';
import { ingestPackage, rebuildRequests } from '../ingest';
import { nativePrincipal, nativeReader, type NativeCaller } from '../native';

/** The service index: dynamic only so that a private feed can answer anonymous clients with 401. */
export async function nugetServiceIndex(deps: AppDeps, caller: NativeCaller, repo: string, feedBase: string): Promise<Record<string, unknown>> {
  await nativeReader(deps, caller, repo);
  return serviceIndex(feedBase);
}

/** `dotnet nuget push` / `nuget push`: the .nupkg is ingested like any upload. */
export async function pushNupkg(deps: AppDeps, caller: NativeCaller, repo: string, bytes: Uint8Array, filename?: string): Promise<PackageRecord> {
  const principal = await nativePrincipal(deps, caller, repo, 'push');
  try {
    return await ingestPackage(deps, { repo, distribution: NUGET_SEGMENT, bytes, filename, actor: principal.user, sourceIp: caller.sourceIp });
  } catch (e) {
    if (isPackyardError(e) && e.expose && e.code !== Codes.REPO_NOT_FOUND) {
      await audit(deps, actorOf(principal), repo, 'package.rejected', filename ?? 'nupkg', { code: e.code });
    }
    if (isPackyardError(e) && e.code === Codes.PACKAGE_EXISTS) throw conflict(NugetCodes.PACKAGE_EXISTS, `${e.message}; a package version cannot be pushed twice`);
    throw e;
  }
}

/** Unlist (`nuget delete`) or relist: the package stays downloadable by exact version either way. */
export async function setListed(deps: AppDeps, caller: NativeCaller, repo: string, id: string, version: string, listed: boolean): Promise<void> {
  const principal = await nativePrincipal(deps, caller, repo, 'yank');
  const lowerId = checkNugetId(id).toLowerCase();
  const lowerVersion = parseNugetVersion(version).normalized.toLowerCase();
  const pkgId = packageId(nugetFormat.id, lowerId, lowerId, lowerVersion, '');
  const pkg = await deps.meta.getPackage(repo, pkgId);
  if (!pkg) throw notFound(NugetCodes.NOT_FOUND, `${id} ${version} does not exist in ${repo}`);
  await deps.meta.updatePackage(repo, pkgId, { yanked: listed ? null : { at: deps.clock.now().toISOString() } });
  await deps.queue.enqueue(rebuildRequests(repo, nugetFormat, lowerId));
  await audit(deps, actorOf(principal), repo, listed ? 'package.unyanked' : 'package.yanked', pkgId, { name: pkg.name, version: pkg.version });
}

export interface SearchQuery {
  q: string;
  skip: number;
  take: number;
  prerelease: boolean;
  /** SearchQueryService/3.5.0's filter (`DotnetTool`, `Template`); packages without types are `Dependency`. */
  packageType?: string;
}

/** One search term: `packageid:X` matches the id exactly, `id:X` within the id, anything else id, title, description or tags. */
function matcher(term: string): (md: NuspecMetadata) => boolean {
  const [, field, value] = /^(packageid|id):(.*)$/i.exec(term) ?? [];
  if (field?.toLowerCase() === 'packageid') return (md) => md.id.toLowerCase() === value;
  if (field) return (md) => md.id.toLowerCase().includes(value);
  return (md) => [md.id, md.title, md.description, md.tags].some((f) => f?.toLowerCase().includes(term));
}

/** A simple search over the feed's listed packages: every term must match the newest listed version. */
export async function searchNuget(deps: AppDeps, caller: NativeCaller, repo: string, query: SearchQuery, publicBase: string): Promise<Record<string, unknown>> {
  await nativeReader(deps, caller, repo);
  const terms = query.q.toLowerCase().split(/\s+/).filter(Boolean).map(matcher);
  const type = query.packageType?.toLowerCase();
  const members = (await deps.meta.listFormat(repo, nugetFormat.id)).filter((m) => !m.yanked && (query.prerelease || !m.version.includes('-')));
  const byId = new Map<string, PackageRecord[]>();
  for (const m of members) byId.set(m.name, [...(byId.get(m.name) ?? []), m]);
  const hits = [...byId.entries()]
    .map(([lowerId, versions]) => {
      const sorted = versions.sort((a, b) => compareNugetVersions(a.version, b.version));
      return { lowerId, versions: sorted, latest: readNugetFragment(sorted[sorted.length - 1].fragment).metadata };
    })
    .filter(({ latest }) => terms.every((t) => t(latest)) && (!type || (latest.packageTypes ?? ['Dependency']).some((t) => t.toLowerCase() === type)))
    .sort((a, b) => (a.lowerId < b.lowerId ? -1 : 1));
  const data = hits.slice(query.skip, query.skip + query.take).map(({ lowerId, versions, latest }) => {
    const newest = versions[versions.length - 1];
    const entry = catalogEntry(publicBase, repo, newest);
    const registration = `${publicBase}/${registrationDir(repo, lowerId)}index.json`;
    const optional = (k: string) => (entry[k] !== undefined ? { [k]: entry[k] } : {});
    return {
      '@id': registration,
      '@type': 'Package',
      registration,
      id: entry.id,
      version: entry.version,
      description: entry.description,
      ...optional('title'),
      ...optional('summary'),
      ...optional('tags'),
      ...optional('projectUrl'),
      ...optional('iconUrl'),
      ...optional('licenseUrl'),
      authors: latest.authors.split(',').map((a) => a.trim()).filter(Boolean),
      totalDownloads: 0,
      verified: false,
      packageTypes: (latest.packageTypes ?? ['Dependency']).map((name) => ({ name })),
      versions: versions.map((v) => ({ version: readNugetFragment(v.fragment).version, downloads: 0, '@id': `${publicBase}/${registrationDir(repo, lowerId)}${v.version}.json` })),
    };
  });
  return { totalHits: hits.length, data };
}
