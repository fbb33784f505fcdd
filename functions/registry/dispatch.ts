import type { AppDeps } from '../../shared/app/deps';
import { LIMITS } from '../../shared/config';
import { REGISTRY_SEGMENTS, type RegistrySegment } from '../../shared/domain/distribution';
import { Codes, isPackyardError, notFound, PackyardError, tooLarge } from '../../shared/domain/errors';
import { bodyBytes, type HttpEvent, type HttpResult } from '../../shared/http/api-gateway';
import { log } from '../../shared/http/middleware';
import type { NativeProtocol, NativeRequest } from './protocol';
import { PROTOCOLS } from './protocols';

const PATH = /^\/([a-z0-9][a-z0-9._-]*)\/([a-z0-9][a-z0-9._-]*)\/([a-z]+)\/(.*)$/;

/** Splits `/{owner}/{repo}/{segment}/{rest}` and hands the request to that registry's protocol. */
export async function dispatchNative(deps: AppDeps, event: HttpEvent): Promise<HttpResult> {
  const m = PATH.exec(event.rawPath ?? '');
  const protocol = m && REGISTRY_SEGMENTS.includes(m[3] as RegistrySegment) ? PROTOCOLS[m[3] as RegistrySegment] : undefined;
  const repo = m ? `${m[1]}/${m[2]}` : '';
  const req: NativeRequest = {
    method: event.requestContext?.http?.method ?? 'GET',
    repo,
    path: m?.[4] ?? '',
    query: Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).map(([k, v]) => [k, v ?? ''])),
    headers: event.headers ?? {},
    body: Buffer.alloc(0),
    sourceIp: event.requestContext?.http?.sourceIp,
    baseUrl: m ? `${deps.publicBaseUrl.replace(/\/+$/, '')}/${repo}/${m[3]}` : deps.publicBaseUrl,
  };
  if (!m || !protocol) throw notFound(Codes.ROUTE_NOT_FOUND, `no registry at ${event.rawPath}`);
  try {
    try {
      req.body = bodyBytes(event);
    } catch (e) {
      throw isPackyardError(e) && e.code === Codes.REQUEST_TOO_LARGE ? tooLargeError(repo, m[3]) : e;
    }
    return await protocol.handle(deps, req);
  } catch (e) {
    if (isPackyardError(e) && e.expose) return protocol.error(e, req);
    log('error', 'registry request failed', {
      requestId: event.requestContext?.requestId,
      path: event.rawPath,
      error: e instanceof Error ? e.stack ?? e.message : String(e),
    });
    return protocol.error(new PackyardError(500, 'INTERNAL', 'internal error'), req);
  }
}

/**
 * The answer to a native request over the Lambda payload limit, in the client's own envelope. API Gateway
 * answers such requests itself in AWS; the local server uses this so the message names the way around it.
 */
export function nativeTooLarge(deps: Pick<AppDeps, 'publicBaseUrl'>, rawPath: string, method: string): HttpResult | undefined {
  const m = PATH.exec(rawPath);
  const protocol = m ? PROTOCOLS[m[3] as RegistrySegment] : undefined;
  if (!m || !protocol) return undefined;
  const repo = `${m[1]}/${m[2]}`;
  const req: NativeRequest = { method, repo, path: m[4], query: {}, headers: {}, body: Buffer.alloc(0), baseUrl: `${deps.publicBaseUrl}/${repo}/${m[3]}` };
  return protocol.error(tooLargeError(repo, m[3]), req);
}

export const tooLargeError = (repo: string, segment: string): PackyardError =>
  tooLarge(
    Codes.REQUEST_TOO_LARGE,
    `requests are limited to ${LIMITS.maxRequestBytes} bytes (about ${Math.floor(LIMITS.maxRequestBytes / 1024 / 1024)} MB); upload larger files with the presigned route: packyard push ${repo}/${segment} <file>`,
  );

export type { NativeProtocol };
