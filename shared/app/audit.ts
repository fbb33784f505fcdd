import { randomBytes } from 'node:crypto';
import type { AuditAction, AuditEvent } from '../domain/audit';
import { parseRepoName } from '../domain/repo';
import type { Page } from '../ports/metadata-store';
import type { Principal } from './auth';
import { requireAdmin, requirePermission } from './auth';
import type { AppDeps } from './deps';

/** Who did something, as the audit log names them. */
export interface Actor {
  user: string;
  tokenId?: string;
  sourceIp?: string;
}

export const actorOf = (p: Principal): Actor => ({ user: p.user, tokenId: p.id, sourceIp: p.sourceIp });

export const SYSTEM: Actor = { user: 'system' };

/** Where events that belong to no repository (API tokens, users) are kept. */
export { GLOBAL_AUDIT_SCOPE as GLOBAL_AUDIT } from '../domain/audit';

/** Records one change. The event is data about the change, never a secret. */
export async function audit(
  deps: Pick<AppDeps, 'meta' | 'clock'>,
  actor: Actor,
  repo: string,
  action: AuditAction,
  target: string,
  details?: AuditEvent['details'],
): Promise<void> {
  const event: AuditEvent = {
    id: randomBytes(6).toString('base64url'),
    repo,
    action,
    actor: actor.user,
    ...(actor.tokenId ? { actorTokenId: actor.tokenId } : {}),
    ...(actor.sourceIp ? { sourceIp: actor.sourceIp } : {}),
    target,
    time: deps.clock.now().toISOString(),
    ...(details ? { details } : {}),
  };
  await deps.meta.appendAudit(event);
}

/** A repository's events, newest first; repository admins only. `*` (global events) needs an admin token. */
export async function listEvents(
  deps: AppDeps,
  principal: Principal,
  repoName: string,
  opts: { cursor?: string; limit?: number },
): Promise<Page<AuditEvent>> {
  if (repoName === '*') requireAdmin(principal);
  else requirePermission(deps, principal, parseRepoName(repoName).name, 'admin');
  return deps.meta.listAudit(repoName, opts);
}
