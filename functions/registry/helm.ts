import { listCharts, uploadChart } from '../../shared/app/native/helm';
import { badRequest, Codes, notFound, type PackyardError } from '../../shared/domain/errors';
import { HelmCodes } from '../../shared/formats/helm/codes';
import { json, type HttpResult } from '../../shared/http/api-gateway';
import { header } from '../../shared/http/credentials';
import { parseMultipart } from '../../shared/http/multipart';
import type { NativeProtocol, NativeRequest } from './protocol';

const NO_STORE = { 'cache-control': 'no-store' };
/** `api/charts`, `api/charts/{name}`, `api/charts/{name}/{version}` (ChartMuseum's read routes). */
const CHARTS = /^api\/charts(?:\/([^/]+)(?:\/([^/]+))?)?\/?$/;

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest(Codes.INVALID_REQUEST, `invalid percent-encoding in ${JSON.stringify(raw)}`);
  }
}

/** The chart and its provenance from a ChartMuseum upload: a multipart form (`chart`, `prov`) or a raw .tgz. */
async function chartUpload(req: NativeRequest): Promise<{ chart: Uint8Array; filename?: string; prov?: Uint8Array }> {
  const type = header(req.headers, 'content-type') ?? '';
  if (!/^multipart\/form-data/i.test(type)) return { chart: req.body };
  const form = await parseMultipart(req.body, type);
  const chart = form.files.find((f) => f.field === 'chart');
  if (!chart) throw badRequest(Codes.INVALID_REQUEST, 'the form must carry the chart in a "chart" field');
  const prov = form.files.find((f) => f.field === 'prov');
  return { chart: chart.bytes, filename: chart.filename || undefined, ...(prov ? { prov: prov.bytes } : {}) };
}

/** Helm's classic chart repository is static (index.yaml, charts); uploads follow ChartMuseum's API. */
export const helmProtocol: NativeProtocol = {
  segment: 'helm',

  async handle(deps, req: NativeRequest): Promise<HttpResult> {
    const caller = { headers: req.headers, sourceIp: req.sourceIp };
    // helm cm-push posts to `{contextPath}/api/charts` (contextPath from index.yaml's serverInfo).
    if ((req.path === 'api/charts' || req.path === 'api/charts/') && req.method === 'POST') {
      await uploadChart(deps, caller, req.repo, await chartUpload(req));
      return json(201, { saved: true }, NO_STORE);
    }
    const read = CHARTS.exec(req.path);
    if (read && (req.method === 'GET' || req.method === 'HEAD')) {
      const [name, version] = [read[1], read[2]].map((p) => (p === undefined ? undefined : decode(p)));
      const found = await listCharts(deps, caller, req.repo, { name, version });
      // ChartMuseum answers the plural routes with a map or a list, the single version with one entry.
      return json(200, version ? found[name!][0] : name ? found[name] : found, NO_STORE);
    }
    throw notFound(HelmCodes.ROUTE_NOT_FOUND, `the Helm repository has no ${req.method} ${req.path}`);
  },

  /** ChartMuseum's `{"error": ...}`, which helm cm-push prints. */
  error(e: PackyardError, req: NativeRequest): HttpResult {
    const headers: Record<string, string> = { ...NO_STORE };
    if (e.status === 401) headers['www-authenticate'] = `Basic realm="${req.repo}"`;
    return json(e.status, { error: e.message, code: e.code }, headers);
  },
};
