import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiClient } from '../../../cli/api-client';
import { run } from '../../../cli/main';
import { waitForVerdict } from '../../../cli/upload-poll';
import { captureIo } from './support/capture-io';
import { FakeRegistry } from './support/fake-registry';

const TARGET = 'acme/tools/debian/bookworm';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('packyard push', () => {
  const fake = new FakeRegistry();
  let dir: string;
  const files: Record<string, Buffer> = {};
  const put = (name: string, size: number) => {
    files[name] = randomBytes(size);
    writeFileSync(path.join(dir, name), files[name]);
  };
  const cli = (args: string[], opts: { stderrTTY?: boolean; token?: string } = {}) => {
    const c = captureIo({ env: { PACKYARD_URL: fake.url, PACKYARD_TOKEN: opts.token ?? 'pky_test' }, cwd: dir, stderrTTY: opts.stderrTTY });
    return run(['push', TARGET, ...args], c.io).then((code) => ({ code, out: c.stdout.text, err: c.stderr.text }));
  };
  const uploadOf = (filename: string) => [...fake.uploads.values()].find((u) => u.filename === filename)!;

  beforeAll(async () => {
    await fake.start();
    dir = mkdtempSync(path.join(os.tmpdir(), 'packyard-push-'));
    put('hello_1.0-1_amd64.deb', 12_595);
    put('big_2.0_amd64.deb', 200 * 1024 + 17);
    put('bad_1.0_amd64.deb', 3000);
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => fake.reset());

  it('uploads a small file with one presigned PUT and waits for acceptance', async () => {
    const r = await cli(['hello_1.0-1_amd64.deb']);
    expect(r.err).toBe('');
    expect(r.out).toBe('uploaded hello_1.0-1_amd64.deb (12.3 KiB)\naccepted hello 1.0-1 amd64 -> debian/bookworm\n');
    expect(r.code).toBe(0);

    const [ticket, ...rest] = fake.requests;
    expect(ticket.method).toBe('POST');
    expect(ticket.path).toBe('/api/v1/repos/acme/tools/uploads');
    expect(ticket.headers.authorization).toBe('Bearer pky_test');
    expect(ticket.headers['content-type']).toBe('application/json');
    const body = files['hello_1.0-1_amd64.deb'];
    expect(JSON.parse(ticket.body.toString())).toEqual({ filename: 'hello_1.0-1_amd64.deb', size: body.length, sha256: sha(body), distribution: 'debian/bookworm' });

    const upload = uploadOf('hello_1.0-1_amd64.deb');
    const putReq = rest[0];
    expect(putReq.method).toBe('PUT');
    expect(putReq.path).toBe(`/s3/incoming/${upload.id}?X-Amz-Signature=x`);
    expect(putReq.headers.authorization).toBeUndefined();
    expect(putReq.headers['content-length']).toBe(String(body.length));
    expect(putReq.headers['x-amz-checksum-sha256']).toBe(createHash('sha256').update(body).digest('base64'));
    expect(putReq.headers['content-type']).toBe('application/octet-stream');
    expect(upload.received?.equals(body)).toBe(true);

    const polls = rest.slice(1);
    expect(polls.length).toBe(2); // one pending answer, then the verdict
    expect(polls.every((p) => p.method === 'GET' && p.path === `/api/v1/repos/acme/tools/uploads/${upload.id}`)).toBe(true);
  });

  it('sends a large file in parts, retries a failed part, and completes with the ETags', async () => {
    fake.reset({ multipartThreshold: 100 * 1024, partSize: 64 * 1024, failPartAttempts: new Map([[2, 1]]) });
    const r = await cli(['big_2.0_amd64.deb', '--json']);
    expect(r.code).toBe(0);
    const body = files['big_2.0_amd64.deb'];
    const upload = uploadOf('big_2.0_amd64.deb');
    expect(upload.multipart).toBe(true);
    expect(upload.received?.equals(body)).toBe(true);

    const partPuts = fake.requests.filter((q) => q.method === 'PUT');
    expect(partPuts.map((q) => new URL(q.path, fake.url).searchParams.get('partNumber')).sort()).toEqual(['1', '2', '2', '3', '4']);
    expect(partPuts.every((q) => q.headers.authorization === undefined)).toBe(true);
    const lengths = Object.fromEntries(partPuts.map((q) => [new URL(q.path, fake.url).searchParams.get('partNumber'), q.headers['content-length']]));
    expect(lengths).toEqual({ '1': '65536', '2': '65536', '3': '65536', '4': String(body.length - 3 * 65536) });

    const complete = fake.requests.find((q) => q.path.endsWith('/complete'))!;
    expect(complete.method).toBe('POST');
    expect(complete.path).toBe(`/api/v1/repos/acme/tools/uploads/${upload.id}/complete`);
    const parts = JSON.parse(complete.body.toString()).parts as { partNumber: number; etag: string }[];
    expect(parts.map((p) => p.partNumber)).toEqual([1, 2, 3, 4]);
    expect(parts.every((p) => /^"[0-9a-f]{32}"$/.test(p.etag))).toBe(true);
    // The verdict is asked for only after the upload was completed.
    expect(fake.requests.indexOf(complete)).toBeLessThan(fake.requests.findIndex((q) => q.method === 'GET'));

    expect(JSON.parse(r.out)).toEqual([
      { file: 'big_2.0_amd64.deb', uploadId: upload.id, status: 'accepted', package: expect.objectContaining({ name: 'big', version: '2.0', arch: 'amd64' }) },
    ]);
  });

  it('exits 1 when a file is rejected, and still reports the others', async () => {
    fake.reset({ reject: (f) => (f.startsWith('bad') ? { code: 'DEB_INVALID_VERSION', message: 'version "1.0" has no revision' } : undefined) });
    const r = await cli(['hello_1.0-1_amd64.deb', 'bad_1.0_amd64.deb']);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n').sort();
    expect(lines).toEqual([
      'accepted hello 1.0-1 amd64 -> debian/bookworm',
      'rejected bad_1.0_amd64.deb: DEB_INVALID_VERSION: version "1.0" has no revision',
      'uploaded bad_1.0_amd64.deb (2.9 KiB)',
      'uploaded hello_1.0-1_amd64.deb (12.3 KiB)',
    ]);
  });

  it('--json prints only the results array on stdout; the plain lines go to stderr', async () => {
    fake.reset({
      reject: (f) => (f.startsWith('bad') ? { code: 'DEB_INVALID_VERSION', message: 'bad version' } : undefined),
      refuseTicket: (f) => (f.startsWith('big') ? { status: 409, code: 'PACKAGE_EXISTS', message: 'big 2.0 amd64 is already in debian/bookworm' } : undefined),
    });
    const r = await cli(['--json', 'hello_1.0-1_amd64.deb', 'bad_1.0_amd64.deb', 'big_2.0_amd64.deb']);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.out);
    expect(results).toEqual([
      { file: 'hello_1.0-1_amd64.deb', uploadId: uploadOf('hello_1.0-1_amd64.deb').id, status: 'accepted', package: expect.objectContaining({ name: 'hello', distribution: 'debian/bookworm' }) },
      { file: 'bad_1.0_amd64.deb', uploadId: uploadOf('bad_1.0_amd64.deb').id, status: 'rejected', error: { code: 'DEB_INVALID_VERSION', message: 'bad version' } },
      { file: 'big_2.0_amd64.deb', status: 'failed', error: { code: 'PACKAGE_EXISTS', message: 'big 2.0 amd64 is already in debian/bookworm' } },
    ]);
    expect(r.err).toContain('failed big_2.0_amd64.deb: PACKAGE_EXISTS: big 2.0 amd64 is already in debian/bookworm\n');
    expect(r.err).toContain('accepted hello 1.0-1 amd64 -> debian/bookworm\n');
  });

  it('expands a quoted glob itself and uploads the matches in parallel', async () => {
    const r = await cli(['*_amd64.deb', '--concurrency', '3']);
    expect(r.code).toBe(0);
    expect(new Set([...fake.uploads.values()].map((u) => u.filename))).toEqual(new Set(Object.keys(files)));
    // All three tickets were requested before the first verdict arrived: the files ran side by side.
    const tickets = fake.requests.map((q, i) => (q.path.endsWith('/uploads') ? i : -1)).filter((i) => i >= 0);
    const firstPoll = fake.requests.findIndex((q) => q.method === 'GET');
    expect(tickets).toHaveLength(3);
    expect(Math.max(...tickets)).toBeLessThan(firstPoll);
  });

  it('--concurrency 1 handles one file after the other', async () => {
    const r = await cli(['hello_1.0-1_amd64.deb', 'bad_1.0_amd64.deb', '--concurrency', '1']);
    expect(r.code).toBe(0);
    const kinds = fake.requests.map((q) => (q.path.endsWith('/uploads') ? 'ticket' : q.method));
    expect(kinds).toEqual(['ticket', 'PUT', 'GET', 'GET', 'ticket', 'PUT', 'GET', 'GET']);
  });

  it('--no-wait stops after the upload and reports the file as pending', async () => {
    const r = await cli(['hello_1.0-1_amd64.deb', '--no-wait', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual([{ file: 'hello_1.0-1_amd64.deb', uploadId: uploadOf('hello_1.0-1_amd64.deb').id, status: 'pending' }]);
    expect(fake.requests.some((q) => q.method === 'GET')).toBe(false);
    expect(r.err).toBe('uploaded hello_1.0-1_amd64.deb (12.3 KiB)\n');
  });

  it('waits out transient errors while polling', async () => {
    fake.reset({ flakyPolls: 1 });
    const r = await cli(['hello_1.0-1_amd64.deb']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('accepted hello 1.0-1 amd64 -> debian/bookworm');
  });

  it('reports an API error (wrong token) per file and exits 1', async () => {
    const r = await cli(['hello_1.0-1_amd64.deb'], { token: 'pky_wrong' });
    expect(r.code).toBe(1);
    expect(r.out).toBe('failed hello_1.0-1_amd64.deb: UNAUTHORIZED: authentication required\n');
    expect(fake.requests).toHaveLength(1);
  });

  it('draws progress bars on a terminal (stderr) and keeps stdout empty', async () => {
    const r = await cli(['hello_1.0-1_amd64.deb', 'bad_1.0_amd64.deb'], { stderrTTY: true });
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toContain('\x1b[2K');
    expect(r.err).toContain('\x1b[2A'); // redraws two lines in place
    expect(r.err).toMatch(/hello_1\.0-1_amd64\.deb +processing…/);
    // The last frame shows both verdicts.
    const lastFrame = r.err.slice(r.err.lastIndexOf('\x1b[2A'));
    expect(lastFrame).toContain('hello_1.0-1_amd64.deb  accepted hello 1.0-1 amd64 -> debian/bookworm');
    expect(lastFrame).toContain('bad_1.0_amd64.deb      accepted bad 1.0 amd64 -> debian/bookworm');
  });

  it('gives up polling after the timeout', async () => {
    fake.reset({ pendingPolls: 1_000 });
    await cli(['hello_1.0-1_amd64.deb', '--no-wait']);
    const client = new ApiClient({ url: fake.url, token: 'pky_test' });
    const id = uploadOf('hello_1.0-1_amd64.deb').id;
    const started = Date.now();
    await expect(waitForVerdict(client, `/api/v1/repos/acme/tools/uploads/${id}`, { initialDelayMs: 20, maxDelayMs: 50, timeoutMs: 300 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fake.requests.filter((q) => q.method === 'GET').length).toBeGreaterThanOrEqual(4);
  });
});
