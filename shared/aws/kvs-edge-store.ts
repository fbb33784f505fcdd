// The KeyValueStore API is signed with SigV4A (region set "*"); this registers the SDK's pure-JS signer, which
// esbuild bundles (the CRT alternative is a native module).
import '@aws-sdk/signature-v4a';
import {
  CloudFrontKeyValueStoreClient,
  DeleteKeyCommand,
  DescribeKeyValueStoreCommand,
  PutKeyCommand,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { PackyardError } from '../domain/errors';
import type { EdgeStore } from '../ports/edge-store';
import { sdkErrorName, sdkStatus, unexpectedSdkError } from './sdk-error';

/** Writers racing for the store's ETag each retry this often before giving up (the caller retries later). */
const ATTEMPTS = 6;

/**
 * EdgeStore on a CloudFront KeyValueStore. Every write must name the store's current ETag (IfMatch); the one
 * returned by the last write is reused, and a stale one is replaced from DescribeKeyValueStore and retried.
 * Each API call is billed, so no Describe happens while the cached ETag still matches.
 */
export class KvsEdgeStore implements EdgeStore {
  private etag: string | undefined;

  constructor(
    private readonly client: CloudFrontKeyValueStoreClient,
    private readonly kvsArn: string,
  ) {}

  async put(key: string, value: string): Promise<void> {
    await this.write('PutKey', (IfMatch) => this.client.send(new PutKeyCommand({ KvsARN: this.kvsArn, Key: key, Value: value, IfMatch })));
  }

  async delete(key: string): Promise<void> {
    await this.write('DeleteKey', (IfMatch) => this.client.send(new DeleteKeyCommand({ KvsARN: this.kvsArn, Key: key, IfMatch })), true);
  }

  private async write(op: string, send: (etag: string) => Promise<{ ETag?: string }>, absentIsDone = false): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const etag = this.etag ?? (await this.describe());
      try {
        this.etag = (await send(etag)).ETag;
        return;
      } catch (e) {
        // The store was described just now or written through, so a missing resource is the key.
        if (absentIsDone && sdkErrorName(e) === 'ResourceNotFoundException') return;
        if (!isStaleEtag(e)) throw unexpectedSdkError('CLOUDFRONT_KVS', op, e);
        this.etag = undefined;
        if (attempt >= ATTEMPTS) {
          const busy = new PackyardError(503, 'CLOUDFRONT_KVS_UNAVAILABLE', `${op}: the key value store kept changing under concurrent writers`);
          busy.cause = e;
          throw busy;
        }
        await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));
      }
    }
  }

  private async describe(): Promise<string> {
    try {
      const out = await this.client.send(new DescribeKeyValueStoreCommand({ KvsARN: this.kvsArn }));
      if (!out.ETag) throw new Error('DescribeKeyValueStore returned no ETag');
      return out.ETag;
    } catch (e) {
      throw unexpectedSdkError('CLOUDFRONT_KVS', 'DescribeKeyValueStore', e);
    }
  }
}

/** Another writer moved the store on since the ETag was read. */
const isStaleEtag = (e: unknown) => sdkErrorName(e) === 'ConflictException' || sdkStatus(e) === 412;

// Compile-time conformance, aptly-style: this adapter is an EdgeStore.
const _conformance: (client: CloudFrontKeyValueStoreClient, arn: string) => EdgeStore = (client, arn) => new KvsEdgeStore(client, arn);
void _conformance;
