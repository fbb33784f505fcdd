import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { FileKeyWrapper } from '../../../infra/local/file-key-wrapper';
import type { AppDeps } from '../../../shared/app/deps';
import { ingestPackage } from '../../../shared/app/ingest';
import { rebuildIndex } from '../../../shared/app/rebuild';
import { createRepo } from '../../../shared/app/repos';
import { CloudFrontCdnCache } from '../../../shared/aws/cloudfront-cdn-cache';
import { DynamoMetadataStore } from '../../../shared/aws/dynamo-metadata-store';
import { S3BlobStore } from '../../../shared/aws/s3-blob-store';
import type { TokenRecord } from '../../../shared/domain/token';
import type { CdnCache } from '../../../shared/ports/cdn-cache';
import { systemClock } from '../../../shared/ports/clock';
import { buildDeb } from '../../support/debs';
import { freshBucket, freshTable, testClients } from '../../support/emulators';

// A real rebuild (DynamoDB Local, s3rver, real signing) with the CDN port attached: what it invalidates must be
// exactly the mutable files it wrote.

const admin: TokenRecord = {
  hash: '0'.repeat(64), id: 'tok_admin', kind: 'api', name: 'admin', user: 'admin', admin: true, grants: {},
  createdAt: '2026-01-01T00:00:00Z', createdBy: 'test', revoked: false,
};

describe('rebuildIndex invalidates the CDN', () => {
  let dir: string;
  let deps: AppDeps;
  const invalidated: string[][] = [];
  const recording: CdnCache = { invalidate: async (paths) => void invalidated.push(paths) };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'packyard-rebuild-cdn-'));
    const { doc, s3 } = testClients();
    // Only what these use cases touch; the rest of AppDeps (e.g. OIDC key sources) is never reached.
    deps = {
      meta: new DynamoMetadataStore(doc, await freshTable('rebuild-cdn')),
      packages: new S3BlobStore(s3, await freshBucket('rebuild-cdn')),
      incoming: new S3BlobStore(s3, await freshBucket('rebuild-cdn-in')),
      keys: new FileKeyWrapper(join(dir, 'master.key')),
      queue: { enqueue: async () => undefined },
      clock: systemClock,
      publicBaseUrl: 'https://packages.example.com',
      cdn: recording,
    } as unknown as AppDeps;
    await createRepo(deps, admin, { name: 'acme/cdn', signingKey: 'ed25519' });
    const deb = await buildDeb(dir, { name: 'hello', version: '1.0-1', arch: 'amd64' });
    await ingestPackage(deps, { repo: 'acme/cdn', distribution: 'debian/bookworm', bytes: await readFile(deb), actor: 'admin' });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('invalidates every top-level and content index it wrote, and no by-hash file, once per rebuild', async () => {
    invalidated.length = 0;
    await rebuildIndex(deps, { repo: 'acme/cdn', format: 'deb', scope: 'debian/bookworm' });
    expect(invalidated).toHaveLength(1);
    const paths = invalidated[0];
    expect(paths).toEqual(expect.arrayContaining([
      'acme/cdn/debian/dists/bookworm/InRelease',
      'acme/cdn/debian/dists/bookworm/Release',
      'acme/cdn/debian/dists/bookworm/main/binary-amd64/Packages',
      'acme/cdn/debian/dists/bookworm/main/binary-amd64/Packages.gz',
    ]));
    expect(paths.filter((p) => p.includes('/by-hash/'))).toEqual([]);
    // Each of them is a file the rebuild really published.
    for (const p of paths) expect(await deps.packages.head(p)).toBeDefined();
    const byHash = await deps.packages.list('acme/cdn/debian/dists/bookworm/main/binary-amd64/by-hash/');
    expect(byHash.length).toBeGreaterThan(0);
  });

  it('reaches CloudFront as one wildcard under the distribution directory', async () => {
    const client = new CloudFrontClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const cf = mockClient(client);
    cf.on(CreateInvalidationCommand).resolves({});
    await rebuildIndex({ ...deps, cdn: new CloudFrontCdnCache(client, 'E123') }, { repo: 'acme/cdn', format: 'deb', scope: 'debian/bookworm' });
    expect(cf.commandCalls(CreateInvalidationCommand).map((c) => c.args[0].input.InvalidationBatch?.Paths)).toEqual([
      { Quantity: 1, Items: ['/acme/cdn/debian/dists/bookworm/*'] },
    ]);
  });

  it('needs no CDN (the local runtime has none)', async () => {
    await expect(rebuildIndex({ ...deps, cdn: undefined }, { repo: 'acme/cdn', format: 'deb', scope: 'debian/bookworm' })).resolves.toMatchObject({ members: 1 });
  });
});
