import { edgeEntries, type EdgeEntry, type EdgeSubject } from '../domain/edge-entries';
import type { EdgeStore } from '../ports/edge-store';
import type { MetadataStore } from '../ports/metadata-store';

/** One stored record as it was and as it is now; `before` is absent for a new record, `after` for a deleted one. */
export interface EdgeChange {
  before?: EdgeSubject;
  after?: EdgeSubject;
}

export interface EdgeSyncResult {
  put: number;
  deleted: number;
  /** Keys whose value exceeds what the edge store holds: left absent, so the edge refuses rather than admits. */
  tooLarge: string[];
}

/** CloudFront KeyValueStore's per-entry limits. */
export const EDGE_LIMITS = { keyBytes: 512, valueBytes: 1024 } as const;

/**
 * Brings the edge store in step with a batch of record changes, in order. A key is written only when the
 * change alters its value (every package upload rewrites its repository's item; that is no edge change).
 */
export async function syncEdge(edge: EdgeStore, changes: EdgeChange[]): Promise<EdgeSyncResult> {
  const target = new Map<string, string | undefined>();
  for (const { before, after } of changes) {
    const old = new Map(before ? edgeEntries(before) : []);
    const next = new Map(after ? edgeEntries(after) : []);
    for (const key of new Set([...old.keys(), ...next.keys()])) {
      if (old.get(key) !== next.get(key)) target.set(key, next.get(key));
    }
  }
  return apply(edge, target);
}

/**
 * Rewrites every entry the table determines: after restoring the table, deploying edge-sync onto existing
 * data, or when its dead-letter queue held a batch. Keys of records that no longer exist are not found here.
 */
export async function resyncEdge(deps: {
  meta: Pick<MetadataStore, 'listRepos' | 'listTokens' | 'listUsers' | 'listCollaborators'>;
  edge: EdgeStore;
}): Promise<EdgeSyncResult> {
  const repos = await deps.meta.listRepos();
  const subjects: EdgeSubject[] = [
    ...repos.map((repo) => ({ repo })),
    ...(await deps.meta.listTokens()).map((token) => ({ token })),
    ...(await deps.meta.listUsers()).map((user) => ({ user })),
  ];
  for (const r of repos) subjects.push(...(await deps.meta.listCollaborators(r.name)).map((collaborator) => ({ collaborator })));
  return apply(deps.edge, new Map(subjects.flatMap((s): EdgeEntry[] => edgeEntries(s))));
}

async function apply(edge: EdgeStore, target: Map<string, string | undefined>): Promise<EdgeSyncResult> {
  const result: EdgeSyncResult = { put: 0, deleted: 0, tooLarge: [] };
  for (const [key, value] of target) {
    if (value !== undefined && fits(key, value)) {
      await edge.put(key, value);
      result.put++;
    } else {
      if (value !== undefined) result.tooLarge.push(key);
      await edge.delete(key);
      result.deleted++;
    }
  }
  return result;
}

const fits = (key: string, value: string) => Buffer.byteLength(key) <= EDGE_LIMITS.keyBytes && Buffer.byteLength(value) <= EDGE_LIMITS.valueBytes;
