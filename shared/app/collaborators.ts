import type { CollaboratorRecord, UserRecord } from '../domain/collaborator';
import { badRequest, Codes, notFound } from '../domain/errors';
import { parseRepoName } from '../domain/repo';
import { PERMISSIONS, type Permission } from '../domain/token';
import { actorOf, audit, GLOBAL_AUDIT } from './audit';
import type { Principal } from './auth';
import { requireAdmin, requirePermission } from './auth';
import type { AppDeps } from './deps';
import { loadRepo } from './repos';
import { mintApiToken, type TokenView } from './tokens';

const USER_NAME = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;

/** Creates a user (administrators only) and their first API token, shown once. */
export async function createUser(deps: AppDeps, principal: Principal, input: { name?: unknown }): Promise<{ user: UserRecord; token: TokenView & { token: string } }> {
  requireAdmin(principal);
  const name = typeof input.name === 'string' ? input.name : '';
  if (!USER_NAME.test(name) || name === 'admin' || name === 'system') {
    throw badRequest(Codes.INVALID_REQUEST, 'name must use a-z, 0-9, ".", "_" and "-" (and not be "admin" or "system")');
  }
  const user: UserRecord = { name, createdAt: deps.clock.now().toISOString(), createdBy: principal.user };
  await deps.meta.createUser(user);
  const token = await mintApiToken(deps, { name: `${name} (first token)`, user: name, admin: false, grants: {}, createdBy: principal.user });
  await audit(deps, actorOf(principal), GLOBAL_AUDIT, 'user.created', name);
  return { user, token };
}

export async function listUsers(deps: AppDeps, principal: Principal): Promise<UserRecord[]> {
  requireAdmin(principal);
  return deps.meta.listUsers();
}

export async function addCollaborator(
  deps: AppDeps,
  principal: Principal,
  repoName: string,
  input: { user?: unknown; permissions?: unknown },
): Promise<CollaboratorRecord> {
  const { name: repo } = parseRepoName(repoName);
  requirePermission(deps, principal, repo, 'admin');
  await loadRepo(deps, repo);
  const user = typeof input.user === 'string' ? input.user : '';
  if (!(await deps.meta.getUser(user))) throw notFound('USER_NOT_FOUND', `user ${JSON.stringify(user)} does not exist`);
  const perms = input.permissions;
  if (!Array.isArray(perms) || perms.length === 0 || perms.some((p) => !PERMISSIONS.includes(p as Permission))) {
    throw badRequest(Codes.INVALID_REQUEST, `permissions must be a non-empty list of ${PERMISSIONS.join(', ')}`);
  }
  const record: CollaboratorRecord = {
    repo,
    user,
    permissions: [...new Set(perms as Permission[])],
    addedAt: deps.clock.now().toISOString(),
    addedBy: principal.user,
  };
  await deps.meta.putCollaborator(record);
  await audit(deps, actorOf(principal), repo, 'collaborator.added', user, { permissions: record.permissions.join(',') });
  return record;
}

export async function listCollaborators(deps: AppDeps, principal: Principal, repoName: string): Promise<CollaboratorRecord[]> {
  const { name: repo } = parseRepoName(repoName);
  requirePermission(deps, principal, repo, 'admin');
  return deps.meta.listCollaborators(repo);
}

export async function removeCollaborator(deps: AppDeps, principal: Principal, repoName: string, user: string): Promise<void> {
  const { name: repo } = parseRepoName(repoName);
  requirePermission(deps, principal, repo, 'admin');
  await deps.meta.deleteCollaborator(repo, user);
  await audit(deps, actorOf(principal), repo, 'collaborator.removed', user);
}
