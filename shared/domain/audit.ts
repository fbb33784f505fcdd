/** One change, as the audit log records it. Never carries a secret. */
export interface AuditEvent {
  id: string;
  /** `owner/repo`, or `*` for changes that belong to no repository (API tokens, users). */
  repo: string;
  action: AuditAction;
  /** Who: a user name, `oidc:<issuer>#<sub>`, or `system`. */
  actor: string;
  /** Public id of the token used, when there was one. */
  actorTokenId?: string;
  sourceIp?: string;
  /** What was changed: a package id, token id, user name... */
  target: string;
  time: string;
  details?: Record<string, string | number | boolean>;
}

export type AuditAction =
  | 'repo.created'
  | 'repo.updated'
  | 'repo.deleted'
  | 'signing-key.rotated'
  | 'signing-key.retired'
  | 'package.accepted'
  | 'package.rejected'
  | 'package.distribution-added'
  | 'package.yanked'
  | 'package.unyanked'
  | 'package.deprecated'
  | 'package.tagged'
  | 'package.promoted'
  | 'token.created'
  | 'token.revoked'
  | 'master-token.created'
  | 'master-token.revoked'
  | 'read-token.minted'
  | 'read-token.revoked'
  | 'collaborator.added'
  | 'collaborator.removed'
  | 'user.created'
  | 'oidc.exchanged'
  | 'oidc.policy-added'
  | 'oidc.policy-removed';

export const GLOBAL_AUDIT_SCOPE = '*';
