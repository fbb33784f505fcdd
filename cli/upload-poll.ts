import type { ApiClient } from './api-client';
import type { UploadStatusBody } from './api-types';
import { CliError } from './errors';
import { isTransient } from './http-errors';
import { sleep } from './pool';

export interface PollOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_POLL: PollOptions = { initialDelayMs: 250, maxDelayMs: 2000, timeoutMs: 10 * 60 * 1000 };

/**
 * Asks for the upload's status until the server has decided: accepted or rejected. The delay doubles up to a
 * cap; transient errors (network, 5xx) are waited out like a pending answer, anything else ends the wait.
 */
export async function waitForVerdict(client: ApiClient, uploadPath: string, opts = DEFAULT_POLL): Promise<UploadStatusBody> {
  const deadline = Date.now() + opts.timeoutMs;
  let delay = opts.initialDelayMs;
  for (;;) {
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
    try {
      const body = await client.get<UploadStatusBody>(uploadPath);
      if (body?.status === 'accepted' || body?.status === 'rejected') return body;
      if (body?.status !== 'pending') throw new CliError('BAD_RESPONSE', `unexpected upload status ${JSON.stringify(body?.status)}`);
    } catch (e) {
      if (!isTransient(e)) throw e;
    }
    if (Date.now() >= deadline) {
      throw new CliError('TIMEOUT', `still processing after ${Math.round(opts.timeoutMs / 1000)} s; check later with GET ${uploadPath}`);
    }
    delay = Math.min(delay * 2, opts.maxDelayMs);
  }
}
