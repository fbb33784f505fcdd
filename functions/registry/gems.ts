import type { AppDeps } from '../../shared/app/deps';
import { nativeReader } from '../../shared/app/native';
import { pushGem, yankGem } from '../../shared/app/native/gems';
import { badRequest, Codes, notFound, type PackyardError } from '../../shared/domain/errors';
import type { HttpResult } from '../../shared/http/api-gateway';
import { header } from '../../shared/http/credentials';
import type { NativeProtocol, NativeRequest } from './protocol';

/** Plain text, as `gem` prints a response body verbatim; never cached, these answers are dynamic. */
const text = (statusCode: number, body: string, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
  body,
});

/** `gem yank` sends a form body; older clients put the fields in the query string. */
function yankFields(req: NativeRequest): { name: string; version: string; platform?: string } {
  const type = header(req.headers, 'content-type') ?? '';
  const form = /application\/x-www-form-urlencoded/i.test(type) || type === '' ? new URLSearchParams(req.body.toString('utf8')) : new URLSearchParams();
  const field = (k: string) => (form.get(k) ?? req.query[k] ?? '').trim();
  const name = field('gem_name');
  const version = field('version');
  if (!name || !version) throw badRequest(Codes.INVALID_REQUEST, 'a yank needs gem_name and version (gem yank NAME -v VERSION)');
  const platform = field('platform');
  return { name, version, ...(platform ? { platform } : {}) };
}

/**
 * RubyGems' write API under `/{owner}/{repo}/gems/`: `POST api/v1/gems` (gem push) and
 * `DELETE api/v1/gems/yank` (gem yank). Every read (compact index, legacy indexes, quick gemspecs, .gem
 * files) is a static object; other `api/` reads are refused after the private-repository check.
 */
export const gemsProtocol: NativeProtocol = {
  segment: 'gems',

  async handle(deps: AppDeps, req: NativeRequest): Promise<HttpResult> {
    // `gem push --host {base}/` doubles the slash before api/.
    const path = req.path.replace(/^\/+|\/+$/g, '');
    if (path === 'api/v1/gems' && req.method === 'POST') {
      const pkg = await pushGem(deps, req, req.repo, req.body);
      return text(200, `Successfully registered gem: ${pkg.name} (${pkg.version}${pkg.arch ? `-${pkg.arch}` : ''})`);
    }
    if (path === 'api/v1/gems/yank' && req.method === 'DELETE') {
      const pkg = await yankGem(deps, req, req.repo, yankFields(req));
      return text(200, `Successfully deleted gem: ${pkg.name} (${pkg.version}${pkg.arch ? `-${pkg.arch}` : ''})`);
    }
    if (req.method === 'GET' || req.method === 'HEAD') await nativeReader(deps, req, req.repo);
    // Bundler falls back from a 404 on api/v1/dependencies to the compact index or the full index.
    throw notFound(Codes.ROUTE_NOT_FOUND, `${req.method} ${path} is not part of this RubyGems registry (it supports gem push, gem yank and the compact index)`);
  },

  error(e: PackyardError, req: NativeRequest): HttpResult {
    // gem push prompts for a one-time password when a 401 body mentions one: the messages never do.
    const challenge: Record<string, string> = e.status === 401 ? { 'www-authenticate': `Basic realm="${req.repo}"` } : {};
    return text(e.status, e.expose ? e.message : 'internal error', challenge);
  },
};
