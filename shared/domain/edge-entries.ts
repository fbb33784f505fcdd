import type { RepoRecord } from './repo';
import type { TokenRecord } from './token';

/**
 * What the edge check knows, as key-value entries: the same on CloudFront's KeyValueStore and in the local
 * runtime. `r:{repo}` exists only for private repositories; `t:{sha256 of token}` lists what a token may read.
 */
export const repoEdgeKey = (repo: string) => `r:${repo}`;
export const tokenEdgeKey = (hash: string) => `t:${hash}`;

export const repoEdgeValue = (repo: RepoRecord): string | undefined => (repo.visibility === 'private' ? 'private' : undefined);

export function tokenEdgeValue(token: TokenRecord): string | undefined {
  if (token.revoked || token.kind === 'master') return undefined;
  const repos = token.admin ? ['*'] : Object.keys(token.grants);
  if (repos.length === 0) return undefined;
  const e = token.expiresAt ? Math.floor(Date.parse(token.expiresAt) / 1000) : undefined;
  return JSON.stringify(e ? { r: repos, e } : { r: repos });
}
