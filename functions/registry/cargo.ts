import { cargoConfig, publishCrate, searchCrates, setCrateYanked } from '../../shared/app/native/cargo';
import { badRequest, Codes, notFound, type PackyardError } from '../../shared/domain/errors';
import { CargoCodes } from '../../shared/formats/cargo/codes';
import { json, type HttpResult } from '../../shared/http/api-gateway';
import type { NativeProtocol, NativeRequest } from './protocol';

// Dynamic answers must never be cached by CloudFront: they depend on the caller and change on publish.
const NO_STORE = { 'cache-control': 'no-store' };
const ok = (body: unknown): HttpResult => json(200, body, NO_STORE);

/** What crates.io answers a successful publish with; Packyard has no categories or badges to complain about. */
const PUBLISHED = { warnings: { invalid_categories: [], invalid_badges: [], other: [] } };
const YANK = /^api\/v1\/crates\/([^/]+)\/([^/]+)\/(yank|unyank)$/;
const OWNERS = /^api\/v1\/crates\/[^/]+\/owners$/;

function segment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest(Codes.INVALID_REQUEST, `invalid percent-encoding in ${JSON.stringify(raw)}`);
  }
}

function perPage(raw: string | undefined): number {
  const n = Number.parseInt(raw ?? '', 10);
  return Number.isFinite(n) ? Math.min(Math.max(n, 1), 100) : 10;
}

/** Cargo's sparse registry: config.json and the web API (publish, yank, search); index files are static. */
export const cargoProtocol: NativeProtocol = {
  segment: 'cargo',

  async handle(deps, req: NativeRequest): Promise<HttpResult> {
    const caller = { headers: req.headers, sourceIp: req.sourceIp };
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (req.path === 'index/config.json' && read) return ok(await cargoConfig(deps, caller, req.repo, req.baseUrl));
    if (req.path === 'api/v1/crates/new' && req.method === 'PUT') {
      await publishCrate(deps, caller, req.repo, req.body);
      return ok(PUBLISHED);
    }
    const yank = YANK.exec(req.path);
    if (yank && ((yank[3] === 'yank' && req.method === 'DELETE') || (yank[3] === 'unyank' && req.method === 'PUT'))) {
      await setCrateYanked(deps, caller, req.repo, segment(yank[1]), segment(yank[2]), yank[3] === 'yank');
      return ok({ ok: true });
    }
    if (req.path === 'api/v1/crates' && read) return ok(await searchCrates(deps, caller, req.repo, req.query.q ?? '', perPage(req.query.per_page)));
    if (OWNERS.test(req.path)) {
      throw badRequest(CargoCodes.UNSUPPORTED, 'crate owners are not kept: access is granted per repository (collaborators and tokens)');
    }
    throw notFound(CargoCodes.ROUTE_NOT_FOUND, `the Cargo registry has no ${req.method} ${req.path}`);
  },

  /** `{"errors":[{"detail"}]}`, which Cargo prints; `code` is extra, for scripts. */
  error(e: PackyardError, req: NativeRequest): HttpResult {
    const headers: Record<string, string> = { ...NO_STORE };
    if (e.status === 401) headers['www-authenticate'] = `Basic realm="${req.repo}"`;
    return json(e.status, { errors: [{ detail: e.message, code: e.code }] }, headers);
  },
};
