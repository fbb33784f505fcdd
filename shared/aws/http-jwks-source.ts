import type { JsonWebKey } from 'node:crypto';
import { PackyardError } from '../domain/errors';
import { issuerUrlProblem, OidcCodes, oidcRefusal, urlSchemeProblem } from '../domain/jwt';
import { systemClock, type Clock } from '../ports/clock';
import type { JwksSource } from '../ports/jwks-source';

export interface HttpJwksSourceOptions {
  /** Accept `http://127.0.0.1` / `http://localhost` issuers (the local runtime and tests); never in AWS. */
  allowInsecureLoopback?: boolean;
  /** How long fetched keys are used; a shorter `Cache-Control: max-age` on the JWKS wins. Default 10 min. */
  ttlSeconds?: number;
  /**
   * Forced refreshes of one issuer at most this often, so tokens with made-up `kid`s cannot make us hammer it;
   * also the shortest cache lifetime. Default 30 s.
   */
  minRefreshSeconds?: number;
  /** For the discovery document and the JWKS, each. Default 5 s. */
  timeoutMs?: number;
  clock?: Clock;
}

interface Entry {
  keys: JsonWebKey[];
  fetchedAt: number;
  freshUntil: number;
}

/** Discovery documents and key sets are a few KB; anything far bigger is not one. */
const MAX_DOCUMENT_BYTES = 512 * 1024;
const MAX_KEYS = 100;

const unavailable = (message: string) => new PackyardError(502, OidcCodes.ISSUER_UNAVAILABLE, message);

/**
 * JWKS over HTTPS with global fetch (Lambda and the local runtime alike): discovery, then `jwks_uri`, cached
 * per issuer. The cache lives as long as the process (a warm Lambda container keeps it).
 */
export class HttpJwksSource implements JwksSource {
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Entry>>();
  private readonly lastForced = new Map<string, number>();
  private readonly allowInsecureLoopback: boolean;
  private readonly ttlMs: number;
  private readonly minRefreshMs: number;
  private readonly timeoutMs: number;
  private readonly clock: Clock;

  constructor(opts: HttpJwksSourceOptions = {}) {
    this.allowInsecureLoopback = opts.allowInsecureLoopback ?? false;
    this.ttlMs = (opts.ttlSeconds ?? 600) * 1000;
    this.minRefreshMs = (opts.minRefreshSeconds ?? 30) * 1000;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.clock = opts.clock ?? systemClock;
  }

  issuerProblem(issuer: string): string | undefined {
    return issuerUrlProblem(issuer, this.allowInsecureLoopback);
  }

  async getKeys(issuer: string): Promise<JsonWebKey[]> {
    const entry = this.cache.get(issuer);
    if (entry && this.now() < entry.freshUntil) return entry.keys;
    return (await this.load(issuer)).keys;
  }

  async refreshKeys(issuer: string): Promise<JsonWebKey[]> {
    const entry = this.cache.get(issuer);
    const last = this.lastForced.get(issuer);
    if (entry && last !== undefined && this.now() - last < this.minRefreshMs) return entry.keys;
    this.lastForced.set(issuer, this.now());
    return (await this.load(issuer)).keys;
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  /** One fetch per issuer at a time; concurrent callers share it. */
  private load(issuer: string): Promise<Entry> {
    const running = this.inflight.get(issuer);
    if (running) return running;
    const p = this.fetchEntry(issuer).finally(() => this.inflight.delete(issuer));
    this.inflight.set(issuer, p);
    return p;
  }

  private async fetchEntry(issuer: string): Promise<Entry> {
    const problem = this.issuerProblem(issuer);
    if (problem) throw oidcRefusal(OidcCodes.UNKNOWN_ISSUER, `issuer ${issuer} is not accepted: ${problem}`);
    // OpenID Connect Discovery 4: the issuer URL without a trailing slash, then the well-known path.
    const discoveryUrl = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const discovery = await this.fetchJson(discoveryUrl);
    if (discovery.body.issuer !== issuer) {
      // Discovery 4.3: a document naming another issuer must not be used.
      throw unavailable(`${discoveryUrl} names issuer ${JSON.stringify(discovery.body.issuer)}, not ${issuer}`);
    }
    const jwksUri = discovery.body.jwks_uri;
    if (typeof jwksUri !== 'string') throw unavailable(`${discoveryUrl} has no jwks_uri`);
    const schemeProblem = urlSchemeProblem(jwksUri, this.allowInsecureLoopback);
    if (schemeProblem) throw unavailable(`the jwks_uri of ${issuer} (${jwksUri}) is refused: ${schemeProblem}`);
    const jwks = await this.fetchJson(jwksUri);
    const keys = jwks.body.keys;
    if (!Array.isArray(keys)) throw unavailable(`${jwksUri} is not a JWK set (no "keys" list)`);
    const valid = keys.filter((k): k is JsonWebKey => !!k && typeof k === 'object' && typeof (k as JsonWebKey).kty === 'string');
    const now = this.now();
    const ttl = Math.max(this.minRefreshMs, Math.min(this.ttlMs, jwks.maxAgeMs ?? Infinity));
    const entry: Entry = { keys: valid.slice(0, MAX_KEYS), fetchedAt: now, freshUntil: now + ttl };
    this.cache.set(issuer, entry);
    return entry;
  }

  private async fetchJson(url: string): Promise<{ body: Record<string, unknown>; maxAgeMs?: number }> {
    let res: Response;
    let text: string;
    try {
      // No redirects: an https issuer must not be able to send us to plain http.
      res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } });
      if (res.status !== 200) {
        await res.body?.cancel();
        throw unavailable(`${url} answered ${res.status}`);
      }
      text = await readCapped(res, MAX_DOCUMENT_BYTES, url);
    } catch (e) {
      if (e instanceof PackyardError) throw e;
      throw unavailable(`${url}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw unavailable(`${url} did not answer JSON`);
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw unavailable(`${url} did not answer a JSON object`);
    const maxAge = /(?:^|[,\s])max-age=(\d+)/i.exec(res.headers.get('cache-control') ?? '');
    return { body: body as Record<string, unknown>, ...(maxAge ? { maxAgeMs: Number(maxAge[1]) * 1000 } : {}) };
  }
}

async function readCapped(res: Response, max: number, url: string): Promise<string> {
  if (Number(res.headers.get('content-length') ?? 0) > max) {
    await res.body?.cancel();
    throw unavailable(`${url} is larger than ${max} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel();
        throw unavailable(`${url} is larger than ${max} bytes`);
      }
      chunks.push(Buffer.from(value));
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

// Compile-time conformance: this adapter is a JwksSource.
const _conformance: () => JwksSource = () => new HttpJwksSource();
void _conformance;
