import { createHash } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { LIMITS } from '../../shared/config';
import { Codes, isPackyardError, notFound } from '../../shared/domain/errors';
import type { BlobStore } from '../../shared/ports/blob-store';
import type { HttpEvent, HttpResult } from '../../shared/http/api-gateway';
import { errorResponse } from '../../shared/http/api-gateway';
import { log } from '../../shared/http/middleware';
import { isCfResponse, type CfRequest, type ViewerRequestFn } from '../../functions/edge-auth/run-function';
import { RouteTable, toApiGatewayEvent } from './api-event';
import { verifyPresigned } from './sigv4';

/** Where presigned PUTs and parts land: the local server checks them, then stores them in the emulator. */
export interface S3Ingress {
  /** The path prefix presigned URLs carry (`/_s3`). */
  prefix: string;
  credentials: Record<string, string>;
  /** Stores a verified single PUT; returns the ETag. */
  putObject(bucket: string, key: string, file: string, size: number): Promise<string>;
  /** Stores a verified multipart part; returns the ETag. */
  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, file: string, size: number): Promise<string>;
}

/** Install scripts beside a repository's files are rendered by the API, as CloudFront routes them. */
const SCRIPT_PATH = /^\/[^/]+\/[^/]+\/script\.(deb|rpm)\.sh$/;

export interface LocalServerOptions {
  apiRoutes: readonly string[];
  api: (event: HttpEvent) => Promise<HttpResult>;
  /** The native registries' routes and handler, reached when the viewer-request function picks the API origin. */
  registryRoutes: readonly string[];
  registry: (event: HttpEvent) => Promise<HttpResult>;
  /** A native request over the payload limit, answered in its client's envelope. */
  registryTooLarge: (rawPath: string, method: string) => HttpResult | undefined;
  viewerRequest: ViewerRequestFn;
  packages: () => BlobStore;
  s3: S3Ingress;
  tmpDir: string;
  isReady: () => boolean;
}

/**
 * The local stand-in for API Gateway, CloudFront (with its viewer-request function) and S3's presigned
 * endpoint: it turns HTTP requests into the events the Lambda handlers receive, so local behaviour is the
 * deployed behaviour.
 */
export function createLocalServer(opts: LocalServerOptions): Server {
  const routes = new RouteTable(opts.apiRoutes);
  const registryRoutes = new RouteTable(opts.registryRoutes);
  let tmpSeq = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = req.method ?? 'GET';
    if (url.pathname === '/healthz') {
      return text(res, opts.isReady() ? 200 : 503, opts.isReady() ? 'ok\n' : 'starting\n');
    }
    if (!opts.isReady()) return text(res, 503, 'starting\n');
    if (url.pathname.startsWith(opts.s3.prefix + '/')) return s3Put(req, res, url);
    // API Gateway's paths: the management API and Packagecloud's install endpoints.
    if (url.pathname === '/api' || url.pathname.startsWith('/api/') || url.pathname.startsWith('/install/') || SCRIPT_PATH.test(url.pathname)) {
      return api(req, res, url, method);
    }
    return read(req, res, url, method);
  }

  /** What API Gateway does for the registry function's greedy routes. */
  async function registry(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const route = registryRoutes.match(method, url.pathname);
    if (!route || route === 'method-not-allowed') return send(res, errorResponse(notFound(Codes.ROUTE_NOT_FOUND, `no route ${method} ${url.pathname}`)));
    const body = await readBody(req, LIMITS.maxRequestBytes);
    if (body === 'too-large') {
      return send(res, opts.registryTooLarge(url.pathname, method) ?? { statusCode: 413, headers: {}, body: '{"message":"Request Entity Too Large"}' });
    }
    const event = toApiGatewayEvent(req, body, route, url);
    // API Gateway passes the path as the client sent it: npm's `@scope%2fname` stays encoded.
    event.rawPath = (req.url ?? '/').split('?')[0];
    send(res, await opts.registry(event));
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const route = routes.match(method, url.pathname);
    if (!route) return send(res, errorResponse(notFound(Codes.ROUTE_NOT_FOUND, `no route ${method} ${url.pathname}`)));
    if (route === 'method-not-allowed') return send(res, { statusCode: 405, headers: {}, body: '{"message":"Method Not Allowed"}' });
    const body = await readBody(req, LIMITS.maxRequestBytes);
    if (body === 'too-large') {
      return send(res, { statusCode: 413, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'REQUEST_TOO_LARGE', message: `request bodies are limited to ${LIMITS.maxRequestBytes} bytes; use the presigned upload (packyard push) for larger files` } }) });
    }
    send(res, await opts.api(toApiGatewayEvent(req, body, route, url)));
  }

  async function read(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const headers: CfRequest['headers'] = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = { value: v };
    const querystring: CfRequest['querystring'] = {};
    for (const [k, v] of url.searchParams) querystring[k] = { value: v };
    const out = await opts.viewerRequest({
      version: '1.0',
      context: { eventType: 'viewer-request' },
      viewer: { ip: req.socket.remoteAddress ?? '127.0.0.1' },
      request: { method, uri: url.pathname, querystring, headers },
    });
    if (!isCfResponse(out) && out.headers['x-packyard-origin']?.value === 'api') return registry(req, res, url, method);
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return text(res, 405, 'method not allowed\n');
    }
    if (isCfResponse(out)) {
      res.statusCode = out.statusCode;
      for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v.value);
      const data = out.body ? Buffer.from(out.body.data, out.body.encoding === 'base64' ? 'base64' : 'utf8') : Buffer.alloc(0);
      res.setHeader('content-length', data.length);
      res.end(method === 'HEAD' ? undefined : data);
      return;
    }
    let key: string;
    try {
      key = decodeURIComponent(out.uri).replace(/^\/+/, '');
    } catch {
      return text(res, 400, 'bad request\n');
    }
    if (!key || key.endsWith('/') || key.split('/').some((p) => p === '..' || p === '.')) return text(res, 404, 'not found\n');
    const range = typeof req.headers.range === 'string' ? req.headers.range : undefined;
    const info = await opts.packages().head(key);
    if (!info) return notFoundRead(res, key);
    const etag = info.etag;
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    const notModified = inm ? inm.split(',').map((s) => s.trim()).includes(etag) || inm.trim() === '*' : ims ? Date.parse(ims) >= Math.floor(info.lastModified.getTime() / 1000) * 1000 : false;
    res.setHeader('etag', etag);
    res.setHeader('last-modified', info.lastModified.toUTCString());
    res.setHeader('accept-ranges', 'bytes');
    if (info.cacheControl) res.setHeader('cache-control', info.cacheControl);
    if (notModified) {
      res.statusCode = 304;
      res.end();
      return;
    }
    // If-Range with a stale validator means: send the whole current object.
    const ifRange = typeof req.headers['if-range'] === 'string' ? req.headers['if-range'] : undefined;
    const useRange = absoluteRange(range, info.size) && (!ifRange || ifRange === etag || Date.parse(ifRange) >= Math.floor(info.lastModified.getTime() / 1000) * 1000) ? range : undefined;
    let obj;
    try {
      obj = await opts.packages().getStream(key, useRange ? absoluteRange(useRange, info.size) : undefined);
    } catch (e) {
      if (isPackyardError(e) && e.status === 416) {
        res.setHeader('content-range', `bytes */${info.size}`);
        return text(res, 416, 'range not satisfiable\n');
      }
      throw e;
    }
    if (!obj) return notFoundRead(res, key);
    res.statusCode = obj.contentRange ? 206 : 200;
    res.setHeader('content-type', info.contentType ?? 'application/octet-stream');
    res.setHeader('content-length', obj.size);
    if (obj.contentRange) res.setHeader('content-range', obj.contentRange);
    if (method === 'HEAD') {
      obj.body.destroy();
      res.end();
      return;
    }
    await pipeline(obj.body, res);
  }

  async function s3Put(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const rawPath = (req.url ?? '').split('?')[0];
    const rawQuery = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
    if (req.method !== 'PUT') return s3Error(res, 405, 'MethodNotAllowed', 'only presigned PUTs are accepted here');
    const verdict = verifyPresigned({ method: 'PUT', rawPath, rawQuery, headers: req.headers }, opts.s3.credentials, new Date());
    if (!verdict.ok) return s3Error(res, 403, 'SignatureDoesNotMatch', verdict.reason);
    const rest = url.pathname.slice(opts.s3.prefix.length + 1);
    const slash = rest.indexOf('/');
    if (slash <= 0) return s3Error(res, 400, 'InvalidRequest', 'bucket and key required');
    const bucket = decodeURIComponent(rest.slice(0, slash));
    const key = decodeURIComponent(rest.slice(slash + 1));
    const declared = Number(req.headers['content-length']);
    if (!Number.isFinite(declared)) return s3Error(res, 411, 'MissingContentLength', 'Content-Length is required');
    const file = join(opts.tmpDir, `put-${process.pid}-${++tmpSeq}`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        req,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            if (size > LIMITS.maxUploadBytes) throw new Error('too large');
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(file),
      );
      if (size !== declared) return s3Error(res, 400, 'IncompleteBody', 'the body does not match Content-Length');
      const checksum = req.headers['x-amz-checksum-sha256'];
      if (typeof checksum === 'string' && checksum !== hash.digest('base64')) {
        return s3Error(res, 400, 'BadDigest', 'the x-amz-checksum-sha256 you specified did not match the calculated checksum');
      }
      const partNumber = url.searchParams.get('partNumber');
      const uploadId = url.searchParams.get('uploadId');
      const etag = partNumber && uploadId
        ? await opts.s3.uploadPart(bucket, key, uploadId, Number(partNumber), file, size)
        : await opts.s3.putObject(bucket, key, file, size);
      res.statusCode = 200;
      res.setHeader('etag', etag);
      res.setHeader('content-length', 0);
      res.end();
    } finally {
      await fsp.rm(file, { force: true });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log('error', 'local server error', { url: req.url, error: e instanceof Error ? e.stack ?? e.message : String(e) });
      if (!res.headersSent) text(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  // Node closes idle keep-alive connections after 5 s, just when a client may reuse one (undici's "other side
  // closed" under load); CloudFront and API Gateway keep them about a minute.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}

/** `bytes=-N` (the last N bytes) as an absolute range: s3rver misreads suffix ranges, S3 does not. */
function absoluteRange(range: string | undefined, size: number): string | undefined {
  const suffix = range && /^bytes=-(\d+)$/.exec(range.trim());
  if (!suffix) return range;
  const n = Math.min(Number(suffix[1]), size);
  return n > 0 ? `bytes=${size - n}-${size - 1}` : range;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, r: HttpResult): void {
  res.statusCode = r.statusCode ?? 200;
  for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, String(v));
  const body = r.body ? Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  res.setHeader('content-length', body.length);
  res.end(body);
}

/** A missing object; npm prints the `error` of a JSON body, the other clients only the status. */
function notFoundRead(res: ServerResponse, key: string): void {
  if (!/^[^/]+\/[^/]+\/npm\//.test(key)) return text(res, 404, 'not found\n');
  const body = '{"error":"not found"}';
  res.statusCode = 404;
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

function text(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

function s3Error(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>\n`;
  res.statusCode = status;
  res.setHeader('content-type', 'application/xml');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

