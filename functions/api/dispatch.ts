import { listEvents } from '../../shared/app/audit';
import { authenticate, withRepoAccess, type Principal } from '../../shared/app/auth';
import { addCollaborator, createUser, listCollaborators, listUsers, removeCollaborator } from '../../shared/app/collaborators';
import { installScript } from '../../shared/app/install-scripts';
import { createMasterToken, listMasterTokens, listReadTokens, mintReadToken, revokeMasterToken, revokeReadToken } from '../../shared/app/install-tokens';
import type { AppDeps } from '../../shared/app/deps';
import { createTrustPolicy, deleteTrustPolicy, exchangeOidcToken, listTrustPolicies } from '../../shared/app/oidc';
import { addDistribution, getPackage, listPackages, uploadPackage } from '../../shared/app/packages';
import { createRepo, deleteRepo, getRepo, listRepos, updateRepo } from '../../shared/app/repos';
import { listSigningKeys, retirePreviousSigningKey, rotateSigningKey } from '../../shared/app/signing-keys';
import { createToken, listTokens, revokeToken } from '../../shared/app/tokens';
import { completeUpload, getUploadStatus, requestUpload } from '../../shared/app/uploads';
import { badRequest, Codes, notFound } from '../../shared/domain/errors';
import { bodyBytes, json, jsonBody, noContent, type HttpEvent, type HttpResult } from '../../shared/http/api-gateway';
import { header } from '../../shared/http/credentials';
import { parseMultipart } from '../../shared/http/multipart';
import type { ApiRouteKey } from './routes';

type Route = (deps: AppDeps, who: Principal, e: HttpEvent, p: Record<string, string>) => Promise<HttpResult>;
type PublicRoute = (deps: AppDeps, e: HttpEvent, p: Record<string, string>) => Promise<HttpResult>;

const pageOpts = (e: HttpEvent) => {
  const q = e.queryStringParameters ?? {};
  const limit = q.limit ? Number(q.limit) : undefined;
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0 && limit <= 1000)) {
    throw badRequest(Codes.INVALID_REQUEST, 'limit must be an integer from 1 to 1000');
  }
  return { cursor: q.cursor, limit, format: q.format };
};

/** A form (`name=host`, as curl -d sends) or a JSON object. */
function formOrJson(e: HttpEvent): Record<string, unknown> {
  if (/^application\/json/i.test(header(e.headers, 'content-type') ?? '')) return jsonBody(e);
  return Object.fromEntries(new URLSearchParams(bodyBytes(e).toString('utf8')));
}

const text = (statusCode: number, body: string): HttpResult => ({ statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body });

// A private repository's script embeds its master token: never cache it.
const script = (body: string): HttpResult => ({ statusCode: 200, headers: { 'content-type': 'text/x-shellscript; charset=utf-8', 'cache-control': 'no-store' }, body });

/** Routes whose credential is checked by the use case itself (a master token, or an OIDC JWT). */
const PUBLIC_ROUTES = {
  'POST /install/repositories/{owner}/{repo}/tokens.text': async (d, e, p) =>
    text(201, (await mintReadToken(d, e.headers ?? {}, repoOf(p), { ...formOrJson(e), sourceIp: e.requestContext?.http?.sourceIp })) + '\n'),
  'POST /api/v1/oidc/exchange': async (d, e) => json(201, await exchangeOidcToken(d, jsonBody(e), e.requestContext?.http?.sourceIp)),
  'GET /install/repositories/{owner}/{repo}/script.deb.sh': async (d, e, p) => script(await installScript(d, e.headers ?? {}, repoOf(p), 'deb')),
  'GET /install/repositories/{owner}/{repo}/script.rpm.sh': async (d, e, p) => script(await installScript(d, e.headers ?? {}, repoOf(p), 'rpm')),
  'GET /{owner}/{repo}/script.deb.sh': async (d, e, p) => script(await installScript(d, e.headers ?? {}, repoOf(p), 'deb')),
  'GET /{owner}/{repo}/script.rpm.sh': async (d, e, p) => script(await installScript(d, e.headers ?? {}, repoOf(p), 'rpm')),
} satisfies Partial<Record<ApiRouteKey, PublicRoute>>;

const repoOf = (p: Record<string, string>) => `${p.owner}/${p.repo}`;

/** Each route: parse the request, call one use case, shape the answer. */
/** Every other route: the caller is authenticated first. The type makes sure each route key is handled once. */
const ROUTES: Record<Exclude<ApiRouteKey, keyof typeof PUBLIC_ROUTES>, Route> = {
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
    const page = await listPackages(d, who, repoOf(p), pageOpts(e));
    return json(200, { packages: page.items, next: page.next });
  },
  'POST /api/v1/repos/{owner}/{repo}/packages': async (d, who, e, p) => {
    const form = await parseMultipart(bodyBytes(e), header(e.headers, 'content-type'));
    const file = form.files.find((f) => f.field === 'file') ?? form.files[0];
    if (!file) throw badRequest(Codes.INVALID_REQUEST, 'the form must carry the package in a "file" field');
    const { distribution, name, version } = form.fields;
    const pkg = await uploadPackage(d, who, repoOf(p), { bytes: file.bytes, filename: file.filename, distribution, declared: { name, version } });
    return json(201, pkg);
  },
  'GET /api/v1/repos/{owner}/{repo}/packages/{id}': async (d, who, _e, p) => json(200, await getPackage(d, who, repoOf(p), p.id)),
  'POST /api/v1/repos/{owner}/{repo}/packages/{id}/distributions': async (d, who, e, p) =>
    json(201, await addDistribution(d, who, repoOf(p), p.id, jsonBody(e))),
  'GET /api/v1/repos/{owner}/{repo}/master-tokens': async (d, who, _e, p) => json(200, { tokens: await listMasterTokens(d, who, repoOf(p)) }),
  'POST /api/v1/repos/{owner}/{repo}/master-tokens': async (d, who, e, p) => json(201, await createMasterToken(d, who, repoOf(p), jsonBody(e))),
  'DELETE /api/v1/repos/{owner}/{repo}/master-tokens/{id}': async (d, who, _e, p) => {
    await revokeMasterToken(d, who, repoOf(p), p.id);
    return noContent();
  },
  'GET /api/v1/repos/{owner}/{repo}/master-tokens/{id}/read-tokens': async (d, who, _e, p) =>
    json(200, { tokens: await listReadTokens(d, who, repoOf(p), p.id) }),
  'DELETE /api/v1/repos/{owner}/{repo}/read-tokens/{id}': async (d, who, _e, p) => {
    await revokeReadToken(d, who, repoOf(p), p.id);
    return noContent();
  },
  'GET /api/v1/repos/{owner}/{repo}/collaborators': async (d, who, _e, p) => json(200, { collaborators: await listCollaborators(d, who, repoOf(p)) }),
  'POST /api/v1/repos/{owner}/{repo}/collaborators': async (d, who, e, p) => json(201, await addCollaborator(d, who, repoOf(p), jsonBody(e))),
  'DELETE /api/v1/repos/{owner}/{repo}/collaborators/{user}': async (d, who, _e, p) => {
    await removeCollaborator(d, who, repoOf(p), p.user);
    return noContent();
  },
  'GET /api/v1/repos/{owner}/{repo}/oidc-policies': async (d, who, _e, p) => json(200, { policies: await listTrustPolicies(d, who, repoOf(p)) }),
  'POST /api/v1/repos/{owner}/{repo}/oidc-policies': async (d, who, e, p) => json(201, await createTrustPolicy(d, who, repoOf(p), jsonBody(e))),
  'DELETE /api/v1/repos/{owner}/{repo}/oidc-policies/{id}': async (d, who, _e, p) => {
    await deleteTrustPolicy(d, who, repoOf(p), p.id);
    return noContent();
  },
  'GET /api/v1/repos/{owner}/{repo}/signing-keys': async (d, who, _e, p) => json(200, await listSigningKeys(d, who, repoOf(p))),
  'POST /api/v1/repos/{owner}/{repo}/signing-keys/rotate': async (d, who, e, p) => json(200, await rotateSigningKey(d, who, repoOf(p), jsonBody(e))),
  'DELETE /api/v1/repos/{owner}/{repo}/signing-keys/previous': async (d, who, _e, p) => {
    await retirePreviousSigningKey(d, who, repoOf(p));
    return noContent();
  },
  'GET /api/v1/repos/{owner}/{repo}/events': async (d, who, e, p) => {
    const page = await listEvents(d, who, repoOf(p), pageOpts(e));
    return json(200, { events: page.items, next: page.next });
  },
  'GET /api/v1/events': async (d, who, e) => {
    const page = await listEvents(d, who, '*', pageOpts(e));
    return json(200, { events: page.items, next: page.next });
  },
  'GET /api/v1/users': async (d, who) => json(200, { users: await listUsers(d, who) }),
  'POST /api/v1/users': async (d, who, e) => json(201, await createUser(d, who, jsonBody(e))),
  'GET /api/v1/tokens': async (d, who) => json(200, { tokens: await listTokens(d, who) }),
  'POST /api/v1/tokens': async (d, who, e) => json(201, await createToken(d, who, jsonBody(e))),
  'DELETE /api/v1/tokens/{id}': async (d, who, _e, p) => {
    await revokeToken(d, who, p.id);
    return noContent();
  },
};

export async function dispatch(deps: AppDeps, event: HttpEvent): Promise<HttpResult> {
  const key = event.routeKey as ApiRouteKey;
  const params = (event.pathParameters ?? {}) as Record<string, string>;
  const open = (PUBLIC_ROUTES as Partial<Record<ApiRouteKey, PublicRoute>>)[key];
  if (open) return open(deps, event, params);
  const route = (ROUTES as Partial<Record<ApiRouteKey, Route>>)[key];
  if (!route) throw notFound(Codes.ROUTE_NOT_FOUND, `no route ${event.routeKey}`);
  const token = await authenticate(deps, event.headers ?? {});
  const repo = params.owner && params.repo ? repoOf(params) : undefined;
  const who = await withRepoAccess(deps, { ...token, sourceIp: event.requestContext?.http?.sourceIp }, repo);
  return route(deps, who, event, params);
}
