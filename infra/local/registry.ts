import { createReadStream, promises as fsp } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { PutObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { API_ROUTES } from '../../functions/api/routes';
import { createApiHandler } from '../../functions/api/handler';
import { nativeTooLarge } from '../../functions/registry/dispatch';
import { createRegistryHandler } from '../../functions/registry/handler';
import { REGISTRY_ROUTES } from '../../functions/registry/routes';
import { loadViewerRequest } from '../../functions/edge-auth/run-function';
import { createProcessUploadHandler } from '../../functions/process-upload/handler';
import { createRebuildHandler } from '../../functions/rebuild-index/handler';
import type { AppDeps } from '../../shared/app/deps';
import { mintApiToken } from '../../shared/app/tokens';
import { DynamoMetadataStore } from '../../shared/aws/dynamo-metadata-store';
import { HttpJwksSource } from '../../shared/aws/http-jwks-source';
import { S3BlobStore } from '../../shared/aws/s3-blob-store';
import { collaboratorEdgeKey, EDGE_TOKEN_KEY, PRESENT, repoEdgeKey, repoEdgeValue, revokedEdgeKey, revokedEdgeValue, tokenEdgeKey, tokenEdgeValue } from '../../shared/domain/edge-entries';
import { edgeTokenKey } from '../../shared/app/edge-key';
import { log } from '../../shared/http/middleware';
import { systemClock } from '../../shared/ports/clock';
import type { EdgeKvs } from '../../functions/edge-auth/run-function';
import { ensureTable, makeDynamoClients, makeS3Client, startDynamoLocal, startS3rver } from './emulators';
import { FileKeyWrapper } from './file-key-wrapper';
import { LocalRebuildQueue } from './local-queue';
import { createLocalServer } from './server';

export interface LocalRegistryOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Everything persistent lives here: DynamoDB Local's file, s3rver's objects, the key wrapper's key. */
  dataDir: string;
}

export interface LocalRegistry {
  url: string;
  dataDir: string;
  /** Set when this start created the admin token (first start). */
  newAdminToken?: string;
  adminTokenFile: string;
  deps: AppDeps;
  queue: LocalRebuildQueue;
  /** Where the embedded emulators listen (tests inspect what is stored). */
  dynamoEndpoint: string;
  tableName: string;
  /** Resolves when every queued index rebuild and upload has been processed. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const PACKAGES_BUCKET = 'packyard-packages';
const INCOMING_BUCKET = 'packyard-incoming';
const TABLE_NAME = 'packyard';
const S3_PREFIX = '/_s3';
const S3_CREDENTIALS = { S3RVER: 'S3RVER' };

/** The whole registry in one process: emulators, the same handlers as in Lambda, and the local server. */
export async function startLocalRegistry(opts: LocalRegistryOptions): Promise<LocalRegistry> {
  const dataDir = resolve(opts.dataDir);
  const host = opts.host ?? '127.0.0.1';
  await fsp.mkdir(join(dataDir, 'tmp'), { recursive: true, mode: 0o700 });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const [dynamo, s3] = await Promise.all([
      startDynamoLocal({ dataDir: join(dataDir, 'dynamodb') }),
      startS3rver({ dataDir: join(dataDir, 's3'), buckets: [PACKAGES_BUCKET, INCOMING_BUCKET] }),
    ]);
    stops.push(dynamo.stop, s3.stop);
    const { client: dynamoClient, doc } = makeDynamoClients(dynamo.endpoint);
    await ensureTable(dynamoClient, TABLE_NAME);
    const s3Client = makeS3Client(s3.endpoint);

    let ready = false;
    // The server is listening before the stores exist (presigned URLs need its port); it reads them lazily.
    // eslint-disable-next-line prefer-const
    let deps: AppDeps;
    const queue = new LocalRebuildQueue();
    const server = createLocalServer({
      apiRoutes: API_ROUTES,
      api: (e) => apiHandler(e, lambdaContext()),
      registryRoutes: REGISTRY_ROUTES,
      registry: (e) => registryHandler(e, lambdaContext()),
      registryTooLarge: (path, method) => nativeTooLarge(deps, path, method),
      viewerRequest: loadViewerRequest(localEdgeStore(() => deps)),
      packages: () => deps.packages,
      s3: {
        prefix: S3_PREFIX,
        credentials: S3_CREDENTIALS,
        putObject: (bucket, key, file, size) => putFile(s3Client, bucket, key, file, size),
        uploadPart: (bucket, key, uploadId, partNumber, file, size) => uploadPart(s3Client, bucket, key, uploadId, partNumber, file, size),
      },
      tmpDir: join(dataDir, 'tmp'),
      isReady: () => ready,
    });
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(opts.port, host, () => res());
    });
    stops.push(() => new Promise<void>((res) => {
      server.closeAllConnections();
      server.close(() => res());
    }));
    const port = (server.address() as AddressInfo).port;
    const url = `http://${host}:${port}`;

    deps = {
      meta: new DynamoMetadataStore(doc, TABLE_NAME),
      packages: new S3BlobStore(s3Client, PACKAGES_BUCKET),
      incoming: new S3BlobStore(s3Client, INCOMING_BUCKET, { presignEndpoint: `${url}${S3_PREFIX}` }),
      keys: new FileKeyWrapper(join(dataDir, 'master.key')),
      queue,
      clock: systemClock,
      // Local CI issuers (and the tests' own) serve plain http on loopback.
      jwks: new HttpJwksSource({ allowInsecureLoopback: true }),
      publicBaseUrl: url,
    };
    const apiHandler = createApiHandler(deps);
    const registryHandler = createRegistryHandler(deps);
    const processUpload = createProcessUploadHandler(deps);
    queue.attach(createRebuildHandler(deps) as unknown as Parameters<LocalRebuildQueue['attach']>[0]);

    const uploadsInFlight = new Set<Promise<void>>();
    s3.onObjectCreated((bucket, key) => {
      if (bucket !== INCOMING_BUCKET) return;
      const p = invokeAsync(() => processUpload(s3Event(bucket, key), lambdaContext()) as Promise<void>, `process-upload ${key}`);
      uploadsInFlight.add(p);
      void p.finally(() => uploadsInFlight.delete(p));
    });

    const idle = async () => {
      while (uploadsInFlight.size) await Promise.all([...uploadsInFlight]);
      await queue.drained();
    };
    const adminTokenFile = join(dataDir, 'admin-token');
    const newAdminToken = await bootstrapAdmin(deps, adminTokenFile);
    ready = true;
    return {
      url,
      dataDir,
      newAdminToken,
      adminTokenFile,
      deps,
      queue,
      dynamoEndpoint: dynamo.endpoint,
      tableName: TABLE_NAME,
      idle,
      close: async () => {
        // Let in-flight uploads and rebuilds finish (bounded), so a stop never leaves a half-published index.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([idle(), new Promise((r) => (timer = setTimeout(r, 15_000)))]);
        clearTimeout(timer);
        await stopAll();
      },
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** The first start mints an administrator token, shows it once and keeps it in a 0600 file. */
async function bootstrapAdmin(deps: AppDeps, file: string): Promise<string | undefined> {
  try {
    await fsp.access(file);
    return undefined;
  } catch {
    const t = await mintApiToken(deps, { name: 'admin', user: 'admin', admin: true, grants: {}, createdBy: 'packyard-local' });
    await fsp.writeFile(file, t.token + '\n', { mode: 0o600 });
    return t.token;
  }
}

/** What CloudFront's KeyValueStore holds in AWS, derived from the table locally (revocation is immediate). */
function localEdgeStore(getDeps: () => AppDeps): EdgeKvs {
  return {
    async get(key) {
      const deps = getDeps();
      let value: string | undefined;
      if (key === EDGE_TOKEN_KEY) {
        value = await edgeTokenKey(deps);
      } else if (key.startsWith('r:')) {
        const repo = await deps.meta.getRepo(key.slice(2));
        value = repo && repoEdgeKey(repo.name) === key ? repoEdgeValue(repo) : undefined;
      } else if (key.startsWith('t:')) {
        const token = await deps.meta.getTokenByHash(key.slice(2));
        value = token && tokenEdgeKey(token.hash) === key ? tokenEdgeValue(token) : undefined;
      } else if (key.startsWith('o:')) {
        value = (await deps.meta.getUser(key.slice(2))) ? PRESENT : undefined;
      } else if (key.startsWith('c:')) {
        const [repo, user] = key.slice(2).split('#');
        value = user && (await deps.meta.getCollaborator(repo, user)) && collaboratorEdgeKey(repo, user) === key ? PRESENT : undefined;
      } else if (key.startsWith('x:')) {
        const token = await deps.meta.getTokenById(key.slice(2));
        value = token && revokedEdgeKey(token.id) === key ? revokedEdgeValue(token) : undefined;
      }
      if (value === undefined) throw new Error('key not found');
      return value;
    },
  };
}

/** Lambda's asynchronous invocation: two retries on failure, then the event is logged as dead. */
async function invokeAsync(fn: () => Promise<void>, what: string): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await fn();
      return;
    } catch (e) {
      log('error', `${what} failed (attempt ${attempt})`, { error: e instanceof Error ? e.stack ?? e.message : String(e) });
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

function s3Event(bucket: string, key: string): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'local',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: bucket }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/') } },
      },
    ],
  } as unknown as S3Event;
}

const lambdaContext = () => ({}) as never;

async function putFile(client: S3Client, bucket: string, key: string, file: string, size: number): Promise<string> {
  const out = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(file), ContentLength: size }));
  return out.ETag ?? '""';
}

async function uploadPart(client: S3Client, bucket: string, key: string, uploadId: string, partNumber: number, file: string, size: number): Promise<string> {
  const out = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: createReadStream(file), ContentLength: size }));
  return out.ETag ?? '""';
}
