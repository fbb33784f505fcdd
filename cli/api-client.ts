import { CliError } from './errors';
import type { CliConfig } from './config';
import { networkError, responseError } from './http-errors';
import { VERSION } from './version';

/** One path segment: owner, repo or id, never trusted to be URL-safe. */
export const seg = (s: string): string => encodeURIComponent(s);

/** The management API (`/api/v1/...`) with the Bearer token; bodies and answers are JSON. */
export class ApiClient {
  constructor(private readonly config: CliConfig) {}

  get baseUrl(): string {
    return this.config.url;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = this.config.url + path;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.config.token}`,
      accept: 'application/json',
      'user-agent': `packyard-cli/${VERSION}`,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw networkError(e, url);
    }
    if (!res.ok) throw await responseError(res, `${method} ${path}`);
    const text = await res.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError('BAD_RESPONSE', `${method} ${path} answered ${res.status} with a body that is not JSON`);
    }
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path);
  }
}
