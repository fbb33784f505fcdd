import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface Recorded {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface FakeUpload {
  id: string;
  filename: string;
  size: number;
  sha256: string;
  distribution: string;
  multipart: boolean;
  parts: Map<number, { bytes: Buffer; etag: string }>;
  received?: Buffer;
  polls: number;
}

/** How the fake answers; tests change these between runs. */
export interface FakeBehaviour {
  token: string;
  /** Files larger than this get a multipart ticket. */
  multipartThreshold: number;
  partSize: number;
  /** Polls answered `pending` after the bytes arrived, before the verdict. */
  pendingPolls: number;
  /** Verdict for a file name: undefined means accepted. */
  reject: (filename: string) => { code: string; message: string } | undefined;
  /** An API error at ticket time for a file name (e.g. a 409), or undefined. */
  refuseTicket: (filename: string) => { status: number; code: string; message: string } | undefined;
  /** `partNumber` -> how many of its first PUT attempts fail with a 500. */
  failPartAttempts: Map<number, number>;
  /** Status answered to GET .../uploads/{id} this many times first (e.g. 503), before the real answer. */
  flakyPolls: number;
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const apiError = (res: http.ServerResponse, status: number, code: string, message: string) => json(res, status, { error: { code, message } });
const s3Error = (res: http.ServerResponse, status: number, code: string, message: string) => {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
};
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

/**
 * A real HTTP server on 127.0.0.1 that plays the management API and the presigned S3 targets as the CLI's
 * contract describes them, checks what the CLI sends, and records every request.
 */
export class FakeRegistry {
  readonly requests: Recorded[] = [];
  readonly uploads = new Map<string, FakeUpload>();
  readonly repos = new Map<string, Record<string, unknown>>();
  readonly tokens: Record<string, unknown>[] = [];
  behaviour: FakeBehaviour = {
    token: 'pky_test',
    multipartThreshold: 1024 * 1024,
    partSize: 64 * 1024,
    pendingPolls: 1,
    reject: () => undefined,
    refuseTicket: () => undefined,
    failPartAttempts: new Map(),
    flakyPolls: 0,
  };
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  private partAttempts = new Map<number, number>();
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Forget requests and uploads between tests; the behaviour goes back to its defaults too. */
  reset(behaviour: Partial<FakeBehaviour> = {}): void {
    this.requests.length = 0;
    this.uploads.clear();
    this.partAttempts.clear();
    this.behaviour = { ...this.behaviour, reject: () => undefined, refuseTicket: () => undefined, failPartAttempts: new Map(), flakyPolls: 0, pendingPolls: 1, multipartThreshold: 1024 * 1024, partSize: 64 * 1024, ...behaviour };
  }

  apiRequests(): Recorded[] {
    return this.requests.filter((r) => r.path.startsWith('/api/'));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    const rec: Recorded = { method: req.method ?? '', path: url.pathname + url.search, headers: req.headers, body };
    this.requests.push(rec);
    try {
      if (url.pathname.startsWith('/s3/')) return this.s3(rec, url, res);
      if (req.headers.authorization !== `Bearer ${this.behaviour.token}`) return apiError(res, 401, 'UNAUTHORIZED', 'authentication required');
      return this.api(rec, url, res);
    } catch (e) {
      apiError(res, 500, 'INTERNAL', String(e));
    }
  }

  private api(rec: Recorded, url: URL, res: http.ServerResponse): void {
    const m = `${rec.method} ${url.pathname}`;
    const input = rec.body.length ? (JSON.parse(rec.body.toString('utf8')) as Record<string, unknown>) : {};
    let g: RegExpExecArray | null;
    if ((g = /^POST \/api\/v1\/repos\/([^/]+)\/([^/]+)\/uploads$/.exec(m))) return this.requestUpload(input, res);
    if ((g = /^POST \/api\/v1\/repos\/[^/]+\/[^/]+\/uploads\/([^/]+)\/complete$/.exec(m))) return this.complete(g[1], input, res);
    if ((g = /^GET \/api\/v1\/repos\/[^/]+\/[^/]+\/uploads\/([^/]+)$/.exec(m))) return this.status(g[1], res);
    if (m === 'POST /api/v1/repos') {
      const name = String(input.name);
      if (this.repos.has(name)) return apiError(res, 409, 'REPO_EXISTS', `repository ${name} already exists`);
      const repo = { name, visibility: input.visibility ?? 'public', description: input.description ?? '', createdAt: '2024-05-01T10:00:00.000Z', signingKeyFingerprint: 'ABCDEF0123456789', signingKeyType: input.signingKey ?? 'rsa4096', packageCount: 0 };
      this.repos.set(name, repo);
      return json(res, 201, repo);
    }
    if (m === 'GET /api/v1/repos') return json(res, 200, { repos: [...this.repos.values()] });
    if ((g = /^(GET|DELETE) \/api\/v1\/repos\/([^/]+)\/([^/]+)$/.exec(m))) {
      const name = `${decodeURIComponent(g[2])}/${decodeURIComponent(g[3])}`;
      const repo = this.repos.get(name);
      if (!repo) return apiError(res, 404, 'REPO_NOT_FOUND', `repository ${name} does not exist`);
      if (g[1] === 'GET') return json(res, 200, repo);
      if ((repo.packageCount as number) > 0 && url.searchParams.get('force') !== 'true') {
        return apiError(res, 409, 'REPO_NOT_EMPTY', `repository ${name} holds packages`);
      }
      this.repos.delete(name);
      res.writeHead(204).end();
      return;
    }
    if (m === 'POST /api/v1/tokens') {
      const view = { id: 'tok_' + randomBytes(4).toString('hex'), name: input.name, kind: 'api', grants: input.grants, admin: input.admin, createdAt: '2024-05-01T10:00:00.000Z', revoked: false, ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}) };
      this.tokens.push(view);
      return json(res, 201, { token: 'pky_' + randomBytes(16).toString('hex'), ...view });
    }
    if (m === 'GET /api/v1/tokens') return json(res, 200, { tokens: this.tokens });
    if ((g = /^DELETE \/api\/v1\/tokens\/([^/]+)$/.exec(m))) {
      const t = this.tokens.find((x) => x.id === decodeURIComponent(g![1]));
      if (!t) return apiError(res, 404, 'TOKEN_NOT_FOUND', `token ${g[1]} does not exist`);
      t.revoked = true;
      res.writeHead(204).end();
      return;
    }
    apiError(res, 404, 'ROUTE_NOT_FOUND', `no route ${m}`);
  }

  private requestUpload(input: Record<string, unknown>, res: http.ServerResponse): void {
    const { filename, size, sha256: sha, distribution } = input as { filename: string; size: number; sha256: string; distribution: string };
    if (typeof filename !== 'string' || typeof size !== 'number' || !/^[0-9a-f]{64}$/.test(String(sha)) || typeof distribution !== 'string') {
      return apiError(res, 400, 'INVALID_REQUEST', 'filename, size, sha256 and distribution are required');
    }
    const refusal = this.behaviour.refuseTicket(filename);
    if (refusal) return apiError(res, refusal.status, refusal.code, refusal.message);
    const id = 'upl_' + randomBytes(6).toString('hex');
    const multipart = size > this.behaviour.multipartThreshold;
    this.uploads.set(id, { id, filename, size, sha256: sha, distribution, multipart, parts: new Map(), polls: 0 });
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    if (multipart) {
      const { partSize } = this.behaviour;
      const parts = Array.from({ length: Math.ceil(size / partSize) }, (_, i) => ({ partNumber: i + 1, url: `${this.url}/s3/incoming/${id}?partNumber=${i + 1}&X-Amz-Signature=x` }));
      return json(res, 201, { uploadId: id, multipart: { partSize, parts }, expiresAt });
    }
    const headers = { 'content-length': String(size), 'x-amz-checksum-sha256': Buffer.from(sha, 'hex').toString('base64'), 'content-type': 'application/octet-stream' };
    json(res, 201, { uploadId: id, method: 'PUT', url: `${this.url}/s3/incoming/${id}?X-Amz-Signature=x`, headers, expiresAt });
  }

  /** The presigned targets: S3 semantics (length and checksum checked, XML errors, ETag per part). */
  private s3(rec: Recorded, url: URL, res: http.ServerResponse): void {
    const id = url.pathname.split('/')[3];
    const upload = this.uploads.get(id);
    if (rec.method !== 'PUT' || !upload) return s3Error(res, 404, 'NoSuchUpload', 'unknown upload');
    if (rec.headers.authorization) return s3Error(res, 400, 'InvalidArgument', 'Only one auth mechanism allowed');
    if (rec.headers['transfer-encoding']) return s3Error(res, 411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
    if (Number(rec.headers['content-length']) !== rec.body.length) return s3Error(res, 400, 'IncompleteBody', 'length mismatch');
    const partNumber = url.searchParams.get('partNumber');
    if (partNumber) {
      const n = Number(partNumber);
      const attempts = (this.partAttempts.get(n) ?? 0) + 1;
      this.partAttempts.set(n, attempts);
      if (attempts <= (this.behaviour.failPartAttempts.get(n) ?? 0)) return s3Error(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
      const etag = `"${createHash('md5').update(rec.body).digest('hex')}"`;
      upload.parts.set(n, { bytes: rec.body, etag });
      res.writeHead(200, { etag }).end();
      return;
    }
    const declared = rec.headers['x-amz-checksum-sha256'];
    if (declared !== sha256(rec.body).toString('base64')) return s3Error(res, 400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
    if (rec.body.length !== upload.size) return s3Error(res, 403, 'SignatureDoesNotMatch', 'size differs from the signed one');
    upload.received = rec.body;
    res.writeHead(200, { etag: `"${createHash('md5').update(rec.body).digest('hex')}"` }).end();
  }

  private complete(id: string, input: Record<string, unknown>, res: http.ServerResponse): void {
    const upload = this.uploads.get(id);
    if (!upload?.multipart) return apiError(res, 400, 'INVALID_REQUEST', 'this upload is not a multipart upload');
    const parts = input.parts as { partNumber: number; etag: string }[];
    if (!Array.isArray(parts) || parts.length !== upload.parts.size) return apiError(res, 400, 'INVALID_REQUEST', 'parts do not match');
    for (let i = 0; i < parts.length; i++) {
      const stored = upload.parts.get(parts[i].partNumber);
      if (parts[i].partNumber !== i + 1 || !stored || stored.etag !== parts[i].etag) return apiError(res, 400, 'INVALID_PART', `part ${parts[i].partNumber} does not match`);
    }
    const whole = Buffer.concat(parts.map((p) => upload.parts.get(p.partNumber)!.bytes));
    if (whole.length !== upload.size || sha256(whole).toString('hex') !== upload.sha256) return apiError(res, 400, 'CHECKSUM_MISMATCH', 'assembled object differs');
    upload.received = whole;
    json(res, 202, { id, status: 'pending' });
  }

  private status(id: string, res: http.ServerResponse): void {
    const upload = this.uploads.get(id);
    if (!upload) return apiError(res, 404, 'UPLOAD_NOT_FOUND', `upload ${id} does not exist`);
    if (this.behaviour.flakyPolls > 0) {
      this.behaviour.flakyPolls--;
      return apiError(res, 503, 'SERVICE_UNAVAILABLE', 'try again');
    }
    const base = { id, filename: upload.filename, distribution: upload.distribution, createdAt: '2024-05-01T10:00:00.000Z' };
    if (!upload.received || upload.polls++ < this.behaviour.pendingPolls) return json(res, 200, { ...base, status: 'pending' });
    const error = this.behaviour.reject(upload.filename);
    if (error) return json(res, 200, { ...base, status: 'rejected', error });
    const [name, version, archDotDeb] = upload.filename.split('_');
    const pkg = { id: 'p1', repo: 'acme/tools', format: 'deb', distribution: upload.distribution, name, version, arch: (archDotDeb ?? '').replace(/\.deb$/, ''), size: upload.size };
    json(res, 200, { ...base, status: 'accepted', package: pkg });
  }
}
