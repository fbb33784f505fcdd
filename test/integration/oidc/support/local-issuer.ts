import { constants, generateKeyPairSync, randomBytes, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A signing key of the test issuer: the private half signs, the public JWK is what the JWKS publishes. */
export interface IssuerKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
  jwk: JsonWebKey;
}

/** Generates a key for `alg` (RS*, PS*, ES256/384/512, EdDSA). */
export function generateKey(alg: string, kid = `k-${randomBytes(4).toString('hex')}`, rsaBits = 2048): IssuerKey {
  const pair = alg.startsWith('RS') || alg.startsWith('PS')
    ? generateKeyPairSync('rsa', { modulusLength: rsaBits })
    : alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg] ?? 'P-256' });
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { kid, alg, privateKey: pair.privateKey, jwk };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');

/** Signs a compact JWS the way an issuer does; written from RFC 7515/7518, independently of the verifier. */
export function signJwt(claims: Record<string, unknown>, key: IssuerKey, header: Record<string, unknown> = {}): string {
  const alg = (header.alg as string | undefined) ?? key.alg;
  const input = `${b64({ alg, typ: 'JWT', kid: key.kid, ...header })}.${b64(claims)}`;
  const data = Buffer.from(input);
  const hash = `sha${alg.slice(2)}`;
  let sig: Buffer;
  if (alg.startsWith('RS')) sig = sign(hash, data, key.privateKey);
  else if (alg.startsWith('PS')) sig = sign(hash, data, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 });
  else if (alg.startsWith('ES')) sig = sign(hash, data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  else sig = sign(null, data, key.privateKey);
  return `${input}.${sig.toString('base64url')}`;
}

export interface LocalIssuerOptions {
  /** A path under the host, as GitHub Enterprise issuers have (`https://HOST/_services/token`). */
  path?: string;
  host?: string;
}

/**
 * An OIDC issuer on loopback: `/.well-known/openid-configuration` and a JWKS, counting the requests it gets.
 * Tests change its behaviour through the public fields.
 */
export class LocalIssuer {
  readonly keys: IssuerKey[] = [];
  readonly hits = { discovery: 0, jwks: 0 };
  /** The `issuer` the discovery document states (a mismatch must be refused). */
  statedIssuer?: string;
  jwksStatus = 200;
  jwksCacheControl?: string;
  /** Replaces the JWKS body (e.g. with junk). */
  jwksBody?: string;
  /** The `jwks_uri` the discovery document states. */
  jwksUri?: string;
  /** Never answer (a hung issuer). */
  hang = false;
  /** Answer discovery with a redirect to this URL. */
  redirectTo?: string;
  /**
   * GitHub's runner token service, as a job sees it: `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=...` with
   * `Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN` answers `{"value": "<JWT>"}` for those claims.
   */
  actions?: { requestToken: string; claims: Record<string, unknown> };

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(opts: LocalIssuerOptions = {}): Promise<LocalIssuer> {
    const host = opts.host ?? '127.0.0.1';
    let issuer: LocalIssuer | undefined;
    const server = createServer((req, res) => {
      const it = issuer!;
      if (it.hang) return;
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const base = new URL(it.url).pathname.replace(/\/$/, '');
      if (path === `${base}/.well-known/openid-configuration`) {
        it.hits.discovery++;
        if (it.redirectTo) {
          res.writeHead(302, { location: it.redirectTo }).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({
          issuer: it.statedIssuer ?? it.url,
          jwks_uri: it.jwksUri ?? `${it.url}/jwks`,
          id_token_signing_alg_values_supported: ['RS256', 'ES256'],
          response_types_supported: ['id_token'],
          subject_types_supported: ['public'],
        }));
        return;
      }
      if (path === `${base}/token-request` && it.actions) {
        const audience = new URL(req.url ?? '/', 'http://x').searchParams.get('audience');
        if (req.headers.authorization !== `bearer ${it.actions.requestToken}`) {
          res.writeHead(401).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ value: it.token({ ...it.actions.claims, ...(audience ? { aud: audience } : {}) }), count: 1 }));
        return;
      }
      if (path === `${base}/jwks`) {
        it.hits.jwks++;
        res.writeHead(it.jwksStatus, { 'content-type': 'application/json', ...(it.jwksCacheControl ? { 'cache-control': it.jwksCacheControl } : {}) });
        res.end(it.jwksBody ?? JSON.stringify({ keys: it.keys.map((k) => k.jwk) }));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((ok) => server.listen(0, host, ok));
    const port = (server.address() as AddressInfo).port;
    issuer = new LocalIssuer(server, `http://${host}:${port}${opts.path ?? ''}`);
    return issuer;
  }

  /** Generates and publishes a key. */
  addKey(alg = 'RS256', kid?: string): IssuerKey {
    const key = generateKey(alg, kid);
    this.keys.push(key);
    return key;
  }

  unpublish(kid: string): void {
    const i = this.keys.findIndex((k) => k.kid === kid);
    if (i >= 0) this.keys.splice(i, 1);
  }

  /** A token from this issuer, valid now for five minutes, with the given claims on top. */
  token(claims: Record<string, unknown>, key: IssuerKey = this.keys[0], header: Record<string, unknown> = {}): string {
    const now = Math.floor(Date.now() / 1000);
    return signJwt({ iss: this.url, iat: now, nbf: now, exp: now + 300, ...claims }, key, header);
  }

  /** What a job's environment carries for the runner token service. */
  get actionsEnv(): Record<string, string> {
    return { ACTIONS_ID_TOKEN_REQUEST_URL: `${this.url}/token-request?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.actions?.requestToken ?? '' };
  }

  resetHits(): void {
    this.hits.discovery = 0;
    this.hits.jwks = 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((ok) => this.server.close(() => ok()));
  }
}

/** The claims GitHub Actions puts in its ID tokens (a push to main of acme/app), for realistic tests. */
export function githubClaims(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: 'repo:acme/app:ref:refs/heads/main',
    aud: 'https://packyard.example',
    repository: 'acme/app',
    repository_owner: 'acme',
    repository_id: '123456',
    ref: 'refs/heads/main',
    ref_type: 'branch',
    workflow: 'release',
    job_workflow_ref: 'acme/app/.github/workflows/release.yml@refs/heads/main',
    event_name: 'push',
    run_id: '987654321',
    actor: 'octocat',
    jti: randomBytes(8).toString('hex'),
    ...over,
  };
}
