import { nugetServiceIndex, pushNupkg, searchNuget, setListed } from '../../shared/app/native/nuget';
import { badRequest, Codes, notFound, type PackyardError } from '../../shared/domain/errors';
import { NugetCodes } from '../../shared/formats/nuget/codes';
import { json, type HttpResult } from '../../shared/http/api-gateway';
import { header } from '../../shared/http/credentials';
import { parseMultipart } from '../../shared/http/multipart';
import type { NativeProtocol, NativeRequest } from './protocol';

const NO_STORE = { 'cache-control': 'no-store' };
const PACKAGE = /^api\/v2\/package\/([^/]+)\/([^/]+)\/?$/;

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest(Codes.INVALID_REQUEST, `invalid percent-encoding in ${JSON.stringify(raw)}`);
  }
}

const intParam = (raw: string | undefined, fallback: number, max: number) => {
  const n = Number.parseInt(raw ?? '', 10);
  return Number.isFinite(n) && n >= 0 ? Math.min(n, max) : fallback;
};

/** NuGet v3: the service index and search are dynamic; the flat container and registrations are static files. */
export const nugetProtocol: NativeProtocol = {
  segment: 'nuget',

  async handle(deps, req: NativeRequest): Promise<HttpResult> {
    const caller = { headers: req.headers, sourceIp: req.sourceIp };
    const read = req.method === 'GET' || req.method === 'HEAD';
    const publicBase = req.baseUrl.slice(0, req.baseUrl.length - `/${req.repo}/nuget`.length);
    if (req.path === 'v3/index.json' && read) return json(200, await nugetServiceIndex(deps, caller, req.repo, req.baseUrl), NO_STORE);
    if ((req.path === 'v3/search' || req.path === 'v3/search/') && read) {
      const q = {
        q: req.query.q ?? '',
        skip: intParam(req.query.skip, 0, 10_000),
        take: intParam(req.query.take, 20, 1000),
        prerelease: req.query.prerelease?.toLowerCase() === 'true',
        ...(req.query.packageType ? { packageType: req.query.packageType } : {}),
      };
      return json(200, await searchNuget(deps, caller, req.repo, q, publicBase), NO_STORE);
    }
    // NuGet's client adds a trailing slash to the PackagePublish URL before it PUTs (EnsureTrailingSlash).
    if ((req.path === 'api/v2/package' || req.path === 'api/v2/package/') && req.method === 'PUT') {
      const form = await parseMultipart(req.body, header(req.headers, 'content-type'));
      const file = form.files[0];
      if (!file) throw badRequest(Codes.INVALID_REQUEST, 'the push must carry the .nupkg as a multipart file');
      await pushNupkg(deps, caller, req.repo, file.bytes, file.filename || undefined);
      return { statusCode: 201, headers: NO_STORE, body: '' };
    }
    const m = PACKAGE.exec(req.path);
    if (m && (req.method === 'DELETE' || req.method === 'POST')) {
      await setListed(deps, caller, req.repo, decode(m[1]), decode(m[2]), req.method === 'POST');
      return { statusCode: req.method === 'DELETE' ? 204 : 200, headers: NO_STORE, body: '' };
    }
    throw notFound(NugetCodes.ROUTE_NOT_FOUND, `the NuGet feed has no ${req.method} ${req.path}`);
  },

  /** NuGet prints the status and the body's text; it sends credentials only after a Basic challenge. */
  error(e: PackyardError, req: NativeRequest): HttpResult {
    const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE };
    if (e.status === 401) headers['www-authenticate'] = `Basic realm="${req.repo}"`;
    return { statusCode: e.status, headers, body: `${e.message} (${e.code})\n` };
  },
};
