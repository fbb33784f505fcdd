import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpJwksSource } from '../../../shared/aws/http-jwks-source';
import type { Clock } from '../../../shared/ports/clock';
import { refusal } from './support/fixtures';
import { LocalIssuer } from './support/local-issuer';

/** A clock the test moves by hand. */
class ManualClock implements Clock {
  t = Date.parse('2025-06-01T12:00:00Z');
  now = () => new Date(this.t);
  advance(seconds: number) {
    this.t += seconds * 1000;
  }
}

let issuer: LocalIssuer;
beforeEach(async () => {
  issuer = await LocalIssuer.start();
  issuer.addKey('RS256', 'one');
});
afterEach(async () => issuer.close());

const source = (clock: Clock, opts: { ttlSeconds?: number; minRefreshSeconds?: number; timeoutMs?: number } = {}) =>
  new HttpJwksSource({ allowInsecureLoopback: true, clock, ...opts });

describe('HttpJwksSource against a loopback issuer', () => {
  it('discovers the JWKS, then serves it from cache until the TTL passes', async () => {
    const clock = new ManualClock();
    const jwks = source(clock, { ttlSeconds: 600 });
    const keys = await jwks.getKeys(issuer.url);
    expect(keys.map((k) => k.kid)).toEqual(['one']);
    expect(issuer.hits).toEqual({ discovery: 1, jwks: 1 });
    clock.advance(599);
    await jwks.getKeys(issuer.url);
    expect(issuer.hits).toEqual({ discovery: 1, jwks: 1 });
    clock.advance(2);
    issuer.addKey('ES256', 'two');
    expect((await jwks.getKeys(issuer.url)).map((k) => k.kid)).toEqual(['one', 'two']);
    expect(issuer.hits).toEqual({ discovery: 2, jwks: 2 });
  });

  it('honours a shorter Cache-Control max-age, but never refetches more often than the refresh floor', async () => {
    const clock = new ManualClock();
    const jwks = source(clock, { ttlSeconds: 600, minRefreshSeconds: 30 });
    issuer.jwksCacheControl = 'public, max-age=120';
    await jwks.getKeys(issuer.url);
    clock.advance(119);
    await jwks.getKeys(issuer.url);
    expect(issuer.hits.jwks).toBe(1);
    clock.advance(2);
    await jwks.getKeys(issuer.url);
    expect(issuer.hits.jwks).toBe(2);
    issuer.jwksCacheControl = 'max-age=0';
    clock.advance(121);
    await jwks.getKeys(issuer.url);
    expect(issuer.hits.jwks).toBe(3);
    clock.advance(29);
    await jwks.getKeys(issuer.url);
    expect(issuer.hits.jwks).toBe(3);
  });

  it('refetches on demand (a rotated key), at most once per refresh interval', async () => {
    const clock = new ManualClock();
    const jwks = source(clock, { minRefreshSeconds: 30 });
    await jwks.getKeys(issuer.url);
    // The key appears right after the cache was filled: the first forced refresh still fetches.
    issuer.addKey('ES256', 'rotated');
    expect((await jwks.refreshKeys(issuer.url)).map((k) => k.kid)).toEqual(['one', 'rotated']);
    expect(issuer.hits.jwks).toBe(2);
    // A flood of tokens with made-up kids costs the issuer nothing more.
    for (let i = 0; i < 5; i++) await jwks.refreshKeys(issuer.url);
    expect(issuer.hits.jwks).toBe(2);
    clock.advance(30);
    await jwks.refreshKeys(issuer.url);
    expect(issuer.hits.jwks).toBe(3);
    // Nothing cached yet: a refresh fetches.
    const fresh = source(clock);
    await fresh.refreshKeys(issuer.url);
    expect(issuer.hits.jwks).toBe(4);
  });

  it('shares one fetch between concurrent callers', async () => {
    const jwks = source(new ManualClock());
    const all = await Promise.all(Array.from({ length: 10 }, () => jwks.getKeys(issuer.url)));
    expect(all.every((k) => k.length === 1)).toBe(true);
    expect(issuer.hits).toEqual({ discovery: 1, jwks: 1 });
  });

  it('finds the discovery document of an issuer with a path', async () => {
    const withPath = await LocalIssuer.start({ path: '/_services/token' });
    try {
      withPath.addKey('ES256', 'p');
      expect((await source(new ManualClock()).getKeys(withPath.url)).map((k) => k.kid)).toEqual(['p']);
      expect(withPath.hits.discovery).toBe(1);
    } finally {
      await withPath.close();
    }
  });

  it('keeps only JWK-shaped entries', async () => {
    issuer.jwksBody = JSON.stringify({ keys: [issuer.keys[0].jwk, 'junk', null, { kid: 'no-kty' }] });
    expect((await source(new ManualClock()).getKeys(issuer.url)).map((k) => k.kid)).toEqual(['one']);
  });
});

describe('HttpJwksSource refusals', () => {
  it('refuses plain http issuers unless loopback is allowed, without a request', async () => {
    const strict = new HttpJwksSource();
    expect(strict.issuerProblem(issuer.url)).toBe('it must be https');
    expect(await refusal(strict.getKeys(issuer.url))).toMatchObject({ status: 401, code: 'OIDC_UNKNOWN_ISSUER' });
    expect(issuer.hits).toEqual({ discovery: 0, jwks: 0 });
    expect(source(new ManualClock()).issuerProblem(issuer.url)).toBeUndefined();
  });

  it('refuses a discovery document that names another issuer', async () => {
    issuer.statedIssuer = 'https://token.actions.githubusercontent.com';
    expect(await refusal(source(new ManualClock()).getKeys(issuer.url))).toMatchObject({ status: 502, code: 'OIDC_ISSUER_UNAVAILABLE' });
    expect(issuer.hits.jwks).toBe(0);
  });

  it('refuses a plain-http jwks_uri off loopback, without fetching it', async () => {
    issuer.jwksUri = 'http://keys.example.invalid/jwks';
    const r = await refusal(source(new ManualClock()).getKeys(issuer.url));
    expect(r).toMatchObject({ status: 502, code: 'OIDC_ISSUER_UNAVAILABLE' });
    expect(r.message).toMatch(/must be https/);
  });

  it('does not follow redirects', async () => {
    issuer.redirectTo = `${issuer.url}/elsewhere`;
    expect(await refusal(source(new ManualClock()).getKeys(issuer.url))).toMatchObject({ code: 'OIDC_ISSUER_UNAVAILABLE' });
  });

  it.each([
    ['an error status', (i: LocalIssuer) => (i.jwksStatus = 500)],
    ['a body that is not JSON', (i: LocalIssuer) => (i.jwksBody = '<html>')],
    ['a JSON body without keys', (i: LocalIssuer) => (i.jwksBody = '{"kids":[]}')],
    ['a body over 512 KiB', (i: LocalIssuer) => (i.jwksBody = JSON.stringify({ keys: [], pad: 'x'.repeat(600 * 1024) }))],
  ])('reports an issuer answering %s as unavailable (502), and tries again next time', async (_what, breakIt) => {
    const jwks = source(new ManualClock());
    breakIt(issuer);
    expect(await refusal(jwks.getKeys(issuer.url))).toMatchObject({ status: 502, code: 'OIDC_ISSUER_UNAVAILABLE' });
    issuer.jwksStatus = 200;
    issuer.jwksBody = undefined;
    expect(await jwks.getKeys(issuer.url)).toHaveLength(1);
  });

  it('gives up on an issuer that does not answer', async () => {
    issuer.hang = true;
    const started = Date.now();
    expect(await refusal(source(new ManualClock(), { timeoutMs: 300 }).getKeys(issuer.url))).toMatchObject({ code: 'OIDC_ISSUER_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports an issuer nobody listens on as unavailable', async () => {
    const probe = createServer();
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((ok) => probe.close(ok));
    expect(await refusal(source(new ManualClock()).getKeys(`http://127.0.0.1:${port}`))).toMatchObject({ status: 502, code: 'OIDC_ISSUER_UNAVAILABLE' });
  });
});
