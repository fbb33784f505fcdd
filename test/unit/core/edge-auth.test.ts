import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isCfResponse, loadViewerRequest, VIEWER_REQUEST_FILE, type CfRequest, type CfResponse } from '../../../functions/edge-auth/run-function';
import { EDGE_TOKEN_KEY, repoEdgeKey, repoEdgeValue, revokedEdgeKey, tokenEdgeKey, tokenEdgeValue } from '../../../shared/domain/edge-entries';
import { signReadToken, verifyReadToken } from '../../../shared/domain/read-token';
import type { RepoRecord } from '../../../shared/domain/repo';
import type { TokenRecord } from '../../../shared/domain/token';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const repo = (name: string, visibility: 'public' | 'private') => ({ name, visibility }) as RepoRecord;
const token = (secret: string, t: Partial<TokenRecord>): TokenRecord => ({
  hash: sha(secret), id: 'tok_x', kind: 'api', name: 'n', user: 'u', admin: false, grants: {}, createdAt: '', createdBy: '', revoked: false, ...t,
});

const READER = 'pky_reader_secret_0123456789';
const OTHER = 'pky_other_secret_0123456789abc';
const REVOKED = 'pky_revoked_secret_0123456789';
const EXPIRED = 'pky_expired_secret_0123456789';

function store(): Map<string, string> {
  const m = new Map<string, string>();
  const put = (k: string, v: string | undefined) => v !== undefined && m.set(k, v);
  put(repoEdgeKey('acme/secret'), repoEdgeValue(repo('acme/secret', 'private')));
  put(repoEdgeKey('acme/open'), repoEdgeValue(repo('acme/open', 'public')));
  put(tokenEdgeKey(sha(READER)), tokenEdgeValue(token(READER, { grants: { 'acme/secret': ['read'] } })));
  put(tokenEdgeKey(sha(OTHER)), tokenEdgeValue(token(OTHER, { grants: { 'acme/open': ['read'] } })));
  put(tokenEdgeKey(sha(REVOKED)), tokenEdgeValue(token(REVOKED, { grants: { 'acme/secret': ['read'] }, revoked: true })));
  put(tokenEdgeKey(sha(EXPIRED)), tokenEdgeValue(token(EXPIRED, { grants: { 'acme/secret': ['read'] }, expiresAt: '2020-01-01T00:00:00Z' })));
  return m;
}

// The function's source runs as CloudFront runs it: viewer-request event in, request or response out.
const kv = store();
const fn = loadViewerRequest({ get: async (k) => { const v = kv.get(k); if (v === undefined) throw new Error('not found'); return v; } });

const event = (uri: string, headers: Record<string, string> = {}) => ({
  version: '1.0' as const,
  context: { eventType: 'viewer-request' as const },
  viewer: { ip: '192.0.2.1' },
  request: { method: 'GET', uri, querystring: {}, headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, { value: v }])) } as CfRequest,
});
const basic = (user: string, pass: string) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');

describe('edge-auth viewer-request function', () => {
  it('passes public repositories through untouched', async () => {
    const out = await fn(event('/acme/open/debian/dists/bookworm/InRelease'));
    expect(isCfResponse(out)).toBe(false);
    expect((out as CfRequest).uri).toBe('/acme/open/debian/dists/bookworm/InRelease');
  });

  it('rewrites gpgkey.asc to the stored key', async () => {
    expect(((await fn(event('/acme/open/gpgkey.asc'))) as CfRequest).uri).toBe('/acme/open/gpgkey');
  });

  it('answers anonymous reads of a private repository with 401 and a Basic challenge', async () => {
    const out = (await fn(event('/acme/secret/debian/dists/bookworm/InRelease'))) as CfResponse;
    expect(out.statusCode).toBe(401);
    expect(out.headers?.['www-authenticate'].value).toBe('Basic realm="acme/secret"');
  });

  it.each([
    ['token as Basic user', basic(READER, '')],
    ['token as Basic password', basic('__token__', READER)],
    ['Bearer', `Bearer ${READER}`],
    ['raw', READER],
  ])('lets a valid read token in (%s) and strips it before the origin', async (_what, auth) => {
    const out = await fn(event('/acme/secret/debian/pool/bookworm/main/h/hello/hello_1_amd64.deb', { authorization: auth }));
    expect(isCfResponse(out)).toBe(false);
    expect((out as CfRequest).headers.authorization).toBeUndefined();
  });

  it.each([
    ['a token for another repository', `Bearer ${OTHER}`],
    ['a revoked token', `Bearer ${REVOKED}`],
    ['an expired token', `Bearer ${EXPIRED}`],
    ['an unknown token', 'Bearer pky_unknown_000000000000000'],
    ['garbage', 'Basic !!!'],
  ])('refuses %s', async (_what, auth) => {
    const out = (await fn(event('/acme/secret/debian/dists/bookworm/InRelease', { authorization: auth }))) as CfResponse;
    expect(out.statusCode).toBe(401);
  });

  describe('self-describing read tokens', () => {
    const key = 'ab'.repeat(32);
    const good = signReadToken(key, { repo: 'acme/secret', id: 'tok_r1', parentId: 'tok_m1' });
    const kv2 = new Map([...store(), [EDGE_TOKEN_KEY, key], [revokedEdgeKey('tok_r2'), '1'], [revokedEdgeKey('tok_m3'), '1']]);
    const fn2 = loadViewerRequest({ get: async (k) => { const v = kv2.get(k); if (v === undefined) throw new Error('not found'); return v; } });
    const read = (t: string, uri = '/acme/secret/debian/dists/bookworm/InRelease') => fn2(event(uri, { authorization: basic(t, '') }));

    it('lets a genuine read token read its repository, without a per-token entry', async () => {
      expect(isCfResponse(await read(good))).toBe(false);
      expect(verifyReadToken(key, good)).toEqual({ repo: 'acme/secret', id: 'tok_r1', parentId: 'tok_m1' });
    });

    it.each([
      ['a forged signature', good.slice(0, -4) + '0000'],
      ['another key', signReadToken('cd'.repeat(32), { repo: 'acme/secret', id: 'tok_r1', parentId: 'tok_m1' })],
      ['a token for another repository', signReadToken(key, { repo: 'acme/open2', id: 'tok_r1', parentId: 'tok_m1' })],
      ['a revoked token', signReadToken(key, { repo: 'acme/secret', id: 'tok_r2', parentId: 'tok_m1' })],
      ['a token whose master was revoked', signReadToken(key, { repo: 'acme/secret', id: 'tok_r3', parentId: 'tok_m3' })],
    ])('refuses %s', async (_what, t) => {
      expect(((await read(t)) as CfResponse).statusCode).toBe(401);
    });
  });

  it('stays within CloudFront Functions limits (10 KB, no unsupported syntax)', () => {
    const src = readFileSync(VIEWER_REQUEST_FILE, 'utf8');
    expect(Buffer.byteLength(src)).toBeLessThan(10 * 1024);
    expect(src).not.toMatch(/\bclass\b|\?\?|\?\.|\bmodule\.exports\b|\(\?[!=<]/);
  });

  describe('language registries', () => {
    const req = (method: string, uri: string, headers: Record<string, string> = {}, querystring: Record<string, string> = {}) => {
      const e = event(uri, headers);
      e.request.method = method;
      e.request.querystring = Object.fromEntries(Object.entries(querystring).map(([k, v]) => [k, { value: v }]));
      return fn(e);
    };
    const toApi = (out: CfRequest | CfResponse) => !isCfResponse(out) && out.headers['x-packyard-origin']?.value === 'api';

    it.each([
      ['PUT', '/acme/secret/npm/@acme%2fx'],
      ['POST', '/acme/secret/pypi/legacy/'],
      ['PUT', '/acme/secret/maven/com/acme/lib/1.0/lib-1.0.jar'],
      ['POST', '/acme/secret/gems/api/v1/gems'],
      ['DELETE', '/acme/secret/cargo/api/v1/crates/foo/0.1.0/yank'],
      ['PUT', '/acme/secret/nuget/api/v2/package'],
      ['POST', '/acme/secret/helm/api/charts'],
      ['GET', '/acme/secret/npm/-/whoami'],
      ['GET', '/acme/secret/cargo/index/config.json'],
      ['GET', '/acme/secret/nuget/v3/index.json'],
      ['GET', '/acme/secret/nuget/v3/search'],
    ])('sends %s %s to the API origin unchecked, credentials kept (the API authenticates)', async (method, uri) => {
      const out = await req(method, uri, { authorization: 'Bearer pky_whatever_000000000000' });
      expect(toApi(out)).toBe(true);
      expect((out as CfRequest).uri).toBe(uri);
      expect((out as CfRequest).headers.authorization?.value).toBe('Bearer pky_whatever_000000000000');
    });

    it('never lets a client pick the origin itself', async () => {
      const out = await req('GET', '/acme/open/npm/left-pad', { 'x-packyard-origin': 'api' });
      expect(toApi(out)).toBe(false);
    });

    it.each([
      ['/acme/open/npm/left-pad', {}, {}, '/acme/open/npm/left-pad/index.json'],
      ['/acme/open/npm/left-pad', { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*' }, {}, '/acme/open/npm/left-pad/index.abbrev.json'],
      ['/acme/open/npm/left-pad', { accept: 'application/vnd.npm.install-v1+json' }, { write: 'true' }, '/acme/open/npm/left-pad/index.json'],
      ['/acme/open/npm/@acme%2fx', {}, {}, '/acme/open/npm/@acme/x/index.json'],
      ['/acme/open/npm/@acme%2Fx', {}, {}, '/acme/open/npm/@acme/x/index.json'],
      ['/acme/open/npm/@acme/x', {}, {}, '/acme/open/npm/@acme/x/index.json'],
      ['/acme/open/npm/@acme/x/-/x-1.0.0.tgz', {}, {}, '/acme/open/npm/@acme/x/-/x-1.0.0.tgz'],
      ['/acme/open/npm/-/package/@acme%2fx/dist-tags', {}, {}, '/acme/open/npm/@acme/x/dist-tags.json'],
      ['/acme/open/pypi/simple/', {}, {}, '/acme/open/pypi/simple/index.html'],
      ['/acme/open/pypi/simple/', { accept: 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01' }, {}, '/acme/open/pypi/simple/index.json'],
      ['/acme/open/pypi/simple/Holy_Grail.Py/', {}, {}, '/acme/open/pypi/simple/holy-grail-py/index.html'],
      ['/acme/open/pypi/files/holy-grail/holy_grail-1.0-py3-none-any.whl', {}, {}, '/acme/open/pypi/files/holy-grail/holy_grail-1.0-py3-none-any.whl'],
      ['/acme/open/gems/', {}, {}, '/acme/open/gems/versions'],
      ['/acme/open/maven/com/acme/lib/maven-metadata.xml', {}, {}, '/acme/open/maven/com/acme/lib/maven-metadata.xml'],
    ])('maps GET %s to its object', async (uri, headers, query, key) => {
      const out = await req('GET', uri, headers, query);
      expect(toApi(out)).toBe(false);
      expect((out as CfRequest).uri).toBe(key);
    });

    it('redirects a PEP 503 project URL without its slash', async () => {
      const out = (await req('GET', '/acme/open/pypi/simple/holy-grail')) as CfResponse;
      expect([out.statusCode, out.headers?.location.value]).toEqual([301, '/acme/open/pypi/simple/holy-grail/']);
    });

    it('checks private registry reads like any other file: 401 with a Basic challenge, then the token', async () => {
      const anonymous = (await req('GET', '/acme/secret/maven/com/acme/lib/1.0/lib-1.0.jar')) as CfResponse;
      expect([anonymous.statusCode, anonymous.headers?.['www-authenticate'].value]).toEqual([401, 'Basic realm="acme/secret"']);
      const ok = (await req('GET', '/acme/secret/npm/@acme%2fx', { authorization: `Bearer ${READER}` })) as CfRequest;
      expect([ok.uri, ok.headers.authorization]).toEqual(['/acme/secret/npm/@acme/x/index.json', undefined]);
    });
  });
});
