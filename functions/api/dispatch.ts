import { authenticate, type Principal } from '../../shared/app/auth';
import type { AppDeps } from '../../shared/app/deps';
import { addDistribution, getPackage, listPackages, uploadPackage } from '../../shared/app/packages';
import { createRepo, deleteRepo, getRepo, listRepos, updateRepo } from '../../shared/app/repos';
import { createToken, listTokens, revokeToken } from '../../shared/app/tokens';
import { completeUpload, getUploadStatus, requestUpload } from '../../shared/app/uploads';
import { badRequest, Codes, notFound } from '../../shared/domain/errors';
import { bodyBytes, json, jsonBody, noContent, type HttpEvent, type HttpResult } from '../../shared/http/api-gateway';
import { header } from '../../shared/http/credentials';
import { parseMultipart } from '../../shared/http/multipart';
import type { ApiRouteKey } from './routes';

type Route = (deps: AppDeps, who: Principal, e: HttpEvent, p: Record<string, string>) => Promise<HttpResult>;

const repoOf = (p: Record<string, string>) => `${p.owner}/${p.repo}`;

/** Each route: parse the request, call one use case, shape the answer. */
const ROUTES: Record<ApiRouteKey, Route> = {
  'GET /api/v1/repos': async (d, who) => json(200, { repos: await listRepos(d, who) }),
  'POST /api/v1/repos': async (d, who, e) => json(201, await createRepo(d, who, jsonBody(e))),
  'GET /api/v1/repos/{owner}/{repo}': async (d, who, _e, p) => json(200, await getRepo(d, who, repoOf(p))),
  'PATCH /api/v1/repos/{owner}/{repo}': async (d, who, e, p) => json(200, await updateRepo(d, who, repoOf(p), jsonBody(e))),
  'DELETE /api/v1/repos/{owner}/{repo}': async (d, who, e, p) => {
    await deleteRepo(d, who, repoOf(p), e.queryStringParameters?.force === 'true');
    return noContent();
  },
  'POST /api/v1/repos/{owner}/{repo}/uploads': async (d, who, e, p) => json(201, await requestUpload(d, who, repoOf(p), jsonBody(e))),
  'GET /api/v1/repos/{owner}/{repo}/uploads/{id}': async (d, who, _e, p) => {
    const u = await getUploadStatus(d, who, repoOf(p), p.id);
    return json(200, { id: u.id, status: u.status, filename: u.filename, distribution: u.distribution, createdAt: u.createdAt, package: u.package, error: u.error });
  },
  'POST /api/v1/repos/{owner}/{repo}/uploads/{id}/complete': async (d, who, e, p) => {
    const u = await completeUpload(d, who, repoOf(p), p.id, jsonBody(e));
    return json(202, { id: u.id, status: u.status });
  },
  'GET /api/v1/repos/{owner}/{repo}/packages': async (d, who, e, p) => {
    const q = e.queryStringParameters ?? {};
    const limit = q.limit ? Number(q.limit) : undefined;
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0 && limit <= 1000)) {
      throw badRequest(Codes.INVALID_REQUEST, 'limit must be an integer from 1 to 1000');
    }
    const page = await listPackages(d, who, repoOf(p), { format: q.format, cursor: q.cursor, limit });
    return json(200, { packages: page.items, next: page.next });
  },
  'POST /api/v1/repos/{owner}/{repo}/packages': async (d, who, e, p) => {
    const form = await parseMultipart(bodyBytes(e), header(e.headers, 'content-type'));
    const file = form.files.find((f) => f.field === 'file') ?? form.files[0];
    if (!file) throw badRequest(Codes.INVALID_REQUEST, 'the form must carry the package in a "file" field');
    const pkg = await uploadPackage(d, who, repoOf(p), { bytes: file.bytes, filename: file.filename, distribution: form.fields.distribution });
    return json(201, pkg);
  },
  'GET /api/v1/repos/{owner}/{repo}/packages/{id}': async (d, who, _e, p) => json(200, await getPackage(d, who, repoOf(p), p.id)),
  'POST /api/v1/repos/{owner}/{repo}/packages/{id}/distributions': async (d, who, e, p) =>
    json(201, await addDistribution(d, who, repoOf(p), p.id, jsonBody(e))),
  'GET /api/v1/tokens': async (d, who) => json(200, { tokens: await listTokens(d, who) }),
  'POST /api/v1/tokens': async (d, who, e) => json(201, await createToken(d, who, jsonBody(e))),
  'DELETE /api/v1/tokens/{id}': async (d, who, _e, p) => {
    await revokeToken(d, who, p.id);
    return noContent();
  },
};

export async function dispatch(deps: AppDeps, event: HttpEvent): Promise<HttpResult> {
  const route = ROUTES[event.routeKey as ApiRouteKey];
  if (!route) throw notFound(Codes.ROUTE_NOT_FOUND, `no route ${event.routeKey}`);
  const who = await authenticate(deps, event.headers ?? {});
  return route(deps, who, event, (event.pathParameters ?? {}) as Record<string, string>);
}
