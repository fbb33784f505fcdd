export type Permission = 'read' | 'push' | 'yank' | 'promote' | 'admin';
export const PERMISSIONS: readonly Permission[] = ['read', 'push', 'yank', 'promote', 'admin'];

export type TokenKind = 'api' | 'master' | 'read';

export interface TokenRecord {
  /** SHA-256 of the secret, hex. The secret itself is never stored. */
  hash: string;
  /** Short public id, safe to show and log. */
  id: string;
  kind: TokenKind;
  name: string;
  user: string;
  /** Global administrator: every permission on every repository, and token management. */
  admin: boolean;
  /** Repository name (`owner/repo`, or `owner/*` for all of an owner's) -> granted permissions. */
  grants: Record<string, Permission[]>;
  createdAt: string;
  createdBy: string;
  expiresAt?: string;
  revoked: boolean;
  /** Master and read tokens belong to exactly one repository. */
  repo?: string;
  /** A read token's master token (revoking the master revokes it). */
  parentId?: string;
}

/**
 * What a token may do on a repository. Admin implies every other permission; any grant implies read. A master
 * token may do nothing here (it only mints read tokens); a read token may only read its one repository.
 */
export function allows(token: TokenRecord, repo: string, needed: Permission, now: Date): boolean {
  if (token.revoked) return false;
  if (token.expiresAt && Date.parse(token.expiresAt) <= now.getTime()) return false;
  if (token.kind === 'master') return false;
  if (token.kind === 'read') return needed === 'read' && token.repo === repo;
  if (token.admin) return true;
  const owner = repo.split('/')[0];
  const granted = [...(token.grants[repo] ?? []), ...(token.grants[`${owner}/*`] ?? [])];
  if (granted.includes('admin') || granted.includes(needed)) return true;
  return needed === 'read' && granted.length > 0;
}
