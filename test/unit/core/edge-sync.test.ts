import { EDGE_LIMITS, resyncEdge, syncEdge, type EdgeChange } from '../../../shared/app/edge-sync';
import { repoEdgeKey, revokedEdgeKey, tokenEdgeKey, tokenEdgeValue } from '../../../shared/domain/edge-entries';
import type { RepoRecord } from '../../../shared/domain/repo';
import type { TokenRecord } from '../../../shared/domain/token';
import type { EdgeStore } from '../../../shared/ports/edge-store';

/** An EdgeStore in memory that also records each call, in order. */
class MemoryEdgeStore implements EdgeStore {
  readonly entries = new Map<string, string>();
  readonly calls: string[] = [];
  async put(key: string, value: string): Promise<void> {
    this.calls.push(`put ${key}`);
    this.entries.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.calls.push(`delete ${key}`);
    this.entries.delete(key);
  }
}

const repo = (name: string, visibility: 'public' | 'private', extra: Partial<RepoRecord> = {}): RepoRecord => ({
  name, owner: name.split('/')[0], repo: name.split('/')[1], visibility, description: '', createdAt: '2026-01-01T00:00:00Z',
  createdBy: 'admin', signingKeyFingerprint: 'F', signingKeyType: 'ed25519', packageCount: 0, ...extra,
});
const token = (hash: string, extra: Partial<TokenRecord> = {}): TokenRecord => ({
  hash, id: `tok_${hash}`, kind: 'api', name: 'ci', user: 'ci', admin: false, grants: { 'acme/secret': ['read'] },
  createdAt: '2026-01-01T00:00:00Z', createdBy: 'admin', revoked: false, ...extra,
});

describe('syncEdge', () => {
  it('puts the entry of a new private repository and a new token, and nothing for a public repository', async () => {
    const edge = new MemoryEdgeStore();
    const result = await syncEdge(edge, [
      { after: { repo: repo('acme/secret', 'private') } },
      { after: { repo: repo('acme/open', 'public') } },
      { after: { token: token('aa') } },
    ]);
    expect(Object.fromEntries(edge.entries)).toEqual({
      [repoEdgeKey('acme/secret')]: 'private',
      [tokenEdgeKey('aa')]: tokenEdgeValue(token('aa')),
    });
    // A public repository or an unrevoked token has no entry to remove: no API call is spent on it.
    expect(edge.calls).toEqual([`put ${repoEdgeKey('acme/secret')}`, `put ${tokenEdgeKey('aa')}`]);
    expect(result).toEqual({ put: 2, deleted: 0, tooLarge: [] });
  });

  it('deletes on revocation, on a repository turned public, and when the record is gone', async () => {
    const edge = new MemoryEdgeStore();
    const t = token('bb');
    await syncEdge(edge, [{ after: { repo: repo('acme/a', 'private') } }, { after: { repo: repo('acme/b', 'private') } }, { after: { token: t } }]);
    const result = await syncEdge(edge, [
      { before: { token: t }, after: { token: { ...t, revoked: true } } },
      { before: { repo: repo('acme/a', 'private') }, after: { repo: repo('acme/a', 'public') } },
      { before: { repo: repo('acme/b', 'private') } },
    ]);
    expect(edge.entries.size).toBe(0);
    expect(result).toMatchObject({ put: 0, deleted: 3 });
  });

  it('marks a revoked read or master token (x:{id}) for the edge', async () => {
    const edge = new MemoryEdgeStore();
    const master = token('cc', { kind: 'master', repo: 'acme/secret', grants: {} });
    await syncEdge(edge, [{ after: { token: master } }]);
    expect(edge.entries.size).toBe(0);
    await syncEdge(edge, [{ before: { token: master }, after: { token: { ...master, revoked: true } } }]);
    expect(Object.fromEntries(edge.entries)).toEqual({ [revokedEdgeKey(master.id)]: '1' });
  });

  it('writes nothing when a change leaves the entries as they were (a package count going up)', async () => {
    const edge = new MemoryEdgeStore();
    const before = repo('acme/secret', 'private', { packageCount: 1 });
    const result = await syncEdge(edge, [{ before: { repo: before }, after: { repo: { ...before, packageCount: 2 } } }]);
    expect(edge.calls).toEqual([]);
    expect(result).toEqual({ put: 0, deleted: 0, tooLarge: [] });
  });

  it('applies several changes of one record in order: the last state wins', async () => {
    const edge = new MemoryEdgeStore();
    edge.entries.set(repoEdgeKey('acme/x'), 'private');
    const changes: EdgeChange[] = [
      { before: { repo: repo('acme/x', 'private') }, after: { repo: repo('acme/x', 'public') } },
      { before: { repo: repo('acme/x', 'public') }, after: { repo: repo('acme/x', 'private') } },
      { before: { repo: repo('acme/x', 'private') } },
      { after: { repo: repo('acme/x', 'private') } },
    ];
    await syncEdge(edge, changes);
    expect(edge.entries.get(repoEdgeKey('acme/x'))).toBe('private');
    // One write per key however many changes the batch held.
    expect(edge.calls).toEqual([`put ${repoEdgeKey('acme/x')}`]);
  });

  it('leaves an entry the store cannot hold absent and reports it, so the edge refuses rather than admits', async () => {
    const edge = new MemoryEdgeStore();
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`acme/repository-number-${i}`, ['read' as const]]));
    const small = token('dd');
    await syncEdge(edge, [{ after: { token: small } }]);
    const result = await syncEdge(edge, [{ before: { token: small }, after: { token: { ...small, grants: many } } }]);
    expect(Buffer.byteLength(tokenEdgeValue({ ...small, grants: many }) ?? '')).toBeGreaterThan(EDGE_LIMITS.valueBytes);
    expect(result.tooLarge).toEqual([tokenEdgeKey('dd')]);
    expect(edge.entries.has(tokenEdgeKey('dd'))).toBe(false);
  });

  it('lets a failing store fail the batch (the stream retries it whole)', async () => {
    const edge: EdgeStore = { put: async () => Promise.reject(new Error('throttled')), delete: async () => undefined };
    await expect(syncEdge(edge, [{ after: { repo: repo('acme/secret', 'private') } }])).rejects.toThrow('throttled');
  });
});

describe('resyncEdge', () => {
  it('rewrites every entry the table determines and removes stale ones', async () => {
    const edge = new MemoryEdgeStore();
    edge.entries.set(repoEdgeKey('acme/open'), 'private'); // stale: the repository has been public since
    edge.entries.set(tokenEdgeKey('gone'), '{"r":["*"]}'); // a revoked token whose delete was lost
    const meta = {
      listRepos: async () => [repo('acme/secret', 'private'), repo('acme/open', 'public')],
      listTokens: async () => [token('ee'), token('gone', { revoked: true })],
      listUsers: async () => [{ name: 'alice', createdAt: '', createdBy: '' }],
      listCollaborators: async (r: string) => (r === 'acme/secret' ? [{ repo: r, user: 'alice', permissions: ['read' as const], addedAt: '', addedBy: '' }] : []),
    };
    const result = await resyncEdge({ meta, edge });
    expect(Object.fromEntries(edge.entries)).toEqual({
      [repoEdgeKey('acme/secret')]: 'private',
      [tokenEdgeKey('ee')]: tokenEdgeValue(token('ee')),
      'o:alice': '1',
      'c:acme/secret#alice': '1',
    });
    expect(result.put).toBe(4);
  });
});

describe('edge entries of access-control records', () => {
  it('marks users and collaborators present and publishes the read-token key', async () => {
    const { edgeEntries } = await import('../../../shared/domain/edge-entries');
    expect(edgeEntries({ user: { name: 'alice', createdAt: '', createdBy: '' } })).toEqual([['o:alice', '1']]);
    expect(edgeEntries({ collaborator: { repo: 'alice/x', user: 'bob', permissions: ['push'], addedAt: '', addedBy: '' } })).toEqual([['c:alice/x#bob', '1']]);
    expect(edgeEntries({ edgeTokenKeyHex: 'ab'.repeat(32) })).toEqual([['k:read', 'ab'.repeat(32)]]);
  });
});
