import { createHash } from 'node:crypto';
import { badRequest, Codes, conflict, isPackyardError } from '../../domain/errors';
import { CACHE_IMMUTABLE, type PackageRecord } from '../../domain/package';
import { HELM_SEGMENT, helmFormat } from '../../formats/helm';
import { HelmCodes } from '../../formats/helm/codes';
import { readHelmFragment } from '../../formats/helm/render';
import { actorOf, audit } from '../audit';
import type { AppDeps } from '../deps';
import { ingestPackage } from '../ingest';
import { nativePrincipal, nativeReader, type NativeCaller } from '../native';

const MAX_PROV_BYTES = 64 * 1024;

/**
 * A provenance file is the chart's Chart.yaml and file digest, clear-signed by its author: Helm checks the
 * signature against the author's key on `helm install --verify`. Packyard keeps it beside the chart only
 * when it describes these very bytes.
 */
function checkProvenance(prov: Uint8Array, chart: Uint8Array): void {
  const text = Buffer.from(prov).toString('utf8');
  if (prov.length > MAX_PROV_BYTES || !text.startsWith('-----BEGIN PGP SIGNED MESSAGE-----') || !text.includes('-----BEGIN PGP SIGNATURE-----')) {
    throw badRequest(HelmCodes.BAD_PROVENANCE, 'the provenance file must be a clear-signed OpenPGP message (helm package --sign writes one)');
  }
  const digest = createHash('sha256').update(chart).digest('hex');
  if (!new RegExp(`:\\s*sha256:${digest}\\b`).test(text)) {
    throw badRequest(HelmCodes.BAD_PROVENANCE, `the provenance file does not name this chart's digest (sha256:${digest})`);
  }
}

/** ChartMuseum's upload (`helm cm-push`): the chart is ingested like any upload, its .prov kept beside it. */
export async function uploadChart(
  deps: AppDeps,
  caller: NativeCaller,
  repo: string,
  input: { chart: Uint8Array; filename?: string; prov?: Uint8Array },
): Promise<PackageRecord> {
  const principal = await nativePrincipal(deps, caller, repo, 'push');
  try {
    if (input.prov) checkProvenance(input.prov, input.chart);
    let record: PackageRecord;
    try {
      record = await ingestPackage(deps, {
        repo,
        distribution: HELM_SEGMENT,
        bytes: input.chart,
        filename: input.filename,
        actor: principal.user,
        sourceIp: caller.sourceIp,
      });
    } catch (e) {
      if (isPackyardError(e) && e.code === Codes.PACKAGE_EXISTS) throw conflict(HelmCodes.CHART_EXISTS, `${e.message}; chart versions are immutable, publish a new version`);
      throw e;
    }
    if (input.prov) await deps.packages.put(`${record.blobKey}.prov`, input.prov, { contentType: 'text/plain; charset=utf-8', cacheControl: CACHE_IMMUTABLE });
    return record;
  } catch (e) {
    if (isPackyardError(e) && e.expose && e.code !== Codes.REPO_NOT_FOUND) {
      await audit(deps, actorOf(principal), repo, 'package.rejected', input.filename ?? 'chart', { code: e.code });
    }
    throw e;
  }
}

/** ChartMuseum's `GET /api/charts`: every chart version, newest first per chart. */
export async function listCharts(deps: AppDeps, caller: NativeCaller, repo: string, baseUrl: string): Promise<Record<string, Record<string, unknown>[]>> {
  await nativeReader(deps, caller, repo);
  const out: Record<string, Record<string, unknown>[]> = {};
  const members = (await deps.meta.listFormat(repo, helmFormat.id)).filter((m) => !m.yanked);
  for (const m of members.sort((a, b) => (a.uploadedAt < b.uploadedAt ? 1 : -1))) {
    const f = readHelmFragment(m.fragment);
    (out[m.name] ??= []).push({ ...f.chart, urls: [`${baseUrl}/charts/${f.filename}`], created: m.uploadedAt, digest: f.digest });
  }
  return out;
}
