import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import {
  CloudFrontKeyValueStoreClient,
  type CloudFrontKeyValueStoreClientConfig,
  ConflictException,
  DeleteKeyCommand,
  DescribeKeyValueStoreCommand,
  PutKeyCommand,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { mockClient } from 'aws-sdk-client-mock';
import { KvsEdgeStore } from '../../../shared/aws/kvs-edge-store';
import { PackyardError } from '../../../shared/domain/errors';

const ARN = 'arn:aws:cloudfront::111122223333:key-value-store/0123abcd-0123-4567-89ab-0123456789ab';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const conflict = () => new ConflictException({ message: 'ETag mismatch', $metadata: { httpStatusCode: 409 } });

describe('KvsEdgeStore (aws-sdk-client-mock)', () => {
  const client = new CloudFrontKeyValueStoreClient({ region: 'us-east-1', credentials });
  const kvs = mockClient(client);
  let store: KvsEdgeStore;

  beforeEach(() => {
    kvs.reset();
    store = new KvsEdgeStore(client, ARN);
    kvs.on(DescribeKeyValueStoreCommand).resolves({ ETag: 'E1', KvsARN: ARN, Created: new Date() });
  });

  it('describes the store once, then writes with the ETag each write returns', async () => {
    kvs.on(PutKeyCommand).resolvesOnce({ ETag: 'E2' }).resolvesOnce({ ETag: 'E3' });
    kvs.on(DeleteKeyCommand).resolves({ ETag: 'E4' });
    await store.put('r:acme/secret', 'private');
    await store.put('t:abc', '{"r":["*"]}');
    await store.delete('r:acme/secret');
    expect(kvs.commandCalls(DescribeKeyValueStoreCommand)).toHaveLength(1);
    expect(kvs.commandCalls(PutKeyCommand).map((c) => c.args[0].input)).toEqual([
      { KvsARN: ARN, Key: 'r:acme/secret', Value: 'private', IfMatch: 'E1' },
      { KvsARN: ARN, Key: 't:abc', Value: '{"r":["*"]}', IfMatch: 'E2' },
    ]);
    expect(kvs.commandCalls(DeleteKeyCommand)[0].args[0].input).toEqual({ KvsARN: ARN, Key: 'r:acme/secret', IfMatch: 'E3' });
  });

  it('re-reads a stale ETag (another writer moved the store on) and retries', async () => {
    kvs.on(DescribeKeyValueStoreCommand).resolvesOnce({ ETag: 'E1' }).resolvesOnce({ ETag: 'E7' });
    kvs.on(PutKeyCommand, { IfMatch: 'E1' }).rejects(conflict());
    kvs.on(PutKeyCommand, { IfMatch: 'E7' }).resolves({ ETag: 'E8' });
    await store.put('r:acme/secret', 'private');
    expect(kvs.commandCalls(PutKeyCommand).map((c) => c.args[0].input.IfMatch)).toEqual(['E1', 'E7']);
    expect(kvs.commandCalls(DescribeKeyValueStoreCommand)).toHaveLength(2);
  });

  it('gives up with a retryable 503 when the store keeps changing', async () => {
    kvs.on(PutKeyCommand).rejects(conflict());
    const err = await store.put('k', 'v').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PackyardError);
    expect(err).toMatchObject({ status: 503, code: 'CLOUDFRONT_KVS_UNAVAILABLE' });
    expect(kvs.commandCalls(PutKeyCommand)).toHaveLength(6);
  });

  it('treats deleting an absent key as done', async () => {
    kvs.on(DeleteKeyCommand).rejects(new ResourceNotFoundException({ message: 'Key not found', $metadata: { httpStatusCode: 404 } }));
    await expect(store.delete('t:never-written')).resolves.toBeUndefined();
  });

  it('turns any other failure into a PackyardError naming the operation, without retrying', async () => {
    kvs.on(PutKeyCommand).rejects(new ValidationException({ message: 'Value too long', $metadata: { httpStatusCode: 400 } }));
    await expect(store.put('k', 'x'.repeat(2000))).rejects.toMatchObject({ status: 500, code: 'CLOUDFRONT_KVS_ERROR', message: expect.stringContaining('PutKey') });
    expect(kvs.commandCalls(PutKeyCommand)).toHaveLength(1);
  });
});

/**
 * Without the mock: the real client and the adapter's own import of @aws-sdk/signature-v4a, against a local
 * server that answers like the KeyValueStore API. The service only accepts SigV4A (region set "*").
 */
describe('KvsEdgeStore over HTTP (real SigV4A signing)', () => {
  const seen: { method?: string; url?: string; authorization?: string; regionSet?: string; ifMatch?: string; body: string }[] = [];
  let etag = 1;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        regionSet: req.headers['x-amz-region-set'] as string | undefined,
        ifMatch: req.headers['if-match'] as string | undefined,
        body,
      });
      const json = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };
      if (req.method === 'GET') return json(200, { KvsARN: ARN, Created: 1, ItemCount: 0, TotalSizeInBytes: 0 }, { etag: `E${etag}` });
      // A write naming an old ETag is refused as the service does.
      if (req.headers['if-match'] !== `E${etag}`) return json(409, { Message: 'stale' }, { 'x-amzn-errortype': 'ConflictException' });
      etag++;
      return json(200, { ItemCount: 1, TotalSizeInBytes: 10 }, { etag: `E${etag}` });
    });
  });
  let client: CloudFrontKeyValueStoreClient;
  let clientConfig: CloudFrontKeyValueStoreClientConfig;

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    // The SDK prefixes the account id to the host; every name resolves to this server.
    const lookup = (_h: string, o: { all?: boolean }, cb: (...a: unknown[]) => void) =>
      o.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4);
    clientConfig = {
      region: 'eu-west-1',
      credentials,
      endpoint: `http://kvs.test:${port}`,
      requestHandler: { httpAgent: new http.Agent({ lookup } as http.AgentOptions) },
    };
    client = new CloudFrontKeyValueStoreClient(clientConfig);
  });
  beforeEach(() => {
    seen.length = 0;
    etag = 1;
  });
  afterAll(async () => {
    client.destroy();
    await new Promise((r) => server.close(r));
  });

  it('signs with SigV4A for every region and recovers from a concurrent writer', async () => {
    const store = new KvsEdgeStore(client, ARN);
    await store.put('r:acme/secret', 'private');
    etag += 5; // someone else wrote meanwhile
    await store.delete('r:acme/secret');
    expect(seen.map((s) => `${s.method} ${s.ifMatch ?? '-'}`)).toEqual(['GET -', 'PUT E1', 'DELETE E2', 'GET -', 'DELETE E7']);
    for (const s of seen) {
      expect(s.authorization).toMatch(/^AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/cloudfront-keyvaluestore\/aws4_request/);
      expect(s.regionSet).toBe('*');
    }
    expect(seen[1].url).toBe(`/key-value-stores/${encodeURIComponent(ARN)}/keys/${encodeURIComponent('r:acme/secret')}`);
    expect(JSON.parse(seen[1].body)).toEqual({ Value: 'private' });
  });

  it('still signs once bundled by esbuild the way the Lambda is (CJS, node22, minified)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'packyard-kvs-bundle-'));
    try {
      const outfile = join(dir, 'bundle.js');
      await build({
        stdin: {
          contents: "export { KvsEdgeStore } from './shared/aws/kvs-edge-store'; export { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';",
          resolveDir: join(__dirname, '../../..'),
          loader: 'ts',
        },
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node22',
        minify: true,
        outfile,
        logLevel: 'silent',
      });
      // The bundle carries its own copy of the SDK and of the signer registry; nothing is shared with this process.
      const bundled = require(outfile) as { KvsEdgeStore: typeof KvsEdgeStore; CloudFrontKeyValueStoreClient: typeof CloudFrontKeyValueStoreClient };
      const bundledClient = new bundled.CloudFrontKeyValueStoreClient(clientConfig);
      await new bundled.KvsEdgeStore(bundledClient, ARN).put('t:abc', '{"r":["*"]}');
      bundledClient.destroy();
      expect(seen.map((x) => x.method)).toEqual(['GET', 'PUT']);
      expect(seen[1].authorization).toMatch(/^AWS4-ECDSA-P256-SHA256 /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
