import { randomUUID } from 'node:crypto';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import type { CdnCache } from '../ports/cdn-cache';
import { sdkErrorName, unexpectedSdkError } from './sdk-error';

/** CloudFront's limit on paths per invalidation request. */
const PATHS_PER_REQUEST = 3000;
/** A wildcard must stay inside one repository's tree: `owner/repo/<format or distro>/...`. */
const MIN_WILDCARD_SEGMENTS = 3;

/**
 * CdnCache on a CloudFront distribution. CloudFront bills every invalidated path past the first 1,000 a
 * month and counts a wildcard as one, so the paths of one rebuild, which share a directory, go as one
 * `dir/*`. Only 15 wildcard paths may be in progress at once; when CloudFront refuses one, the exact paths go
 * instead (3,000 may be in progress).
 */
export class CloudFrontCdnCache implements CdnCache {
  constructor(
    private readonly client: CloudFrontClient,
    private readonly distributionId: string,
  ) {}

  async invalidate(paths: string[]): Promise<void> {
    const exact = [...new Set(paths)].map(toInvalidationPath);
    if (exact.length === 0) return;
    const wildcard = exact.length > 1 ? commonWildcard(exact) : undefined;
    if (wildcard) {
      try {
        await this.create([wildcard]);
        return;
      } catch (e) {
        if (sdkErrorName(e) !== 'TooManyInvalidationsInProgress') throw unexpectedSdkError('CLOUDFRONT', 'CreateInvalidation', e);
      }
    }
    for (let i = 0; i < exact.length; i += PATHS_PER_REQUEST) {
      try {
        await this.create(exact.slice(i, i + PATHS_PER_REQUEST));
      } catch (e) {
        throw unexpectedSdkError('CLOUDFRONT', 'CreateInvalidation', e);
      }
    }
  }

  private async create(items: string[]): Promise<void> {
    await this.client.send(
      new CreateInvalidationCommand({
        DistributionId: this.distributionId,
        InvalidationBatch: { CallerReference: randomUUID(), Paths: { Quantity: items.length, Items: items } },
      }),
    );
  }
}

/**
 * CloudFront matches an invalidation path against the request path as clients send it: only characters
 * RFC 1738 calls unsafe (and non-ASCII) are percent-encoded, plus `*` and `?`, which it would read as a
 * wildcard or query.
 */
export function toInvalidationPath(key: string): string {
  return '/' + key.replace(/^\/+/, '').replace(/[^\x21-\x7e]|[<>"#%{}|\\^~[\]`*?]/gu, percentEncode);
}

const percentEncode = (c: string) =>
  c.charCodeAt(0) < 0x80 ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : encodeURIComponent(c);

/** `/a/b/c/*` for paths that all lie under `/a/b/c/` (at least MIN_WILDCARD_SEGMENTS deep), else undefined. */
export function commonWildcard(paths: string[]): string | undefined {
  const dirs = paths.map((p) => p.split('/').slice(1, -1));
  const common: string[] = [];
  for (let i = 0; dirs.every((d) => i < d.length && d[i] === dirs[0][i]); i++) common.push(dirs[0][i]);
  return common.length >= MIN_WILDCARD_SEGMENTS ? `/${common.join('/')}/*` : undefined;
}

// Compile-time conformance, aptly-style: this adapter is a CdnCache.
const _conformance: (client: CloudFrontClient, id: string) => CdnCache = (client, id) => new CloudFrontCdnCache(client, id);
void _conformance;
