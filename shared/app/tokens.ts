import { badRequest, Codes, forbidden, notFound } from '../domain/errors';
import { parseRepoName } from '../domain/repo';
import { PERMISSIONS, type Permission, type TokenRecord } from '../domain/token';
import { hashToken, newTokenId, newTokenSecret } from '../domain/token-secret';
import type { Principal } from './auth';
import { actorOf, audit, GLOBAL_AUDIT } from './audit';
import type { AppDeps } from './deps';

export type TokenView = Omit<TokenRecord, 'hash'>;
export const tokenView = ({ hash: _hash, ...rest }: TokenRecord): TokenView => rest;

export interface CreateTokenInput {
  name?: unknown;
  grants?: unknown;
  admin?: unknown;
  expiresAt?: unknown;
  user?: unknown;
}

/** Mints an API token; the secret is returned once and only its hash is stored. */
export async function createToken(deps: AppDeps, principal: Principal, input: CreateTokenInput): Promise<TokenView & { token: string }> {
  if (!principal.admin) return createOwnToken(deps, principal, input);
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!name || name.length > 100) throw badRequest(Codes.INVALID_REQUEST, 'name is required (at most 100 characters)');
  const grants = parseGrants(input.grants);
  const admin = input.admin === true;
  let expiresAt: string | undefined;
  if (input.expiresAt !== undefined && input.expiresAt !== null) {
    const t = typeof input.expiresAt === 'string' ? Date.parse(input.expiresAt) : NaN;
    if (Number.isNaN(t) || t <= deps.clock.now().getTime()) throw badRequest(Codes.INVALID_REQUEST, 'expiresAt must be an ISO date in the future');
    expiresAt = new Date(t).toISOString();
  }
  const user = typeof input.user === 'string' && input.user ? input.user : name;
  const minted = await mintApiToken(deps, { name, user, admin, grants, expiresAt, createdBy: principal.user });
  await audit(deps, actorOf(principal), GLOBAL_AUDIT, 'token.created', minted.id, { name, user, admin });
  return minted;
}

/**
 * A user's further API token: it acts with the user's own access (repositories under their name, and
 * collaborations), so it takes no grants; only administrators hand out explicit grants.
 */
async function createOwnToken(deps: AppDeps, principal: Principal, input: CreateTokenInput): Promise<TokenView & { token: string }> {
  if (principal.kind !== 'api' || !(await deps.meta.getUser(principal.user))) throw forbidden('only administrators and users may create API tokens');
  if (input.admin === true || (input.grants && Object.keys(input.grants).length) || (input.user !== undefined && input.user !== principal.user)) {
    throw forbidden('a user may create tokens only for themself and without explicit grants');
  }
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!name || name.length > 100) throw badRequest(Codes.INVALID_REQUEST, 'name is required (at most 100 characters)');
  const minted = await mintApiToken(deps, { name, user: principal.user, admin: false, grants: {}, createdBy: principal.user });
  await audit(deps, actorOf(principal), GLOBAL_AUDIT, 'token.created', minted.id, { name, user: principal.user });
  return minted;
}

export async function mintApiToken(
  deps: Pick<AppDeps, 'meta' | 'clock'>,
  t: { name: string; user: string; admin: boolean; grants: Record<string, Permission[]>; expiresAt?: string; createdBy: string },
): Promise<TokenView & { token: string }> {
  const secret = newTokenSecret();
  const record: TokenRecord = {
    hash: hashToken(secret),
    id: newTokenId(),
    kind: 'api',
    name: t.name,
    user: t.user,
    admin: t.admin,
    grants: t.grants,
    createdAt: deps.clock.now().toISOString(),
    createdBy: t.createdBy,
    revoked: false,
    ...(t.expiresAt ? { expiresAt: t.expiresAt } : {}),
  };
  await deps.meta.putToken(record);
  return { token: secret, ...tokenView(record) };
}

function parseGrants(value: unknown): Record<string, Permission[]> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(Codes.INVALID_REQUEST, 'grants must map "owner/repo" (or "owner/*") to a list of permissions');
  }
  const out: Record<string, Permission[]> = {};
  for (const [repo, perms] of Object.entries(value as Record<string, unknown>)) {
    const [owner, rest] = repo.split('/');
    if (rest !== '*') parseRepoName(repo);
    else parseRepoName(`${owner}/x`);
    if (!Array.isArray(perms) || perms.some((p) => !PERMISSIONS.includes(p as Permission))) {
      throw badRequest(Codes.INVALID_REQUEST, `permissions for ${repo} must be a list of ${PERMISSIONS.join(', ')}`);
    }
    out[repo] = [...new Set(perms as Permission[])];
  }
  return out;
}

export async function listTokens(deps: AppDeps, principal: Principal): Promise<TokenView[]> {
  const tokens = await deps.meta.listTokens(principal.admin ? undefined : principal.user);
  return tokens.map(tokenView);
}

export async function revokeToken(deps: AppDeps, principal: Principal, id: string): Promise<void> {
  const mine = (await deps.meta.listTokens(principal.user)).some((t) => t.id === id);
  if (!principal.admin && !mine) throw notFound(Codes.TOKEN_NOT_FOUND, `token ${id} does not exist`);
  const token = await deps.meta.getTokenById(id);
  // Master and read tokens are revoked through their repository (a master takes its read tokens with it).
  if (token && token.kind !== 'api') throw badRequest(Codes.INVALID_REQUEST, `token ${id} is a ${token.kind} token of ${token.repo}; revoke it under that repository`);
  await deps.meta.revokeToken(id);
  await audit(deps, actorOf(principal), GLOBAL_AUDIT, 'token.revoked', id);
}
