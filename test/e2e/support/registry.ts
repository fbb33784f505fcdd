import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRegistry, type LocalRegistry } from '../../../infra/local/registry';

export interface Harness {
  registry: LocalRegistry;
  url: string;
  admin: string;
  tmp: string;
  api: ApiClient;
  /** Everything a client could observe of a repository: its packages, its count and every stored file's sha256. */
  snapshot(repo: string): Promise<{ ids: string[]; files: Record<string, string>; count: number }>;
  close(): Promise<void>;
}

/** The local runtime, exactly as `npm start` runs it, on a free port with a throw-away data dir. */
export async function startHarness(): Promise<Harness> {
  process.env.PACKYARD_QUIET = '1';
  const tmp = await fsp.mkdtemp(join(tmpdir(), 'packyard-e2e-'));
  const registry = await startLocalRegistry({ port: 0, dataDir: join(tmp, 'data') });
  const admin = registry.newAdminToken!;
  const api = new ApiClient(registry.url, admin);
  return {
    registry,
    url: registry.url,
    admin,
    tmp,
    api,
    snapshot: async (repo) => {
      const pkgs = await api.call<{ packages: { id: string }[] }>('GET', `/api/v1/repos/${repo}/packages?limit=1000`);
      const files: Record<string, string> = {};
      for (const b of await registry.deps.packages.list(`${repo}/`)) {
        files[b.key] = createHash('sha256').update(await registry.deps.packages.getBytes(b.key)).digest('hex');
      }
      const meta = await api.call<{ packageCount: number }>('GET', `/api/v1/repos/${repo}`);
      return { ids: pkgs.body.packages.map((p) => p.id).sort(), files, count: meta.body.packageCount };
    },
    close: async () => {
      await registry.close();
      await fsp.rm(tmp, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** A thin client for the management API; returns status and body, never throws on 4xx. */
export class ApiClient {
  constructor(readonly url: string, readonly token?: string) {}

  withToken(token: string | undefined): ApiClient {
    return new ApiClient(this.url, token);
  }

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    let payload: FormData | string | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      h['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(this.url + path, { method, headers: h, body: payload });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  createRepo(name: string, visibility: 'public' | 'private' = 'public') {
    return this.call('POST', '/api/v1/repos', { name, visibility, signingKey: 'ed25519' });
  }

  /** Direct upload (multipart), answered synchronously. */
  async pushDirect(repo: string, distribution: string, file: string) {
    const form = new FormData();
    form.set('distribution', distribution);
    form.set('file', new Blob([await fsp.readFile(file)]), file.split('/').pop());
    return this.call('POST', `/api/v1/repos/${repo}/packages`, form);
  }
}
