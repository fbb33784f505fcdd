import type { MiddlewareObj } from '@middy/core';
import { isPackyardError } from '../domain/errors';
import { errorResponse, type HttpEvent, type HttpResult } from './api-gateway';

/** Structured JSON log lines with the request id; never logs bodies or headers (they carry secrets). */
export function log(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> = {}): void {
  const entry = { level, message, time: new Date().toISOString(), ...fields };
  // Lambda's JSON log format nests a logged object under `message` beside its own timestamp, level and
  // request id; a string would stay an opaque string there.
  const line = process.env.AWS_LAMBDA_LOG_FORMAT === 'JSON' ? entry : JSON.stringify(entry);
  if (level === 'error') console.error(line);
  else if (process.env.PACKYARD_QUIET !== '1') console.log(line);
}

/** The one place errors become HTTP responses; unexpected ones are logged and answered as a bare 500. */
export const httpErrors = (): MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: async (request) => {
    const e = request.error;
    if (!isPackyardError(e) || !e.expose) {
      log('error', 'request failed', {
        requestId: request.event.requestContext?.requestId,
        route: request.event.routeKey,
        error: e instanceof Error ? e.stack ?? e.message : String(e),
      });
    }
    request.response = errorResponse(e);
  },
});
