import { isPackyardError } from '../domain/errors';
import type { AppDeps } from './deps';
import { mintApiToken } from './tokens';

/** The name the deployment's first administrator token carries in token listings. */
export const BOOTSTRAP_ADMIN_NAME = 'bootstrap-admin';

/**
 * Mints the deployment's first administrator token and hands its secret over (to Secrets Manager, where the
 * operator collects it). If the hand-over fails the token is revoked again: no admin token exists that
 * nobody holds. Returns the token's public id.
 */
export async function mintBootstrapAdmin(deps: Pick<AppDeps, 'meta' | 'clock'>, handOver: (secret: string) => Promise<void>): Promise<string> {
  const t = await mintApiToken(deps, { name: BOOTSTRAP_ADMIN_NAME, user: 'admin', admin: true, grants: {}, createdBy: 'cloudformation' });
  try {
    await handOver(t.token);
  } catch (e) {
    await deps.meta.revokeToken(t.id);
    throw e;
  }
  return t.id;
}

/** Revokes it when the deployment no longer hands it out (stack deleted); a token already gone is fine. */
export async function revokeBootstrapAdmin(deps: Pick<AppDeps, 'meta'>, id: string): Promise<void> {
  try {
    await deps.meta.revokeToken(id);
  } catch (e) {
    if (!(isPackyardError(e) && e.status === 404)) throw e;
  }
}
