import { randomBytes } from 'node:crypto';
import { badRequest, Codes, isPackyardError } from '../domain/errors';
import {
  audiencesOf,
  checkTokenTimes,
  claimsMatch,
  decodeJwt,
  OidcCodes,
  oidcRefusal,
  verifyJwtSignature,
  type DecodedJwt,
  type TrustPolicy,
} from '../domain/jwt';
import { parseRepoName } from '../domain/repo';
import type { Permission } from '../domain/token';
import { actorOf, audit } from './audit';
import type { Principal } from './auth';
import { requirePermission } from './auth';
import type { AppDeps } from './deps';
import { loadRepo } from './repos';
import { mintApiToken } from './tokens';

/** What a CI job may be given: enough to publish, never to administer. */
export const OIDC_PERMISSIONS: readonly Permission[] = ['read', 'push', 'yank'];
export const DEFAULT_TTL_SECONDS = 3600;
export const MIN_TTL_SECONDS = 60;
export const MAX_TTL_SECONDS = 12 * 3600;
const MAX_POLICIES_PER_REPO = 50;
const MAX_CLAIMS = 20;
const CLAIM_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
/** Checked by the exchange itself (issuer, audience, lifetime), so a policy cannot pattern-match them. */
const RESERVED_CLAIMS = new Set(['iss', 'aud', 'exp', 'nbf', 'iat']);

type OidcDeps = Pick<AppDeps, 'meta' | 'clock' | 'jwks'>;

export interface TrustPolicyInput {
  issuer?: unknown;
  audience?: unknown;
  claims?: unknown;
  permissions?: unknown;
  ttlSeconds?: unknown;
}

const invalid = (message: string) => badRequest(OidcCodes.INVALID_POLICY, message);

function parsePolicy(deps: OidcDeps, input: TrustPolicyInput): Pick<TrustPolicy, 'issuer' | 'audience' | 'claims' | 'permissions' | 'ttlSeconds'> {
  const issuer = input.issuer;
  if (typeof issuer !== 'string' || !issuer || issuer.length > 300) throw invalid('issuer is required: the exact "iss" of the tokens, an https URL');
  const problem = deps.jwks.issuerProblem(issuer);
  if (problem) throw invalid(`issuer ${issuer} is not accepted: ${problem}`);
  const audience = input.audience;
  if (typeof audience !== 'string' || !audience || audience.length > 300) throw invalid('audience is required: the exact "aud" the CI job requests');

  const raw = input.claims;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalid('claims must map claim names to glob patterns, e.g. {"sub": "repo:acme/app:ref:refs/heads/main"}');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0 || entries.length > MAX_CLAIMS) throw invalid(`claims must hold 1 to ${MAX_CLAIMS} patterns`);
  const claims: Record<string, string> = {};
  for (const [name, pattern] of entries) {
    if (!CLAIM_NAME.test(name)) throw invalid(`claim name ${JSON.stringify(name)} must be 1-64 characters of A-Z, a-z, 0-9, "_", ".", ":" or "-"`);
    if (RESERVED_CLAIMS.has(name)) throw invalid(`claim ${name} is checked through the policy's issuer/audience and the token's lifetime, not as a pattern`);
    if (typeof pattern !== 'string' || !pattern || pattern.length > 500) throw invalid(`the pattern for ${name} must be a non-empty string of at most 500 characters`);
    claims[name] = pattern;
  }
  // Issuers such as gitlab.com and agent.buildkite.com sign for everyone; wildcards alone would trust them all.
  if (Object.values(claims).every((p) => /^[*?]+$/.test(p))) throw invalid('at least one claim pattern must contain a literal character');

  const perms = input.permissions ?? ['push'];
  if (!Array.isArray(perms) || perms.length === 0 || perms.some((p) => !OIDC_PERMISSIONS.includes(p as Permission))) {
    throw invalid(`permissions must be a non-empty list of ${OIDC_PERMISSIONS.join(', ')}`);
  }
  const ttl = input.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < MIN_TTL_SECONDS || ttl > MAX_TTL_SECONDS) {
    throw invalid(`ttlSeconds must be an integer from ${MIN_TTL_SECONDS} to ${MAX_TTL_SECONDS}`);
  }
  return { issuer, audience, claims, permissions: [...new Set(perms as Permission[])], ttlSeconds: ttl };
}

export async function createTrustPolicy(deps: OidcDeps, principal: Principal, repoName: string, input: TrustPolicyInput): Promise<TrustPolicy> {
  const { name: repo } = parseRepoName(repoName);
  requirePermission(deps, principal, repo, 'admin');
  const parsed = parsePolicy(deps, input);
  await loadRepo(deps, repo);
  if ((await deps.meta.listTrustPolicies(repo)).length >= MAX_POLICIES_PER_REPO) {
    throw invalid(`a repository holds at most ${MAX_POLICIES_PER_REPO} trust policies`);
  }
  const policy: TrustPolicy = {
    id: 'oidcp_' + randomBytes(9).toString('base64url'),
    repo,
    ...parsed,
    createdAt: deps.clock.now().toISOString(),
    createdBy: principal.user,
  };
  await deps.meta.putTrustPolicy(policy);
  await audit(deps, actorOf(principal), repo, 'oidc.policy-added', policy.id, { issuer: policy.issuer, audience: policy.audience });
  return policy;
}

/** Oldest first: the order in which the exchange tries them. */
const byCreation = (a: TrustPolicy, b: TrustPolicy) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

export async function listTrustPolicies(deps: OidcDeps, principal: Principal, repoName: string): Promise<TrustPolicy[]> {
  const { name: repo } = parseRepoName(repoName);
  requirePermission(deps, principal, repo, 'admin');
  await loadRepo(deps, repo);
  return (await deps.meta.listTrustPolicies(repo)).sort(byCreation);
}

export async function deleteTrustPolicy(deps: OidcDeps, principal: Principal, repoName: string, id: string): Promise<void> {
  const { name: repo } = parseRepoName(repoName);
  requirePermission(deps, principal, repo, 'admin');
  await deps.meta.deleteTrustPolicy(repo, id);
  await audit(deps, actorOf(principal), repo, 'oidc.policy-removed', id);
}

export interface ExchangeInput {
  token?: unknown;
  repo?: unknown;
}

export interface ExchangeResult {
  token: string;
  /** Public id of the minted token (for listing and revoking it). */
  id: string;
  expiresAt: string;
  repo: string;
  permissions: Permission[];
}

/** Verifies against the issuer's keys, refetching them once when the token names a key we have not seen. */
async function verifyWithIssuerKeys(deps: OidcDeps, jwt: DecodedJwt): Promise<void> {
  const issuer = jwt.claims.iss;
  try {
    verifyJwtSignature(jwt, await deps.jwks.getKeys(issuer));
  } catch (e) {
    if (!(isPackyardError(e) && e.code === OidcCodes.UNKNOWN_KEY)) throw e;
    verifyJwtSignature(jwt, await deps.jwks.refreshKeys(issuer));
  }
}

/**
 * Trades a CI provider's OIDC JWT for a short-lived API token on one repository, when one of the repository's
 * trust policies accepts it. The JWT is the only credential; it is never stored or logged.
 */
export async function exchangeOidcToken(deps: OidcDeps, input: ExchangeInput, sourceIp?: string): Promise<ExchangeResult> {
  if (typeof input.token !== 'string' || !input.token) throw badRequest(Codes.INVALID_REQUEST, 'token (the CI provider\'s OIDC JWT) is required');
  if (typeof input.repo !== 'string') throw badRequest(Codes.INVALID_REQUEST, 'repo ("owner/name") is required');
  const jwt = decodeJwt(input.token);
  const { name: repo } = parseRepoName(input.repo);
  const { iss, sub } = jwt.claims;

  // Only issuers a repository admin named are ever fetched from: a token cannot point us at a URL of its choosing.
  const policies = (await deps.meta.listTrustPolicies(repo)).filter((p) => p.issuer === iss).sort(byCreation);
  if (policies.length === 0) throw oidcRefusal(OidcCodes.UNKNOWN_ISSUER, `no trust policy of ${repo} accepts tokens from issuer ${JSON.stringify(iss.slice(0, 300))}`);
  await verifyWithIssuerKeys(deps, jwt);
  const now = deps.clock.now();
  checkTokenTimes(jwt.claims, now);
  const audiences = audiencesOf(jwt.claims);
  const forAudience = policies.filter((p) => audiences.includes(p.audience));
  if (forAudience.length === 0) {
    throw oidcRefusal(OidcCodes.WRONG_AUDIENCE, `the token's audience ${JSON.stringify(audiences).slice(0, 300)} is not one that ${repo}'s policies for this issuer expect`);
  }
  const policy = forAudience.find((p) => claimsMatch(p.claims, jwt.claims));
  if (!policy) throw oidcRefusal(OidcCodes.NO_MATCHING_POLICY, `the token's claims (sub ${JSON.stringify(sub.slice(0, 300))}) match no trust policy of ${repo}`);

  const user = `oidc:${iss}#${sub}`;
  // Not capped at the JWT's own expiry: CI tokens live minutes, a push (upload, then polling) may take longer.
  const expiresAt = new Date(now.getTime() + policy.ttlSeconds * 1000).toISOString();
  const minted = await mintApiToken(deps, {
    name: `oidc ${policy.id}`.slice(0, 100),
    user,
    admin: false,
    grants: { [repo]: [...new Set<Permission>(['read', ...policy.permissions])] },
    expiresAt,
    createdBy: user,
  });
  await audit(deps, { user, tokenId: minted.id, sourceIp }, repo, 'oidc.exchanged', minted.id, { policy: policy.id, expiresAt });
  return { token: minted.token, id: minted.id, expiresAt, repo, permissions: policy.permissions };
}
