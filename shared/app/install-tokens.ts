import { badRequest, Codes, forbidden, notFound, unauthorized } from '../domain/errors';
import { signReadToken } from '../domain/read-token';
import { parseRepoName } from '../domain/repo';
import type { TokenRecord } from '../domain/token';
import { hashToken, newTokenId, newTokenSecret } from '../domain/token-secret';
import { actorOf, audit } from './audit';
import type { Principal } from './auth';
import { findPrincipal, requirePermission } from './auth';
import type { AppDeps } from './deps';
import { edgeTokenKey } from './edge-key';
import { loadRepo } from './repos';
import { tokenView, type TokenView } from './tokens';

/**
 * Packagecloud's token hierarchy: a repository's master tokens can do one thing, mint read tokens, one per
 * machine; read tokens only read that repository; revoking a master revokes every read token it minted.
 */

export async function createMasterToken(deps: AppDeps, principal: Principal, repoName: string, input: { name?: unknown }): Promise<TokenView & { token: string }> {
  const { name: repo } = parseRepoName(repoName);
  requirePermission(deps, principal, repo, 'admin');
  await loadRepo(deps, repo);
  const name = typeof input.name === 'string' && input.name.trim() ? input.name.trim().slice(0, 100) : 'default';
  return issueMasterToken(deps, principal, repo, name);
}

/** Also used at repository creation for the default master token. */
export async function issueMasterToken(deps: AppDeps, principal: Principal, repo: string, name: string): Promise<TokenView & { token: string }> {
  const secret = newTokenSecret();
  const record: TokenRecord = {
    hash: hashToken(secret),
    id: newTokenId(),
    kind: 'master',
    name,
    user: principal.user,
    admin: false,
    grants: {},
    repo,
    createdAt: deps.clock.now().toISOString(),
    createdBy: principal.user,
    revoked: false,
  };
  await deps.meta.putToken(record);
  await audit(deps, actorOf(principal), repo, 'master-token.created', record.id, { name });
  return { token: secret, ...tokenView(record) };
}

export async function listMasterTokens(deps: AppDeps, principal: Principal, repoName: string): Promise<TokenView[]> {
  const { name: repo } = parseRepoName(repoName);
  requirePermission(deps, principal, repo, 'admin');
  return (await deps.meta.listMasterTokens(repo)).map(tokenView);
}

export async function revokeMasterToken(deps: AppDeps, principal: Principal, repoName: string, id: string): Promise<void> {
  const { name: repo } = parseRepoName(repoName);
  requirePermission(deps, principal, repo, 'admin');
  await loadToken(deps, repo, id, 'master');
  // The master first: its children are refused from this moment (every check looks at the parent too).
  await deps.meta.revokeToken(id);
  const children = await deps.meta.listReadTokens(id);
  for (const child of children) if (!child.revoked) await deps.meta.revokeToken(child.id);
  await audit(deps, actorOf(principal), repo, 'master-token.revoked', id, { readTokensRevoked: children.length });
}

export async function listReadTokens(deps: AppDeps, principal: Principal, repoName: string, masterId: string): Promise<TokenView[]> {
  const { name: repo } = parseRepoName(repoName);
  requirePermission(deps, principal, repo, 'admin');
  await loadToken(deps, repo, masterId, 'master');
  return (await deps.meta.listReadTokens(masterId)).map(tokenView);
}

export async function revokeReadToken(deps: AppDeps, principal: Principal, repoName: string, id: string): Promise<void> {
  const { name: repo } = parseRepoName(repoName);
  requirePermission(deps, principal, repo, 'admin');
  await loadToken(deps, repo, id, 'read');
  await deps.meta.revokeToken(id);
  await audit(deps, actorOf(principal), repo, 'read-token.revoked', id);
}

const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252})$/;

/**
 * `POST /install/repositories/{owner}/{repo}/tokens.text` with `name=<hostname>`, authenticated by a master
 * token (as `https://MASTER:@host/...`): answers a new read token for that machine.
 */
export async function mintReadToken(
  deps: AppDeps,
  headers: Record<string, string | undefined>,
  repoName: string,
  input: { name?: unknown; sourceIp?: string },
): Promise<string> {
  const { name: repo } = parseRepoName(repoName);
  const master = await findPrincipal(deps, headers);
  if (!master) throw unauthorized('a master token is required to mint read tokens');
  if (master.kind !== 'master' || master.repo !== repo) throw forbidden(`only a master token of ${repo} may mint its read tokens`);
  const hostname = typeof input.name === 'string' ? input.name.trim() : '';
  if (!HOSTNAME.test(hostname)) throw badRequest(Codes.INVALID_REQUEST, 'name must be the machine\'s host name (letters, digits, ".", "_", "-")');
  await loadRepo(deps, repo);
  const id = newTokenId();
  const secret = signReadToken(await edgeTokenKey(deps), { repo, id, parentId: master.id });
  await deps.meta.putToken({
    hash: hashToken(secret),
    id,
    kind: 'read',
    name: hostname,
    user: master.user,
    admin: false,
    grants: {},
    repo,
    parentId: master.id,
    createdAt: deps.clock.now().toISOString(),
    createdBy: `master:${master.id}`,
    revoked: false,
  });
  await audit(deps, { user: master.user, tokenId: master.id, sourceIp: input.sourceIp }, repo, 'read-token.minted', id, { hostname });
  return secret;
}

async function loadToken(deps: AppDeps, repo: string, id: string, kind: 'master' | 'read'): Promise<TokenRecord> {
  const t = await deps.meta.getTokenById(id);
  if (!t || t.kind !== kind || t.repo !== repo) throw notFound(Codes.TOKEN_NOT_FOUND, `${kind} token ${id} does not exist in ${repo}`);
  return t;
}
