import { DescribeTableCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEdgeSyncHandler } from '../../../functions/edge-sync/handler';
import { FileKeyWrapper } from '../../../infra/local/file-key-wrapper';
import { edgeTokenKey } from '../../../shared/app/edge-key';
import { mintApiToken } from '../../../shared/app/tokens';
import { DynamoMetadataStore } from '../../../shared/aws/dynamo-metadata-store';
import { repoEdgeKey, tokenEdgeKey, tokenEdgeValue } from '../../../shared/domain/edge-entries';
import { hashToken } from '../../../shared/domain/token-secret';
import type { RepoRecord } from '../../../shared/domain/repo';
import type { EdgeStore } from '../../../shared/ports/edge-store';
import type { StoredSigningKey } from '../../../shared/ports/metadata-store';
import { systemClock } from '../../../shared/ports/clock';
import { freshTable, testClients } from '../../support/emulators';
import { repoRecord, signingKeyRecord } from '../../support/records';

// The table's real stream (DynamoDB Local), in the shape Lambda delivers it, through the edge-sync handler:
// this checks the item -> record decoding against items the metadata adapter really writes.

class MemoryEdgeStore implements EdgeStore {
  readonly entries = new Map<string, string>();
  async put(key: string, value: string): Promise<void> {
    this.entries.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }
}

const NOW = '2026-03-01T00:00:00.000Z';
const repo = (name: string, visibility: 'public' | 'private'): RepoRecord =>
  repoRecord(name, { visibility, createdAt: NOW, signingKeyFingerprint: 'ABCDEF' });
const key = (name: string): StoredSigningKey => signingKeyRecord(name, { fingerprint: 'ABCDEF', createdAt: NOW });
const context = {} as Context;

/**
 * The streams client deserialises an empty map attribute (`{"M": {}}`, e.g. a token's `grants: {}`) as `{}`;
 * Lambda delivers the JSON as sent. Put the type back so the event is what Lambda would deliver.
 */
function emptyMaps<T>(image: T): T {
  if (!image) return image;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(image as Record<string, unknown>)) out[k] = v && typeof v === 'object' && Object.keys(v).length === 0 ? { M: {} } : v;
  return out as T;
}

describe('edge-sync on the table stream (DynamoDB Local)', () => {
  let table: string;
  let meta: DynamoMetadataStore;
  let streams: DynamoDBStreamsClient;
  let shardIterators: string[] = [];

  beforeAll(async () => {
    process.env.PACKYARD_QUIET = '1';
    const { dynamo, doc, dynamoEndpoint } = testClients();
    table = await freshTable('edge-sync');
    await dynamo.send(new UpdateTableCommand({ TableName: table, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }));
    const streamArn = (await dynamo.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn;
    if (!streamArn) throw new Error('DynamoDB Local gave the table no stream');
    streams = new DynamoDBStreamsClient({ endpoint: dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const shards = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];
    for (const s of shards) {
      const it = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: s.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
      if (it.ShardIterator) shardIterators.push(it.ShardIterator);
    }
    meta = new DynamoMetadataStore(doc, table);
  });
  afterAll(() => streams?.destroy());

  /** Everything written since the last call, as one Lambda stream event. */
  async function nextEvent(): Promise<DynamoDBStreamEvent> {
    const records: DynamoDBRecord[] = [];
    const next: string[] = [];
    for (const iterator of shardIterators) {
      const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      // The streams client and Lambda use the same JSON for records; only the date type differs.
      for (const r of out.Records ?? []) {
        const d = r.dynamodb ?? {};
        const images = { NewImage: emptyMaps(d.NewImage), OldImage: emptyMaps(d.OldImage) };
        records.push({ ...r, dynamodb: { ...d, ...images, ApproximateCreationDateTime: undefined } } as DynamoDBRecord);
      }
      if (out.NextShardIterator) next.push(out.NextShardIterator);
    }
    shardIterators = next;
    return { Records: records };
  }

  it('puts private repositories and live tokens, and removes them on visibility change, revocation and deletion', async () => {
    const edge = new MemoryEdgeStore();
    const handler = createEdgeSyncHandler({ meta, edge });
    const deps = { meta, clock: systemClock };

    await meta.createRepo(repo('acme/secret', 'private'), key('acme/secret'));
    await meta.createRepo(repo('acme/open', 'public'), key('acme/open'));
    await meta.createRepo(repo('acme/soon-public', 'private'), key('acme/soon-public'));
    const reader = await mintApiToken(deps, { name: 'ci', user: 'ci', admin: false, grants: { 'acme/secret': ['read'] }, createdBy: 'admin' });
    const doomed = await mintApiToken(deps, { name: 'old', user: 'old', admin: false, grants: { 'acme/secret': ['read'] }, createdBy: 'admin' });
    const first = await handler(await nextEvent(), context);
    expect(first).toMatchObject({ put: 4, deleted: 0, tooLarge: [] });
    const readerRecord = await meta.getTokenByHash(hashToken(reader.token));
    expect(Object.fromEntries(edge.entries)).toEqual({
      [repoEdgeKey('acme/secret')]: 'private',
      [repoEdgeKey('acme/soon-public')]: 'private',
      [tokenEdgeKey(hashToken(reader.token))]: readerRecord && tokenEdgeValue(readerRecord),
      [tokenEdgeKey(hashToken(doomed.token))]: expect.any(String),
    });

    await meta.updateRepo('acme/soon-public', { visibility: 'public' });
    await meta.updateRepo('acme/secret', { description: 'only the description changes' });
    await meta.revokeToken(doomed.id);
    await meta.deleteRepo('acme/secret');
    const second = await handler(await nextEvent(), context);
    expect(second).toMatchObject({ put: 0, deleted: 3 });
    expect(Object.fromEntries(edge.entries)).toEqual({ [tokenEdgeKey(hashToken(reader.token))]: readerRecord && tokenEdgeValue(readerRecord) });
  });

  it('publishes users, collaborators, revoked read tokens and the read-token key', async () => {
    const edge = new MemoryEdgeStore();
    const keys = new FileKeyWrapper(join(await fsp.mkdtemp(join(tmpdir(), 'edge-key-')), 'master.key'));
    const handler = createEdgeSyncHandler({ meta, edge, keys, clock: systemClock });
    await nextEvent(); // earlier tests' writes
    await meta.createRepo(repo('team/app', 'private'), key('team/app'));
    await meta.createUser({ name: 'dana', createdAt: NOW, createdBy: 'admin' });
    await meta.putCollaborator({ repo: 'team/app', user: 'dana', permissions: ['read'], addedAt: NOW, addedBy: 'admin' });
    const hex = await edgeTokenKey({ meta, keys, clock: systemClock });
    await meta.putToken({ hash: 'f'.repeat(64), id: 'tok_read1', kind: 'read', name: 'web-01', user: 'admin', admin: false, grants: {}, repo: 'team/app', parentId: 'tok_m', createdAt: NOW, createdBy: 'admin', revoked: false });
    await handler(await nextEvent(), context);
    expect(Object.fromEntries(edge.entries)).toEqual({
      [repoEdgeKey('team/app')]: 'private',
      'o:dana': '1',
      'c:team/app#dana': '1',
      'k:read': hex,
    });
    await meta.revokeToken('tok_read1');
    await meta.deleteCollaborator('team/app', 'dana');
    await handler(await nextEvent(), context);
    expect(edge.entries.get('x:tok_read1')).toBe('1');
    expect(edge.entries.has('c:team/app#dana')).toBe(false);
  });

  it('rewrites the whole edge from the table on {"resync": true}', async () => {
    const edge = new MemoryEdgeStore();
    edge.entries.set(repoEdgeKey('acme/open'), 'private'); // stale
    await meta.createRepo(repo('beta/private', 'private'), key('beta/private'));
    const result = await createEdgeSyncHandler({ meta, edge })({ resync: true }, context);
    expect(edge.entries.get(repoEdgeKey('beta/private'))).toBe('private');
    expect(edge.entries.has(repoEdgeKey('acme/open'))).toBe(false);
    expect(result.tooLarge).toEqual([]);
  });

  it('refuses an event it does not know', async () => {
    const handler = createEdgeSyncHandler({ meta, edge: new MemoryEdgeStore() });
    await expect(handler({ resync: 'yes' } as never, context)).rejects.toThrow(/DynamoDB stream event or \{"resync": true\}/);
  });
});
