import type { AppDeps } from '../../shared/app/deps';
import { addDistTag, deleteTarball, ping, putPackument, removeDistTag, unpublishPackage, whoami } from '../../shared/app/native/npm';
import { badRequest, Codes, notFound, PackyardError } from '../../shared/domain/errors';
import type { HttpResult } from '../../shared/http/api-gateway';
import type { NativeProtocol, NativeRequest } from './protocol';

// A package name once decoded: `@scope/name` or `name` (the use cases validate it).
const NAME = '(@[^/]+/[^/]+|[^@/][^/]*)';
const PACKAGE = new RegExp(`^${NAME}(?:/-rev/([^/]+))?$`);
const TARBALL = new RegExp(`^${NAME}/-/([^/]+\\.tgz)/-rev/([^/]+)$`);
const DIST_TAG = new RegExp(`^-/package/${NAME}/dist-tags/([^/]+)$`);

/** Dynamic answers must never be cached by CloudFront. */
const reply = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(body),
});

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw badRequest(Codes.INVALID_REQUEST, `malformed URL path ${JSON.stringify(path)}`);
  }
}

const methodNotAllowed = (req: NativeRequest) => new PackyardError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported on /${req.path}`);

/**
 * The npm registry API below `/{owner}/{repo}/npm/`: publish, deprecate and unpublish (document PUTs and
 * DELETEs), dist-tag changes, ping and whoami. Packuments, dist-tag lists and tarballs are static files.
 */
export const npmProtocol: NativeProtocol = {
  segment: 'npm',

  async handle(deps: AppDeps, req: NativeRequest): Promise<HttpResult> {
    const path = decodePath(req.path);
    const caller = { headers: req.headers, sourceIp: req.sourceIp };
    const read = req.method === 'GET' || req.method === 'HEAD';

    if (path === '-/ping') {
      if (!read) throw methodNotAllowed(req);
      await ping(deps, caller, req.repo);
      return reply(200, {});
    }
    if (path === '-/whoami') {
      if (!read) throw methodNotAllowed(req);
      return reply(200, { username: await whoami(deps, caller, req.repo) });
    }
    const tag = DIST_TAG.exec(path);
    if (tag) {
      if (req.method === 'PUT') return reply(201, await addDistTag(deps, caller, req.repo, tag[1], tag[2], req.body));
      if (req.method === 'DELETE') return reply(200, await removeDistTag(deps, caller, req.repo, tag[1], tag[2]));
      throw methodNotAllowed(req);
    }
    if (path.startsWith('-/')) {
      if (/^-\/(v1\/login|user\/)/.test(path)) {
        throw notFound(Codes.ROUTE_NOT_FOUND, `npm login is not supported here: create a Packyard token and add it to .npmrc as //HOST/${req.repo}/npm/:_authToken=TOKEN`);
      }
      throw notFound(Codes.ROUTE_NOT_FOUND, `/${path} is not supported by this registry`);
    }

    const tarball = TARBALL.exec(path);
    if (tarball) {
      if (req.method !== 'DELETE') throw methodNotAllowed(req);
      await deleteTarball(deps, caller, req.repo, tarball[1], tarball[2]);
      return reply(200, { ok: true });
    }
    const pkg = PACKAGE.exec(path);
    if (pkg) {
      const [, name, rev] = pkg;
      if (req.method === 'PUT') {
        const result = await putPackument(deps, caller, req.repo, name, req.body, rev);
        return reply(result.published ? 201 : 200, { ok: true, id: name, rev: result.rev });
      }
      if (req.method === 'DELETE' && rev !== undefined) {
        await unpublishPackage(deps, caller, req.repo, name, rev);
        return reply(200, { ok: true });
      }
      throw methodNotAllowed(req);
    }
    throw notFound(Codes.ROUTE_NOT_FOUND, `/${path} is not an npm registry path`);
  },

  /** npm prints the `error` of a JSON body after the status line; a 401 carries the Basic challenge. */
  error(e: PackyardError, req: NativeRequest): HttpResult {
    const headers: Record<string, string> = e.status === 401 ? { 'www-authenticate': `Basic realm="${req.repo}"` } : {};
    return reply(e.status, { error: e.message, code: e.code }, headers);
  },
};
