import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { createHash, createHmac } from 'node:crypto';

/** The subset of a CloudFront KeyValueStore handle the function uses; `get` rejects for a missing key. */
export interface EdgeKvs {
  get(key: string): Promise<string>;
}

export interface CfValue {
  value: string;
}

export interface CfRequest {
  method: string;
  uri: string;
  querystring: Record<string, CfValue>;
  headers: Record<string, CfValue>;
  cookies?: Record<string, CfValue>;
}

export interface CfResponse {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, CfValue>;
  body?: { encoding: 'text' | 'base64'; data: string };
}

export type ViewerRequestFn = (event: { version: '1.0'; context: { eventType: 'viewer-request' }; viewer: { ip: string }; request: CfRequest }) => Promise<CfRequest | CfResponse>;

export const VIEWER_REQUEST_FILE = join(__dirname, 'viewer-request.js');

/**
 * Runs the CloudFront Function's source as CloudFront does: the file as written, in its own context, with
 * the `cloudfront` module's `kvs()` and the `crypto` module it may require. Used by the local server for every
 * read, and by the tests.
 */
export function loadViewerRequest(kvs: EdgeKvs, source = readFileSync(VIEWER_REQUEST_FILE, 'utf8')): ViewerRequestFn {
  const body = source.replace(/^import cf from 'cloudfront';$/m, '');
  // Origin selection is recorded on the request by the function itself (x-packyard-origin), for the local server.
  const cfModule = { kvs: () => kvs, selectRequestOriginById: (_id: string) => undefined };
  const requireShim = (name: string) => {
    if (name === 'crypto') return { createHash, createHmac };
    throw new Error(`CloudFront Functions have no module ${name}`);
  };
  const context = vm.createContext({ cf: cfModule, require: requireShim, Buffer, Date, JSON });
  vm.runInContext(`${body}\nglobalThis.__handler = handler;`, context, { filename: VIEWER_REQUEST_FILE });
  return (context as { __handler: ViewerRequestFn }).__handler;
}

export const isCfResponse = (r: CfRequest | CfResponse): r is CfResponse => 'statusCode' in r;
