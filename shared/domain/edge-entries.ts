import type { CollaboratorRecord, UserRecord } from './collaborator';
import type { RepoRecord } from './repo';
import type { TokenRecord } from './token';

/**
 * What the edge check knows, as key-value entries: the same on CloudFront's KeyValueStore and in the local
 * runtime. `r:{repo}` exists only for private repositories; `t:{sha256 of token}` lists what a token may read.
 */
export const repoEdgeKey = (repo: string) => `r:${repo}`;
export const tokenEdgeKey = (hash: string) => `t:${hash}`;
/** The read-token HMAC key (hex); read tokens are checked by signature, not stored at the edge. */
export const EDGE_TOKEN_KEY = 'k:read';
/** Present for a revoked master or read token: `x:{token id}`. */
export const revokedEdgeKey = (id: string) => `x:${id}`;

/** A registered user (owns the repositories under their name): `o:{user}`. */
export const userEdgeKey = (user: string) => `o:${user}`;
/** A collaborator may read the repository: `c:{repo}#{user}`. */
export const collaboratorEdgeKey = (repo: string, user: string) => `c:${repo}#${user}`;
export const PRESENT = '1';

export const revokedEdgeValue = (token: TokenRecord): string | undefined =>
  token.revoked && (token.kind === 'read' || token.kind === 'master') ? '1' : undefined;

export const repoEdgeValue = (repo: RepoRecord): string | undefined => (repo.visibility === 'private' ? 'private' : undefined);

export function tokenEdgeValue(token: TokenRecord): string | undefined {
  // Master tokens read nothing; read tokens describe themselves (see read-token.ts).
  if (token.revoked || token.kind !== 'api') return undefined;
  const repos = token.admin ? ['*'] : Object.keys(token.grants);
  const e = token.expiresAt ? Math.floor(Date.parse(token.expiresAt) / 1000) : undefined;
  // `u`: the edge also lets the token's user read their own and their collaborations' repositories.
  return JSON.stringify({ r: repos, ...(token.admin ? {} : { u: token.user }), ...(e ? { e } : {}) });
}

/** A stored record the edge check knows something about. */
export type EdgeSubject =
  | { repo: RepoRecord }
  | { token: TokenRecord }
  | { user: UserRecord }
  | { collaborator: CollaboratorRecord }
  /** The read-token HMAC key, unwrapped by the caller (the only entry that needs a key to compute). */
  | { edgeTokenKeyHex: string };
export type EdgeEntry = readonly [key: string, value: string | undefined];

/**
 * Every entry one record determines: its key, and its value or undefined where the key must be absent. The
 * edge-sync function writes exactly these, so a new kind of entry is added here and nowhere else.
 */
export function edgeEntries(s: EdgeSubject): EdgeEntry[] {
  if ('repo' in s) return [[repoEdgeKey(s.repo.name), repoEdgeValue(s.repo)]];
  if ('user' in s) return [[userEdgeKey(s.user.name), PRESENT]];
  if ('collaborator' in s) return [[collaboratorEdgeKey(s.collaborator.repo, s.collaborator.user), PRESENT]];
  if ('edgeTokenKeyHex' in s) return [[EDGE_TOKEN_KEY, s.edgeTokenKeyHex]];
  return [
    [tokenEdgeKey(s.token.hash), tokenEdgeValue(s.token)],
    [revokedEdgeKey(s.token.id), revokedEdgeValue(s.token)],
  ];
}
