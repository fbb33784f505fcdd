import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CopyObjectCommand, DeleteObjectCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeTableCommand, DescribeTimeToLiveCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable, freePort, makeDynamoClients, makeS3Client, startDynamoLocal, startS3rver } from '../../../infra/local/emulators';
import { S3BlobStore } from '../../../shared/aws/s3-blob-store';

/** Processes whose command line contains `marker` (pgrep -f), other than pgrep itself. */
function processesMatching(marker: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', '--', marker], { encoding: 'utf8' }).split('\n').filter((l) => l.trim() && !l.includes('pgrep'));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describe('DynamoDB Local launcher', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'packyard-ddb-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('persists to dataDir across restarts, and stop() leaves no JVM behind', async () => {
    const dataDir = join(dir, 'db');
    const t0 = Date.now();
    const first = await startDynamoLocal({ dataDir });
    const startMs = Date.now() - t0;
    console.info(`DynamoDB Local answered ListTables ${startMs} ms after spawn`);
    expect(processesMatching(dataDir)).toHaveLength(1);
    const { client, doc } = makeDynamoClients(first.endpoint);
    await ensureTable(client, 'packyard');
    await ensureTable(client, 'packyard'); // idempotent
    await doc.send(new PutCommand({ TableName: 'packyard', Item: { pk: 'REPO#acme/tools', sk: 'META', n: 1 } }));
    await first.stop();
    await first.stop(); // twice is harmless
    expect(processesMatching(dataDir)).toEqual([]);

    const second = await startDynamoLocal({ dataDir });
    const again = makeDynamoClients(second.endpoint);
    try {
      const got = await again.doc.send(new GetCommand({ TableName: 'packyard', Key: { pk: 'REPO#acme/tools', sk: 'META' } }));
      expect(got.Item).toEqual({ pk: 'REPO#acme/tools', sk: 'META', n: 1 });
      // Shared database: another region's client sees the same table.
      const { client: other } = makeDynamoClients(second.endpoint);
      expect((await other.send(new ListTablesCommand({}))).TableNames).toContain('packyard');
    } finally {
      await second.stop();
      client.destroy();
      again.client.destroy();
    }
    expect(processesMatching(dataDir)).toEqual([]);
  });

  it('runs in memory on a given port, with the table schema from config', async () => {
    const port = await freePort();
    const ddb = await startDynamoLocal({ port });
    expect(ddb.endpoint).toBe(`http://127.0.0.1:${port}`);
    const { client } = makeDynamoClients(ddb.endpoint);
    try {
      await ensureTable(client, 'schema-check');
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'schema-check' }));
      expect(Table?.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(Table?.GlobalSecondaryIndexes?.[0]).toMatchObject({
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      });
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: 'schema-check' }));
      expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
    } finally {
      await ddb.stop();
      client.destroy();
    }
    expect(processesMatching(`-port ${port}`)).toEqual([]);
  });

  it('fails clearly when the port is taken', async () => {
    const port = await freePort();
    const holder = await startDynamoLocal({ port });
    try {
      await expect(startDynamoLocal({ port })).rejects.toThrow(`port ${port} is in use`);
    } finally {
      await holder.stop();
    }
    expect(processesMatching(`-port ${port}`)).toEqual([]);
  });
});

describe('s3rver launcher', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'packyard-s3-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the configured buckets and reports created objects', async () => {
    const s3 = await startS3rver({ dataDir: dir, buckets: ['packages', 'incoming'] });
    const client = makeS3Client(s3.endpoint);
    const created: string[] = [];
    const unsubscribe = s3.onObjectCreated((bucket, key) => void created.push(`${bucket}/${key}`));
    try {
      const names = (await client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name);
      expect(names).toEqual(expect.arrayContaining(['packages', 'incoming']));

      await client.send(new PutObjectCommand({ Bucket: 'incoming', Key: 'up/a b+c', Body: 'x' }));
      await client.send(new CopyObjectCommand({ Bucket: 'packages', Key: 'pool/copy', CopySource: 'incoming/up/a%20b+c' }));
      await client.send(new DeleteObjectCommand({ Bucket: 'incoming', Key: 'up/a b+c' }));
      const store = new S3BlobStore(client, 'incoming');
      const uploadId = await store.createMultipart('up/multi', 'application/octet-stream');
      const res = await fetch(await store.presignPart('up/multi', uploadId, 1, 60), { method: 'PUT', body: 'part' });
      await store.completeMultipart('up/multi', uploadId, [{ partNumber: 1, etag: res.headers.get('etag') ?? '' }]);
      await new Promise((r) => setImmediate(r));
      expect(created).toEqual(['incoming/up/a b+c', 'packages/pool/copy', 'incoming/up/multi']);

      unsubscribe();
      await client.send(new PutObjectCommand({ Bucket: 'incoming', Key: 'after', Body: 'x' }));
      await new Promise((r) => setImmediate(r));
      expect(created).toHaveLength(3);
    } finally {
      await s3.stop();
      client.destroy();
    }
    await expect(fetch(s3.endpoint)).rejects.toThrow();
  });

  it('keeps objects in dataDir across restarts and survives a failing event handler', async () => {
    const first = await startS3rver({ dataDir: dir, buckets: ['packages'] });
    first.onObjectCreated(() => {
      throw new Error('handler failure (expected in this test)');
    });
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const c1 = makeS3Client(first.endpoint);
    await new S3BlobStore(c1, 'packages').put('kept', 'still here', { contentType: 'text/plain' });
    await new Promise((r) => setImmediate(r));
    expect(errors).toHaveBeenCalled();
    errors.mockRestore();
    await first.stop();
    c1.destroy();

    const second = await startS3rver({ dataDir: dir, buckets: ['packages'] });
    const c2 = makeS3Client(second.endpoint);
    try {
      expect(Buffer.from(await new S3BlobStore(c2, 'packages').getBytes('kept')).toString()).toBe('still here');
    } finally {
      await second.stop();
      c2.destroy();
    }
  });
});
