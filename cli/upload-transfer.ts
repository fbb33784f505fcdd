import type { ApiClient } from './api-client';
import type { UploadTicket } from './api-types';
import { CliError } from './errors';
import { fileSlice } from './file-digest';
import { isTransient, networkError, responseError } from './http-errors';
import { mapPool, sleep } from './pool';

/** Told of every chunk handed to the network; a retried request first takes back what it had sent. */
export type BytesSent = (delta: number) => void;

export interface TransferOptions {
  /** Parts in flight per file. */
  partConcurrency: number;
  /** Further tries after a transient failure (network error, 5xx, 408, 429). */
  retries: number;
  /** Wait before retry n is n times this. */
  retryDelayMs: number;
}

export const DEFAULT_TRANSFER: TransferOptions = { partConcurrency: 4, retries: 3, retryDelayMs: 500 };

type SingleTicket = Extract<UploadTicket, { method: 'PUT' }>;
type MultipartTicket = Extract<UploadTicket, { multipart: unknown }>;

/** PUTs bytes [start, end) of the file, streamed, to a presigned URL; returns the response's ETag. */
async function putRange(url: string, headers: Record<string, string>, file: string, start: number, end: number, onBytes: BytesSent, what: string): Promise<string | null> {
  // S3 refuses chunked uploads to presigned URLs: the length must be declared.
  const hasLength = Object.keys(headers).some((h) => h.toLowerCase() === 'content-length');
  const sendHeaders = hasLength ? headers : { ...headers, 'content-length': String(end - start) };
  let res: Response;
  try {
    res = await fetch(url, { method: 'PUT', headers: sendHeaders, body: fileSlice(file, start, end, onBytes), duplex: 'half' });
  } catch (e) {
    throw networkError(e, url);
  }
  if (!res.ok) throw await responseError(res, what);
  await res.arrayBuffer().catch(() => undefined);
  return res.headers.get('etag');
}

/** Runs `fn`, again after transient failures; `fn` gets the attempt number (0 first). */
async function withRetries<T>(opts: TransferOptions, fn: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt >= opts.retries || !isTransient(e)) throw e;
      await sleep(opts.retryDelayMs * (attempt + 1));
    }
  }
}

/** One attempt's byte count, so a failed attempt can be taken back from the progress total. */
function attemptCounter(onBytes: BytesSent) {
  let sent = 0;
  return {
    onBytes: (n: number) => {
      sent += n;
      onBytes(n);
    },
    rewind: () => {
      if (sent > 0) onBytes(-sent);
      sent = 0;
    },
  };
}

async function retriedPut(opts: TransferOptions, onBytes: BytesSent, put: (count: BytesSent) => Promise<string | null>): Promise<string | null> {
  const counter = attemptCounter(onBytes);
  return withRetries(opts, async () => {
    counter.rewind();
    return put(counter.onBytes);
  });
}

export async function putSingle(ticket: SingleTicket, file: string, size: number, onBytes: BytesSent, opts = DEFAULT_TRANSFER): Promise<void> {
  await retriedPut(opts, onBytes, (count) => putRange(ticket.url, ticket.headers ?? {}, file, 0, size, count, 'upload'));
}

/** Each part PUT to its own URL (a few at a time), then the ETags handed back so the server can complete. */
export async function putMultipart(
  client: ApiClient,
  uploadPath: string,
  ticket: MultipartTicket,
  file: string,
  size: number,
  onBytes: BytesSent,
  opts = DEFAULT_TRANSFER,
): Promise<void> {
  const { partSize, parts } = ticket.multipart;
  if (!(partSize > 0) || !Array.isArray(parts) || parts.length === 0 || parts.length !== Math.ceil(size / partSize)) {
    throw new CliError('BAD_RESPONSE', `the server offered ${parts?.length ?? 0} part(s) of ${partSize} bytes for a file of ${size} bytes`);
  }
  const etags = await mapPool(parts, opts.partConcurrency, async (part) => {
    const start = (part.partNumber - 1) * partSize;
    if (!Number.isInteger(part.partNumber) || start < 0 || start >= size) {
      throw new CliError('BAD_RESPONSE', `the server offered part number ${part.partNumber}, outside the file`);
    }
    const end = Math.min(start + partSize, size);
    const etag = await retriedPut(opts, onBytes, (count) => putRange(part.url, {}, file, start, end, count, `upload of part ${part.partNumber}`));
    if (!etag) throw new CliError('BAD_RESPONSE', `part ${part.partNumber} was stored but its response has no ETag header`);
    return { partNumber: part.partNumber, etag };
  });
  etags.sort((a, b) => a.partNumber - b.partNumber);
  await client.post(`${uploadPath}/complete`, { parts: etags });
}
