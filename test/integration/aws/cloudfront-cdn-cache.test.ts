import { CloudFrontClient, CreateInvalidationCommand, TooManyInvalidationsInProgress, AccessDenied } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudFrontCdnCache, commonWildcard, toInvalidationPath } from '../../../shared/aws/cloudfront-cdn-cache';

const DIST = 'E2EXAMPLE123';
const dists = 'acme/tools/debian/dists/bookworm';
const rebuildPaths = [
  `${dists}/InRelease`,
  `${dists}/Release`,
  `${dists}/Release.gpg`,
  `${dists}/main/binary-amd64/Packages`,
  `${dists}/main/binary-amd64/Packages.gz`,
  `${dists}/main/binary-amd64/Packages.xz`,
];

describe('CloudFrontCdnCache (aws-sdk-client-mock)', () => {
  const client = new CloudFrontClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const cf = mockClient(client);
  const cache = new CloudFrontCdnCache(client, DIST);
  const batches = () => cf.commandCalls(CreateInvalidationCommand).map((c) => c.args[0].input);

  beforeEach(() => {
    cf.reset();
    cf.on(CreateInvalidationCommand).resolves({ Invalidation: { Id: 'I1', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined } });
  });

  it("sends one rebuild's files as a single wildcard path (CloudFront bills per path)", async () => {
    await cache.invalidate(rebuildPaths);
    expect(batches()).toEqual([
      { DistributionId: DIST, InvalidationBatch: { CallerReference: expect.stringMatching(/^[0-9a-f-]{36}$/), Paths: { Quantity: 1, Items: [`/${dists}/*`] } } },
    ]);
  });

  it('falls back to the exact paths when 15 wildcard invalidations are already in progress', async () => {
    cf.on(CreateInvalidationCommand)
      .rejectsOnce(new TooManyInvalidationsInProgress({ message: 'too many', $metadata: { httpStatusCode: 400 } }))
      .resolves({});
    await cache.invalidate([...rebuildPaths, rebuildPaths[0]]);
    const [wildcard, exact] = batches();
    expect(wildcard.InvalidationBatch?.Paths?.Items).toEqual([`/${dists}/*`]);
    expect(exact.InvalidationBatch?.Paths).toEqual({ Quantity: 6, Items: rebuildPaths.map((p) => `/${p}`) });
    expect(exact.InvalidationBatch?.CallerReference).not.toBe(wildcard.InvalidationBatch?.CallerReference);
  });

  it('invalidates one file exactly, and nothing at all for an empty list', async () => {
    await cache.invalidate([]);
    expect(batches()).toEqual([]);
    await cache.invalidate([`${dists}/InRelease`]);
    expect(batches()[0].InvalidationBatch?.Paths?.Items).toEqual([`/${dists}/InRelease`]);
  });

  it('never widens a wildcard past one repository tree', async () => {
    await cache.invalidate(['acme/tools/debian/dists/a/InRelease', 'acme/other/debian/dists/a/InRelease']);
    expect(batches()[0].InvalidationBatch?.Paths?.Items).toEqual(['/acme/tools/debian/dists/a/InRelease', '/acme/other/debian/dists/a/InRelease']);
  });

  it('splits more than 3,000 exact paths into several requests', async () => {
    const many = Array.from({ length: 3001 }, (_, i) => `o${i}/r/x`);
    await cache.invalidate(many);
    expect(batches().map((b) => b.InvalidationBatch?.Paths?.Quantity)).toEqual([3000, 1]);
  });

  it('reports other CloudFront errors as PackyardErrors', async () => {
    cf.on(CreateInvalidationCommand).rejects(new AccessDenied({ message: 'no', $metadata: { httpStatusCode: 403 } }));
    await expect(cache.invalidate(rebuildPaths)).rejects.toMatchObject({ code: 'CLOUDFRONT_ERROR', message: expect.stringContaining('CreateInvalidation') });
  });
});

describe('invalidation paths', () => {
  it('percent-encodes only what CloudFront asks for (RFC 1738 unsafe, non-ASCII, and * ?)', () => {
    expect(toInvalidationPath('acme/tools/npm/@scope/pkg')).toBe('/acme/tools/npm/@scope/pkg');
    expect(toInvalidationPath('acme/tools/files/a b~c*d?e#f%g')).toBe('/acme/tools/files/a%20b%7Ec%2Ad%3Fe%23f%25g');
    expect(toInvalidationPath('acme/tools/files/é')).toBe('/acme/tools/files/%C3%A9');
    expect(toInvalidationPath('acme/tools/pypi/simple/pkg/')).toBe('/acme/tools/pypi/simple/pkg/');
  });

  it('finds the deepest common directory, at least owner/repo/format deep', () => {
    expect(commonWildcard(['/a/b/c/d/x', '/a/b/c/d/e/y'])).toBe('/a/b/c/d/*');
    expect(commonWildcard(['/a/b/c/x', '/a/b/c/y'])).toBe('/a/b/c/*');
    expect(commonWildcard(['/a/b/x', '/a/b/y'])).toBeUndefined();
  });
});
