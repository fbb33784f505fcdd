import { ApiError, CliError, errorMessage } from './errors';

const snippet = (text: string): string => text.replace(/\s+/g, ' ').trim().slice(0, 200);

/**
 * The error a non-2xx response stands for: the API's `{"error":{"code","message"}}` envelope, S3's XML
 * `<Code>`/`<Message>` (presigned PUTs), or just the status.
 */
export async function responseError(res: Response, what: string): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (body?.error && typeof body.error.code === 'string') {
      return new ApiError(res.status, body.error.code, typeof body.error.message === 'string' ? body.error.message : `${what} failed`);
    }
  } catch {
    // not JSON: fall through to the other shapes
  }
  // S3 error documents are flat and tiny; two tags are all we show, so no XML parser is needed.
  const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]{1,500})<\/Message>/.exec(text)?.[1];
  if (code) return new ApiError(res.status, code, `${what} failed: ${message ?? res.statusText}`);
  const detail = snippet(text);
  return new ApiError(res.status, `HTTP_${res.status}`, `${what} failed with HTTP ${res.status}${detail ? `: ${detail}` : ''}`);
}

/** fetch rejects with `TypeError: fetch failed` and hides the reason in `cause` (an AggregateError may have only a code). */
export function networkError(e: unknown, url: string): CliError {
  const cause = (e as { cause?: { message?: unknown; code?: unknown } } | undefined)?.cause;
  const reason = (cause && (String(cause.message ?? '') || String(cause.code ?? ''))) || errorMessage(e);
  return new CliError('NETWORK_ERROR', `cannot reach ${new URL(url).origin}: ${reason}`);
}

/** Worth another try: the network or the server hiccupped; a 4xx will fail the same way again. */
export const isTransient = (e: unknown): boolean =>
  e instanceof ApiError ? e.status >= 500 || e.status === 408 || e.status === 429 : e instanceof CliError && e.code === 'NETWORK_ERROR';
