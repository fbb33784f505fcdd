import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { buildDeb } from '../support/debs';
import { ApiClient, startHarness, type Harness } from './support/registry';

let h: Harness;
let debs: string;

beforeAll(async () => {
  h = await startHarness();
  debs = join(h.tmp, 'debs');
  await fsp.mkdir(debs);
});
afterAll(async () => h?.close());

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface Ticket {
  uploadId: string;
  url: string;
  headers: Record<string, string>;
}

async function requestUpload(repo: string, bytes: Uint8Array, distribution = 'debian/bookworm', filename = 'x.deb') {
  return h.api.call<Ticket>('POST', `/api/v1/repos/${repo}/uploads`, { filename, size: bytes.length, sha256: sha256(bytes), distribution });
}

async function waitForUpload(repo: string, id: string) {
  for (let i = 0; i < 200; i++) {
    await h.registry.idle();
    const res = await h.api.call<{ status: string; package?: Record<string, unknown>; error?: { code: string; message: string } }>(
      'GET',
      `/api/v1/repos/${repo}/uploads/${id}`,
    );
    if (res.body.status !== 'pending') return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`upload ${id} still pending`);
}


describe('presigned uploads', () => {
  const repo = 'acme/presigned';
  beforeAll(async () => expect((await h.api.createRepo(repo)).status).toBe(201));

  it('accepts a file PUT to the presigned URL and reports the package', async () => {
    const bytes = await fsp.readFile(await buildDeb(debs, { name: 'uploaded', version: '3.1-2' }));
    const ticket = await requestUpload(repo, bytes, 'debian/bookworm', 'uploaded_3.1-2_amd64.deb');
    expect(ticket.status).toBe(201);
    const put = await fetch(ticket.body.url, { method: 'PUT', headers: ticket.body.headers, body: bytes });
    expect(put.status).toBe(200);
    const done = await waitForUpload(repo, ticket.body.uploadId);
    expect(done.status).toBe('accepted');
    expect(done.package).toMatchObject({ name: 'uploaded', version: '3.1-2', arch: 'amd64', distribution: 'debian/bookworm' });
    const index = await fetch(`${h.url}/${repo}/debian/dists/bookworm/main/binary-amd64/Packages`);
    expect(await index.text()).toMatch(/^Package: uploaded$/m);
    // The incoming object is gone once processed.
    expect(await h.registry.deps.incoming.list('incoming/')).toEqual([]);
  });

  it('rejects a tampered URL, a body that does not match the declared sha256, and an expired signature', async () => {
    const bytes = await fsp.readFile(await buildDeb(debs, { name: 'guarded', version: '1.0' }));
    const ticket = (await requestUpload(repo, bytes)).body;
    const before = await h.snapshot(repo);
    const otherKey = ticket.url.replace(/incoming\/[^?]+/, 'incoming/someone-elses');
    expect((await fetch(otherKey, { method: 'PUT', headers: ticket.headers, body: bytes })).status).toBe(403);
    const evil = Buffer.from(bytes);
    evil[evil.length - 1] ^= 0xff;
    const bad = await fetch(ticket.url, { method: 'PUT', headers: ticket.headers, body: evil });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/BadDigest/);
    const noSig = ticket.url.replace(/X-Amz-Signature=[0-9a-f]+/, 'X-Amz-Signature=' + '0'.repeat(64));
    expect((await fetch(noSig, { method: 'PUT', headers: ticket.headers, body: bytes })).status).toBe(403);
    await h.registry.idle();
    expect(await h.snapshot(repo)).toEqual(before);
    const status = await h.api.call<{ status: string }>('GET', `/api/v1/repos/${repo}/uploads/${ticket.uploadId}`);
    expect(status.body.status).toBe('pending');
  });

  it('reports a rejected upload with its code and leaves the repository unchanged', async () => {
    const before = await h.snapshot(repo);
    const bytes = await fsp.readFile(await buildDeb(debs, { name: 'badver', version: 'x', rawControl: 'Package: badver\nVersion: 1.0 beta\nArchitecture: amd64\nMaintainer: T <t@t.invalid>\nDescription: d\n' }));
    const ticket = (await requestUpload(repo, bytes)).body;
    expect((await fetch(ticket.url, { method: 'PUT', headers: ticket.headers, body: bytes })).status).toBe(200);
    const done = await waitForUpload(repo, ticket.uploadId);
    expect(done.status).toBe('rejected');
    expect(done.error?.code).toBe('DEB_INVALID_VERSION');
    expect(await h.snapshot(repo)).toEqual(before);
  });

  it('validates the upload request itself', async () => {
    const ok = { filename: 'a.deb', size: 10, sha256: 'a'.repeat(64), distribution: 'debian/bookworm' };
    const cases: [Record<string, unknown>, number, string][] = [
      [{ ...ok, size: -1 }, 400, 'INVALID_REQUEST'],
      [{ ...ok, size: 6e12 }, 400, 'FILE_TOO_LARGE'],
      [{ ...ok, sha256: 'nothex' }, 400, 'INVALID_REQUEST'],
      [{ ...ok, distribution: 'bookworm' }, 400, 'INVALID_DISTRIBUTION'],
      [{ ...ok, distribution: 'debian/../../etc' }, 400, 'INVALID_DISTRIBUTION'],
      [{ ...ok, distribution: 'plan9/4' }, 400, 'INVALID_DISTRIBUTION'],
    ];
    for (const [body, status, code] of cases) {
      const res = await h.api.call<{ error: { code: string } }>('POST', `/api/v1/repos/${repo}/uploads`, body);
      expect([JSON.stringify(body), res.status, res.body.error?.code]).toEqual([JSON.stringify(body), status, code]);
    }
  });
});

describe('bad input through the direct upload', () => {
  const repo = 'acme/strict';
  let good: string;
  let reader: ApiClient;

  beforeAll(async () => {
    expect((await h.api.createRepo(repo)).status).toBe(201);
    good = await buildDeb(debs, { name: 'good', version: '1.0-1' });
    expect((await h.api.pushDirect(repo, 'debian/bookworm', good)).status).toBe(201);
    await h.registry.idle();
    const t = await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'reader', grants: { [repo]: ['read'] } });
    reader = h.api.withToken(t.body.token);
  });

  const control = (fields: Record<string, string | undefined>) =>
    Object.entries({ Package: 'p', Version: '1.0', Architecture: 'amd64', Maintainer: 'T <t@t.invalid>', Description: 'd', ...fields })
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n') + '\n';

  async function file(name: string, bytes: Uint8Array | string): Promise<string> {
    const p = join(debs, name);
    await fsp.writeFile(p, bytes);
    return p;
  }

  /** An ar archive whose second member has the given header fields. */
  function arWith(name: string, size: string): Buffer {
    const pad = (s: string, n: number) => s.padEnd(n, ' ');
    const header = (n: string, sz: string) => Buffer.from(pad(n, 16) + pad('0', 12) + pad('0', 6) + pad('0', 6) + pad('100644', 8) + pad(sz, 10) + '`\n', 'latin1');
    return Buffer.concat([Buffer.from('!<arch>\n'), header('debian-binary', '4'), Buffer.from('2.0\n'), header(name, size), Buffer.from('xx')]);
  }

  it('rejects each kind of bad package with a clear error and changes nothing', async () => {
    const before = await h.snapshot(repo);
    const goodBytes = await fsp.readFile(good);
    const cases: [string, () => Promise<string>, number, string][] = [
      ['not a package', () => file('text.deb', 'hello, I am not a package\n'), 415, 'UNKNOWN_FORMAT'],
      ['empty file', () => file('empty.deb', ''), 400, 'EMPTY_FILE'],
      ['truncated', () => file('trunc.deb', goodBytes.subarray(0, goodBytes.length - 200)), 400, 'DEB_TRUNCATED'],
      ['absurd member size', () => file('huge.deb', arWith('control.tar.gz', '9999999999')), 400, 'DEB_'],
      ['path traversal in member name', () => file('trav.deb', arWith('../../etc/x', '2')), 400, 'DEB_'],
      ['missing Maintainer', () => buildDeb(debs, { name: 'nomaint', version: '1', rawControl: control({ Package: 'nomaint', Maintainer: undefined }) }), 400, 'DEB_MISSING_FIELD'],
      ['invalid version', () => buildDeb(debs, { name: 'badv', version: '1', rawControl: control({ Package: 'badv', Version: '1.0 beta' }) }), 400, 'DEB_INVALID_VERSION'],
      ['invalid name', () => buildDeb(debs, { name: 'badn', version: '1', rawControl: control({ Package: 'Bad_Name' }) }), 400, 'DEB_INVALID_NAME'],
      ['duplicate', async () => good, 409, 'PACKAGE_EXISTS'],
    ];
    for (const [what, make, status, code] of cases) {
      const res = await h.api.pushDirect(repo, 'debian/bookworm', await make());
      const body = res.body as { error?: { code: string; message: string } };
      expect([what, res.status]).toEqual([what, status]);
      expect(body.error?.code.startsWith(code)).toBe(true);
      expect(body.error?.message.length).toBeGreaterThan(5);
    }
    await h.registry.idle();
    expect(await h.snapshot(repo)).toEqual(before);
  });

  it('answers 401, 403 and 404 for credentials and repositories', async () => {
    const before = await h.snapshot(repo);
    const anon = await h.api.withToken(undefined).pushDirect(repo, 'debian/bookworm', good);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic/);
    const wrong = await h.api.withToken('pky_' + 'x'.repeat(43)).pushDirect(repo, 'debian/bookworm', good);
    expect(wrong.status).toBe(401);
    const ro = await reader.pushDirect(repo, 'debian/bookworm', good);
    expect(ro.status).toBe(403);
    expect((ro.body as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    const missing = await h.api.pushDirect('acme/nope', 'debian/bookworm', good);
    expect(missing.status).toBe(404);
    expect((missing.body as { error: { code: string } }).error.code).toBe('REPO_NOT_FOUND');
    expect((await reader.createRepo('acme/mine')).status).toBe(403);
    await h.registry.idle();
    expect(await h.snapshot(repo)).toEqual(before);
  });

  it('limits direct uploads to the API Gateway payload size', async () => {
    const big = await file('big.deb', Buffer.alloc(7 * 1024 * 1024, 1));
    const res = await h.api.pushDirect(repo, 'debian/bookworm', big);
    expect(res.status).toBe(413);
    expect(JSON.stringify(res.body)).toMatch(/packyard push/);
  });
});

describe('repositories', () => {
  it('creates, lists, shows, makes private and deletes', async () => {
    const created = await h.api.createRepo('acme/lifecycle');
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'acme/lifecycle', visibility: 'public', packageCount: 0 });
    expect((await h.api.createRepo('acme/lifecycle')).status).toBe(409);
    expect((await h.api.createRepo('Not A Name')).status).toBe(400);
    const list = await h.api.call<{ repos: { name: string }[] }>('GET', '/api/v1/repos');
    expect(list.body.repos.map((r) => r.name)).toContain('acme/lifecycle');

    const key = await fetch(`${h.url}/acme/lifecycle/gpgkey`);
    expect(await key.text()).toMatch(/BEGIN PGP PUBLIC KEY BLOCK/);
    const bin = await fetch(`${h.url}/acme/lifecycle/gpgkey.gpg`);
    expect(new Uint8Array(await bin.arrayBuffer())[0] & 0x80).toBe(0x80);

    expect((await h.api.pushDirect('acme/lifecycle', 'ubuntu/noble', await buildDeb(debs, { name: 'life', version: '1' }))).status).toBe(201);
    await h.registry.idle();
    const inRelease = `${h.url}/acme/lifecycle/ubuntu/dists/noble/InRelease`;
    expect((await fetch(inRelease)).status).toBe(200);

    const priv = await h.api.call('PATCH', '/api/v1/repos/acme/lifecycle', { visibility: 'private' });
    expect(priv.status).toBe(200);
    expect((await fetch(inRelease)).status).toBe(401);
    expect((await fetch(inRelease, { headers: { authorization: `Bearer ${h.admin}` } })).status).toBe(200);

    const refused = await h.api.call<{ error: { code: string } }>('DELETE', '/api/v1/repos/acme/lifecycle');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('REPO_NOT_EMPTY');
    expect((await h.api.call('DELETE', '/api/v1/repos/acme/lifecycle?force=true')).status).toBe(204);
    expect((await h.api.call('GET', '/api/v1/repos/acme/lifecycle')).status).toBe(404);
    expect(await h.registry.deps.packages.list('acme/lifecycle/')).toEqual([]);
  });

  it('serves static files with ranges and conditional requests', async () => {
    expect((await h.api.createRepo('acme/ranges')).status).toBe(201);
    const deb = await buildDeb(debs, { name: 'ranged', version: '1' });
    const pushed = await h.api.pushDirect('acme/ranges', 'debian/bookworm', deb);
    const { blobKey, size } = pushed.body as { blobKey: string; size: number };
    const url = `${h.url}/${blobKey}`;
    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('cache-control')).toMatch(/immutable/);
    const etag = whole.headers.get('etag')!;
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(bytes.length).toBe(size);
    const part = await fetch(url, { headers: { range: 'bytes=8-67' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 8-67/${size}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(8, 68));
    const tail = await fetch(url, { headers: { range: 'bytes=-10' } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(size - 10));
    expect((await fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${h.url}/acme/ranges/debian/pool/nothing.deb`)).status).toBe(404);
  });
});
