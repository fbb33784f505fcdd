import type { AppDeps } from '../../shared/app/deps';
import { nativeReader } from '../../shared/app/native';
import { uploadPypiFile, yankPypi } from '../../shared/app/native/pypi';
import { badRequest, Codes, notFound, PackyardError } from '../../shared/domain/errors';
import type { HttpResult } from '../../shared/http/api-gateway';
import { header } from '../../shared/http/credentials';
import { parseMultipart } from '../../shared/http/multipart';
import type { NativeProtocol, NativeRequest } from './protocol';

/** Plain text: twine --verbose prints the body as is, curl shows it. Never cached: these answers are dynamic. */
const text = (statusCode: number, body: string, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
  body: body.endsWith('\n') ? body : `${body}\n`,
});

// `yank/{project}/{version or file name}` and `unyank/...`.
const YANK = /^(yank|unyank)\/([^/]+)\/([^/]+)\/?$/;

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw badRequest(Codes.INVALID_REQUEST, `malformed URL path ${JSON.stringify(path)}`);
  }
}

/** The reason of a yank, from a form body (urlencoded or multipart) or the query string. */
async function yankReason(req: NativeRequest): Promise<string | undefined> {
  const type = header(req.headers, 'content-type') ?? '';
  if (/^multipart\/form-data/i.test(type)) return (await parseMultipart(req.body, type)).fields.reason ?? req.query.reason;
  if (req.body.length > 0) return new URLSearchParams(req.body.toString('utf8')).get('reason') ?? req.query.reason;
  return req.query.reason;
}

const methodNotAllowed = (req: NativeRequest, allowed: string) =>
  new PackyardError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported on /${req.path}; use ${allowed}`);

/**
 * PyPI's write side below `/{owner}/{repo}/pypi/`: `POST legacy/` (twine upload; `legacy` without the slash
 * too, since twine aborts on any redirect) and `POST yank|unyank/{project}/{version or file}` (PEP 592; PyPI
 * has no client command for it). The Simple API pages, the files and their `.metadata` are static objects.
 */
export const pypiProtocol: NativeProtocol = {
  segment: 'pypi',

  async handle(deps: AppDeps, req: NativeRequest): Promise<HttpResult> {
    const path = decodePath(req.path);
    const caller = { headers: req.headers, sourceIp: req.sourceIp };
    if (path === 'legacy' || path === 'legacy/') {
      if (req.method !== 'POST') throw methodNotAllowed(req, 'POST (twine upload)');
      const pkg = await uploadPypiFile(deps, caller, req.repo, req.body, header(req.headers, 'content-type'));
      return text(200, `OK: ${pkg.filename} uploaded to ${req.repo} (${pkg.name} ${pkg.version})`);
    }
    const yank = YANK.exec(path);
    if (yank) {
      if (req.method !== 'POST') throw methodNotAllowed(req, 'POST');
      const undo = yank[1] === 'unyank';
      const reason = undo ? undefined : await yankReason(req);
      const result = await yankPypi(deps, caller, req.repo, { project: yank[2], target: yank[3], reason, undo });
      return text(200, `${undo ? 'Unyanked' : 'Yanked'} ${result.files.join(', ')}`);
    }
    if (req.method === 'GET' || req.method === 'HEAD') await nativeReader(deps, caller, req.repo);
    throw notFound(Codes.ROUTE_NOT_FOUND, `${req.method} /${req.path} is not part of this Python index (upload: POST ${req.baseUrl}/legacy/, install from ${req.baseUrl}/simple/)`);
  },

  error(e: PackyardError, req: NativeRequest): HttpResult {
    const challenge: Record<string, string> = e.status === 401 ? { 'www-authenticate': `Basic realm="${req.repo}"` } : {};
    // twine --skip-existing recognises PyPI's answer to a duplicate: 400 with "File already exists".
    const status = e.code === Codes.PACKAGE_EXISTS ? 400 : e.status;
    const message = e.expose ? e.message : 'internal error';
    const body = e.code === Codes.PACKAGE_EXISTS && !/^File already exists/.test(message) ? `File already exists: ${message}` : message;
    return text(status, `${body} (${e.code})`, challenge);
  },
};
