import { forbidden, unauthorized } from '../domain/errors';
import { allows, type Permission, type TokenRecord } from '../domain/token';
import { hashToken, looksLikeToken, sameDigest } from '../domain/token-secret';
import { credentialsFrom } from '../http/credentials';
import type { AppDeps } from './deps';

/** The caller of a request: a valid, unrevoked, unexpired token, and where the request came from. */
export type Principal = TokenRecord & { sourceIp?: string };

/** Resolves the request's credentials to a token, or undefined when it carries none that is valid. */
export async function findPrincipal(
  deps: Pick<AppDeps, 'meta' | 'clock'>,
  headers: Record<string, string | undefined>,
): Promise<Principal | undefined> {
  for (const secret of credentialsFrom(headers)) {
    if (!looksLikeToken(secret)) continue;
    const hash = hashToken(secret);
    const token = await deps.meta.getTokenByHash(hash);
    // The lookup is by hash; the constant-time check guards against an adapter that matched loosely.
    if (!token || !sameDigest(token.hash, hash) || token.revoked) continue;
    if (token.expiresAt && Date.parse(token.expiresAt) <= deps.clock.now().getTime()) continue;
    // A read token dies with its master, at once, even before the revocation has reached it.
    if (token.kind === 'read' && (!token.parentId || (await deps.meta.getTokenById(token.parentId))?.revoked !== false)) continue;
    return token;
  }
  return undefined;
}

/**
 * Adds what the token's user holds on one repository besides the token's own grants: everything on
 * repositories under their own name, and what they were invited to as a collaborator.
 */
export async function withRepoAccess(deps: Pick<AppDeps, 'meta'>, p: Principal, repo: string | undefined): Promise<Principal> {
  if (!repo || p.kind !== 'api' || p.admin) return p;
  const extra: Permission[] = [];
  if (repo.split('/')[0] === p.user && (await deps.meta.getUser(p.user))) extra.push('admin');
  const collaborator = await deps.meta.getCollaborator(repo, p.user);
  if (collaborator) extra.push(...collaborator.permissions);
  if (!extra.length) return p;
  return { ...p, grants: { ...p.grants, [repo]: [...new Set([...(p.grants[repo] ?? []), ...extra])] } };
}

export async function authenticate(
  deps: Pick<AppDeps, 'meta' | 'clock'>,
  headers: Record<string, string | undefined>,
): Promise<Principal> {
  const p = await findPrincipal(deps, headers);
  if (!p) throw unauthorized(credentialsFrom(headers).length ? 'the token is invalid, revoked or expired' : 'authentication required');
  return p;
}

export function requirePermission(deps: Pick<AppDeps, 'clock'>, principal: Principal, repo: string, perm: Permission): void {
  if (!allows(principal, repo, perm, deps.clock.now())) {
    throw forbidden(`the token may not ${perm} ${repo}`);
  }
}

export function requireAdmin(principal: Principal): void {
  if (!principal.admin) throw forbidden('only an administrator token may do this');
}
