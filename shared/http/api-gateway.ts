import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { badRequest, Codes, isPackyardError, PackyardError, tooLarge } from '../domain/errors';
import { LIMITS } from '../config';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

export const noContent = (): HttpResult => ({ statusCode: 204, headers: {}, body: '' });

/** The raw request body, decoded from API Gateway's base64 when needed, within the payload limit. */
export function bodyBytes(event: HttpEvent): Buffer {
  const raw = event.body ?? '';
  const buf = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (buf.length > LIMITS.maxRequestBytes) {
    throw tooLarge(Codes.REQUEST_TOO_LARGE, `request bodies are limited to ${LIMITS.maxRequestBytes} bytes; use the presigned upload (packyard push) for larger files`);
  }
  return buf;
}

export function jsonBody(event: HttpEvent): Record<string, unknown> {
  const buf = bodyBytes(event);
  if (buf.length === 0) return {};
  try {
    const v: unknown = JSON.parse(buf.toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through to the typed error
  }
  throw badRequest(Codes.INVALID_REQUEST, 'the request body must be a JSON object');
}

/** Maps any error to the management API's envelope: `{"error": {"code", "message"}}`. */
export function errorResponse(e: unknown): HttpResult {
  const err = isPackyardError(e) ? e : new PackyardError(500, 'INTERNAL', 'internal error');
  const headers: Record<string, string> = err.status === 401 ? { 'www-authenticate': 'Basic realm="packyard"' } : {};
  const body = err.expose ? err.toJSON() : { code: err.code, message: 'internal error' };
  return json(err.status, { error: body }, headers);
}
