import { createHash } from 'node:crypto';
import { badRequest, Codes, conflict, isPackyardError, notFound } from '../../domain/errors';
import { CACHE_IMMUTABLE, type PackageRecord } from '../../domain/package';
import { HELM_SEGMENT, helmFormat } from '../../formats/helm';
import { HelmCodes } from '../../formats/helm/codes';
import { checkProvenance, readProvenance, type Provenance } from '../../formats/helm/provenance';
import { indexEntry, newestFirst } from '../../formats/helm/render';
import { actorOf, audit } from '../audit';
import type { AppDeps } from '../deps';
import { ingestPackage } from '../ingest';
import { nativePrincipal, nativeReader, type NativeCaller } from '../native';

/** ChartMuseum's upload (`helm cm-push`): the chart is ingested like any upload, its .prov kept beside it. */
export async function uploadChart(
  deps: AppDeps,
  caller: NativeCaller,
  repo: string,
  input: { chart: Uint8Array; filename?: string; prov?: Uint8Array },
): Promise<PackageRecord> {
  const principal = await nativePrincipal(deps, caller, repo, 'push');
  try {
    // The provenance is checked before anything is stored: it must name this file and these bytes, and the
    // chart's own name and version must be the ones it signs (ingest refuses a declared identity that differs).
    let prov: Provenance | undefined;
    if (input.prov) {
      prov = await readProvenance(input.prov);
      checkProvenance(prov, { filename: input.filename, sha256: createHash('sha256').update(input.chart).digest('hex') });
    }
    let record: PackageRecord;
    try {
      record = await ingestPackage(deps, {
        repo,
        distribution: HELM_SEGMENT,
        bytes: input.chart,
        filename: input.filename,
        ...(prov ? { declared: { name: prov.name, version: prov.version } } : {}),
        actor: principal.user,
        sourceIp: caller.sourceIp,
      });
    } catch (e) {
      if (isPackyardError(e) && e.code === Codes.PACKAGE_EXISTS) throw conflict(HelmCodes.CHART_EXISTS, `${e.message}; chart versions are immutable here (even with --force), publish a new version`);
      if (isPackyardError(e) && e.code === HelmCodes.DECLARED_MISMATCH) throw badRequest(HelmCodes.BAD_PROVENANCE, `the provenance file does not describe this chart: ${e.message}`);
      throw e;
    }
    // Written once the chart is committed (a duplicate never replaces the first upload's .prov), at the
    // stable path Helm derives from the chart URL. Immutable like the chart: a new signature needs a new version.
    if (input.prov) await deps.packages.put(`${record.blobKey}.prov`, input.prov, { contentType: 'application/pgp-signature', cacheControl: CACHE_IMMUTABLE, ifNoneMatch: true });
    return record;
  } catch (e) {
    if (isPackyardError(e) && e.expose && e.code !== Codes.REPO_NOT_FOUND) {
      await audit(deps, actorOf(principal), repo, 'package.rejected', input.filename ?? 'chart', { code: e.code });
    }
    throw e;
  }
}

/**
 * ChartMuseum's read API: `GET /api/charts` (every chart), `/api/charts/{name}` (its versions) and
 * `/api/charts/{name}/{version}` (one version), newest first, in index.yaml's entry shape.
 */
export async function listCharts(
  deps: AppDeps,
  caller: NativeCaller,
  repo: string,
  filter: { name?: string; version?: string } = {},
): Promise<Record<string, Record<string, unknown>[]>> {
  await nativeReader(deps, caller, repo);
  const members = filter.name ? await deps.meta.listScope(repo, helmFormat.id, filter.name) : await deps.meta.listFormat(repo, helmFormat.id);
  const live = members.filter((m) => !m.yanked && (!filter.version || m.version === filter.version));
  const out: Record<string, Record<string, unknown>[]> = {};
  const now = deps.clock.now();
  for (const m of live.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : newestFirst(a, b)))) {
    (out[m.name] ??= []).push(indexEntry(deps.publicBaseUrl.replace(/\/+$/, ''), repo, m, now));
  }
  if (filter.name && !out[filter.name]) {
    throw notFound(HelmCodes.CHART_NOT_FOUND, filter.version ? `${filter.name} ${filter.version} is not in ${repo}` : `no chart named ${filter.name} in ${repo}`);
  }
  return out;
}
