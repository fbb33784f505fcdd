import { unauthorized } from '../domain/errors';
import type { Permission } from '../domain/token';
import { credentialsFrom } from '../http/credentials';
import { findPrincipal, requirePermission, withRepoAccess, type Principal } from './auth';
import type { AppDeps } from './deps';
import { loadRepo } from './repos';

/** What a native request carries for authentication. */
export interface NativeCaller {
  headers: Record<string, string | undefined>;
  sourceIp?: string;
}

/**
 * The caller of a native write (npm publish, twine upload, mvn deploy...), allowed `perm` on `repo`. Anonymous
 * or invalid credentials are 401 (the protocol adds the Basic challenge Maven and NuGet wait for); a valid
 * token without the permission is 403.
 */
export async function nativePrincipal(deps: Pick<AppDeps, 'meta' | 'clock'>, caller: NativeCaller, repo: string, perm: Permission): Promise<Principal> {
  const found = await findPrincipal(deps, caller.headers);
  if (!found) {
    throw unauthorized(credentialsFrom(caller.headers).length ? 'the token is invalid, revoked or expired' : 'authentication required');
  }
  const who = await withRepoAccess(deps, { ...found, sourceIp: caller.sourceIp }, repo);
  requirePermission(deps, who, repo, perm);
  return who;
}

/**
 * A dynamic read (Cargo's config.json, NuGet's service index, npm whoami): public repositories answer anyone,
 * private ones need a token that may read them, exactly as the edge check does for static files.
 */
export async function nativeReader(deps: Pick<AppDeps, 'meta' | 'clock'>, caller: NativeCaller, repo: string): Promise<Principal | undefined> {
  const record = await loadRepo(deps, repo);
  if (record.visibility === 'public') {
    const found = await findPrincipal(deps, caller.headers);
    return found ? withRepoAccess(deps, { ...found, sourceIp: caller.sourceIp }, repo) : undefined;
  }
  return nativePrincipal(deps, caller, repo, 'read');
}
