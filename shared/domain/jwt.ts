import { constants, createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { PackyardError } from './errors';
import type { Permission } from './token';

/**
 * OIDC JWTs from CI providers: decoding, signature verification against the issuer's JWKS, time and audience
 * checks, and glob matching of claims against a repository's trust policies. Pure: the keys come from the caller.
 */

/** Each refusal has its own code so a CI log says exactly what to fix. */
export const OidcCodes = {
  MALFORMED_TOKEN: 'OIDC_MALFORMED_TOKEN',
  UNSIGNED_TOKEN: 'OIDC_UNSIGNED_TOKEN',
  UNSUPPORTED_ALGORITHM: 'OIDC_UNSUPPORTED_ALGORITHM',
  ALGORITHM_MISMATCH: 'OIDC_ALGORITHM_MISMATCH',
  UNKNOWN_KEY: 'OIDC_UNKNOWN_KEY',
  INVALID_SIGNATURE: 'OIDC_INVALID_SIGNATURE',
  EXPIRED: 'OIDC_EXPIRED',
  NOT_YET_VALID: 'OIDC_NOT_YET_VALID',
  WRONG_AUDIENCE: 'OIDC_WRONG_AUDIENCE',
  UNKNOWN_ISSUER: 'OIDC_UNKNOWN_ISSUER',
  NO_MATCHING_POLICY: 'OIDC_NO_MATCHING_POLICY',
  /** The issuer's discovery document or JWKS could not be fetched or made no sense (502). */
  ISSUER_UNAVAILABLE: 'OIDC_ISSUER_UNAVAILABLE',
  INVALID_POLICY: 'OIDC_INVALID_POLICY',
  POLICY_NOT_FOUND: 'OIDC_POLICY_NOT_FOUND',
} as const;

export const oidcRefusal = (code: string, message: string) => new PackyardError(401, code, message);

/** A repository's rule for which CI tokens may be exchanged for a short-lived API token. */
export interface TrustPolicy {
  id: string;
  repo: string;
  /** Compared exactly with the token's `iss`. */
  issuer: string;
  /** Must be one of the token's `aud` values. */
  audience: string;
  /** Claim name -> glob (`*` any run of characters, `?` one character); every entry must match. */
  claims: Record<string, string>;
  permissions: Permission[];
  /** Lifetime of the minted API token. */
  ttlSeconds: number;
  createdAt: string;
  createdBy: string;
}

export interface JwtHeader {
  alg: string;
  kid?: string;
  typ?: string;
  [name: string]: unknown;
}

export interface JwtClaims {
  iss: string;
  sub: string;
  exp: number;
  aud?: string | string[];
  nbf?: number;
  iat?: number;
  [name: string]: unknown;
}

export interface DecodedJwt {
  header: JwtHeader;
  claims: JwtClaims;
  /** `base64url(header).base64url(payload)`, the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

/** Far above any CI provider's token (GitHub's are ~1.5 KB); bounds the work an anonymous caller can cause. */
export const MAX_JWT_LENGTH = 16 * 1024;
/** Allowed clock difference between the issuer and us. */
export const CLOCK_SKEW_SECONDS = 60;

const B64URL = /^[A-Za-z0-9_-]+$/;
const malformed = (message: string) => oidcRefusal(OidcCodes.MALFORMED_TOKEN, message);

function jsonPart(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw malformed(`the JWT ${what} is not base64url-encoded JSON`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw malformed(`the JWT ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Splits and parses a compact JWS; refuses anything that is not a signed JWT with the claims we rely on. */
export function decodeJwt(token: string): DecodedJwt {
  if (typeof token !== 'string' || token.length === 0) throw malformed('the token must be a non-empty string');
  if (token.length > MAX_JWT_LENGTH) throw malformed(`the token is longer than ${MAX_JWT_LENGTH} characters`);
  const parts = token.split('.');
  if (parts.length === 5) throw malformed('encrypted JWTs (JWE) are not supported');
  if (parts.length !== 3) throw malformed('a JWT has three dot-separated parts');
  const [h, p, s] = parts;
  if (!B64URL.test(h) || !B64URL.test(p)) throw malformed('the JWT header and payload must be base64url');
  const header = jsonPart(h, 'header');
  if (typeof header.alg !== 'string' || !header.alg) throw malformed('the JWT header has no "alg"');
  if (header.alg.toLowerCase() === 'none' || s === '') {
    throw oidcRefusal(OidcCodes.UNSIGNED_TOKEN, 'unsigned JWTs (alg "none" or no signature) are refused');
  }
  if (!B64URL.test(s)) throw malformed('the JWT signature must be base64url');
  // RFC 7515 4.1.11: a header extension we do not understand must make the token invalid.
  if (header.crit !== undefined) throw malformed('JWT header extensions ("crit") are not supported');
  if (header.kid !== undefined && typeof header.kid !== 'string') throw malformed('the JWT "kid" must be a string');
  const claims = jsonPart(p, 'payload');
  if (typeof claims.iss !== 'string' || !claims.iss) throw malformed('the JWT has no "iss" (issuer) claim');
  if (typeof claims.sub !== 'string' || !claims.sub) throw malformed('the JWT has no "sub" (subject) claim');
  if (!isNumericDate(claims.exp)) throw malformed('the JWT has no numeric "exp" (expiry) claim');
  for (const name of ['nbf', 'iat'] as const) {
    if (claims[name] !== undefined && !isNumericDate(claims[name])) throw malformed(`the JWT "${name}" claim must be a number`);
  }
  const aud = claims.aud;
  if (aud !== undefined && typeof aud !== 'string' && !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))) {
    throw malformed('the JWT "aud" claim must be a string or a list of strings');
  }
  return {
    header: header as JwtHeader,
    claims: claims as JwtClaims,
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

interface Algorithm {
  kty: 'RSA' | 'EC' | 'OKP';
  /** null for EdDSA, which hashes internally. */
  hash: string | null;
  crv?: string;
  pss?: boolean;
}

/** Asymmetric algorithms only: an HMAC `alg` would let a public key be used as a shared secret. */
const ALGORITHMS: Record<string, Algorithm> = {
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', hash: 'sha512', pss: true },
  ES256: { kty: 'EC', hash: 'sha256', crv: 'P-256' },
  ES384: { kty: 'EC', hash: 'sha384', crv: 'P-384' },
  ES512: { kty: 'EC', hash: 'sha512', crv: 'P-521' },
  EdDSA: { kty: 'OKP', hash: null, crv: 'Ed25519' },
};

export const SUPPORTED_ALGORITHMS = Object.keys(ALGORITHMS);

const MIN_RSA_BITS = 2048;

/** Only the public members, so a JWKS that (wrongly) publishes a private key is still used as a public one. */
function publicKeyOf(jwk: JsonWebKey): KeyObject | undefined {
  const { kty, n, e, crv, x, y } = jwk;
  try {
    return createPublicKey({ key: { kty, n, e, crv, x, y }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

/** Why this key cannot check an `alg` signature, or undefined when it can. */
function keyMismatch(jwk: JsonWebKey, alg: string, spec: Algorithm): string | undefined {
  if (jwk.alg !== undefined && jwk.alg !== alg) return `the key is for ${jwk.alg}, the token says ${alg}`;
  if (jwk.kty !== spec.kty) return `${alg} needs a ${spec.kty} key, the key is ${String(jwk.kty)}`;
  if (spec.crv && jwk.crv !== spec.crv) return `${alg} needs curve ${spec.crv}, the key is on ${String(jwk.crv)}`;
  return undefined;
}

const usableForSignatures = (jwk: JsonWebKey) =>
  (jwk.use === undefined || jwk.use === 'sig') && (!Array.isArray(jwk.key_ops) || jwk.key_ops.includes('verify'));

function signatureValid(jwt: DecodedJwt, key: KeyObject, spec: Algorithm): boolean {
  const data = Buffer.from(jwt.signingInput, 'ascii');
  // A JWS carries ECDSA signatures as fixed-length r || s (RFC 7518 3.4), not DER; any other length fails.
  if (spec.kty === 'EC') return verify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, jwt.signature);
  if (spec.kty === 'RSA') {
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return false;
    const padding = spec.pss
      ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
      : { padding: constants.RSA_PKCS1_PADDING };
    return verify(spec.hash, data, { key, ...padding }, jwt.signature);
  }
  return verify(null, data, key, jwt.signature);
}

/**
 * Checks the signature against the issuer's keys and returns the key that verified it. Throws UNKNOWN_KEY when
 * no key carries the token's `kid` (the caller may refetch the JWKS once and retry), ALGORITHM_MISMATCH when the
 * keys with that id are not for the token's `alg`, INVALID_SIGNATURE when none of them verifies it.
 */
export function verifyJwtSignature(jwt: DecodedJwt, keys: readonly JsonWebKey[]): JsonWebKey {
  const alg = jwt.header.alg;
  const spec = Object.hasOwn(ALGORITHMS, alg) ? ALGORITHMS[alg] : undefined;
  if (!spec) throw oidcRefusal(OidcCodes.UNSUPPORTED_ALGORITHM, `alg ${JSON.stringify(alg.slice(0, 20))} is not accepted (use one of ${SUPPORTED_ALGORITHMS.join(', ')})`);
  const kid = jwt.header.kid;
  const candidates = keys.filter((k) => usableForSignatures(k) && (kid === undefined || k.kid === kid));
  if (candidates.length === 0) {
    throw oidcRefusal(OidcCodes.UNKNOWN_KEY, kid === undefined ? "the issuer publishes no signing key" : `the issuer publishes no key with kid ${JSON.stringify(kid.slice(0, 100))}`);
  }
  const fitting = candidates.filter((k) => keyMismatch(k, alg, spec) === undefined);
  if (fitting.length === 0) throw oidcRefusal(OidcCodes.ALGORITHM_MISMATCH, keyMismatch(candidates[0], alg, spec)!);
  for (const jwk of fitting) {
    const key = publicKeyOf(jwk);
    if (key && signatureValid(jwt, key, spec)) return jwk;
  }
  throw oidcRefusal(OidcCodes.INVALID_SIGNATURE, 'the JWT signature does not verify with the issuer\'s key');
}

/** `exp` (with skew), `nbf` and `iat` against now. */
export function checkTokenTimes(claims: JwtClaims, now: Date, skewSeconds = CLOCK_SKEW_SECONDS): void {
  const t = now.getTime() / 1000;
  if (claims.exp + skewSeconds <= t) {
    throw oidcRefusal(OidcCodes.EXPIRED, `the JWT expired at ${new Date(claims.exp * 1000).toISOString()}`);
  }
  for (const name of ['nbf', 'iat'] as const) {
    const v = claims[name];
    if (v !== undefined && v - skewSeconds > t) {
      throw oidcRefusal(OidcCodes.NOT_YET_VALID, `the JWT "${name}" is in the future (${new Date(v * 1000).toISOString()})`);
    }
  }
}

export const audiencesOf = (claims: JwtClaims): string[] =>
  claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];

/**
 * Whole-string glob match: `*` is any run of characters (including `/` and `:`), `?` exactly one; everything
 * else is literal and case-sensitive. Iterative with one backtrack point, so no pattern can take exponential time.
 */
export function globMatch(pattern: string, value: string): boolean {
  const p = [...pattern];
  const v = [...value];
  let pi = 0;
  let vi = 0;
  let star = -1;
  let resume = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === v[vi]))) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      resume = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** Claims compared as strings: numbers and booleans (Buildkite's `build_number`) by their JSON text. */
function claimText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** True when every pattern matches its claim; a missing or non-scalar claim never matches. */
export function claimsMatch(patterns: Record<string, string>, claims: JwtClaims): boolean {
  return Object.entries(patterns).every(([name, pattern]) => {
    const text = Object.hasOwn(claims, name) ? claimText(claims[name]) : undefined;
    return text !== undefined && globMatch(pattern, text);
  });
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why `url` may not be fetched from: https only, except plain http on loopback when allowed (local issuers). */
export function urlSchemeProblem(url: string, allowInsecureLoopback: boolean): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'it is not an absolute URL';
  }
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:' && allowInsecureLoopback && LOOPBACK_HOSTS.has(u.hostname)) return undefined;
  return allowInsecureLoopback ? 'it must be https (or http on 127.0.0.1 / localhost)' : 'it must be https';
}

/** Why `url` cannot be an issuer, or undefined when it can: a scheme we fetch from, no credentials, query or fragment. */
export function issuerUrlProblem(url: string, allowInsecureLoopback: boolean): string | undefined {
  const scheme = urlSchemeProblem(url, allowInsecureLoopback);
  if (scheme) return scheme;
  const u = new URL(url);
  if (u.username || u.password) return 'it must not carry credentials';
  if (url.includes('?') || url.includes('#')) return 'it must not have a query or fragment';
  return undefined;
}
