import type { JsonWebKey } from 'node:crypto';

/** An OIDC issuer's signing keys (its JWKS), found through `{issuer}/.well-known/openid-configuration`. */
export interface JwksSource {
  /** The issuer's keys, from a cache while it is fresh. */
  getKeys(issuer: string): Promise<JsonWebKey[]>;
  /**
   * Refetches now, for a token whose `kid` the cached set lacks (the issuer may have rotated). Rate-limited per
   * issuer, so it may answer with the cached set.
   */
  refreshKeys(issuer: string): Promise<JsonWebKey[]>;
  /** Why this source would refuse to fetch from `issuer` (e.g. plain http), or undefined when it would not. */
  issuerProblem(issuer: string): string | undefined;
}
