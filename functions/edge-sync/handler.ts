import { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { DynamoDBRecord, DynamoDBStreamEvent, StreamRecord } from 'aws-lambda';
import { resyncEdge, syncEdge, type EdgeChange, type EdgeSyncResult } from '../../shared/app/edge-sync';
import { ENV, requireEnv } from '../../shared/config';
import type { EdgeSubject } from '../../shared/domain/edge-entries';
import { awsDeps } from '../../shared/aws/deps';
import { collaboratorFromItem, configNameOfItem, repoFromItem, tokenFromItem, userFromItem } from '../../shared/aws/dynamo-metadata-store';
import { EDGE_KEY_CONFIG, edgeTokenKey } from '../../shared/app/edge-key';
import { KvsEdgeStore } from '../../shared/aws/kvs-edge-store';
import { lazy } from '../../shared/http/lazy';
import { log } from '../../shared/http/middleware';
import type { EdgeStore } from '../../shared/ports/edge-store';
import type { MetadataStore } from '../../shared/ports/metadata-store';

/** The table's stream, or `{"resync": true}` from an operator (`aws lambda invoke`) to rewrite every entry. */
export type EdgeSyncEvent = DynamoDBStreamEvent | { resync: true };

/**
 * Keeps the CloudFront KeyValueStore in step with the table. A failed batch is retried whole (writes are
 * idempotent), then parked in the dead-letter queue.
 */
export const createEdgeSyncHandler = (deps: { meta: MetadataStore; edge: EdgeStore; keys?: KeyDeps['keys']; clock?: KeyDeps['clock'] }) =>
  middy<EdgeSyncEvent, EdgeSyncResult>().handler(async (event) => {
    let result: EdgeSyncResult;
    if ('Records' in event) {
      const keyDeps = (): KeyDeps => {
        if (!deps.keys || !deps.clock) throw new Error('edge-sync needs the key wrapper to publish the read-token key');
        return { meta: deps.meta, keys: deps.keys, clock: deps.clock };
      };
      const all = await Promise.all(event.Records.map((r) => edgeChange(r, keyDeps)));
      const changes = all.filter((c) => c.before || c.after);
      result = await syncEdge(deps.edge, changes);
      log('info', 'edge synced', { records: event.Records.length, changes: changes.length, put: result.put, deleted: result.deleted });
    } else if (event.resync === true) {
      result = await resyncEdge(deps);
      log('info', 'edge resynced', { put: result.put, deleted: result.deleted });
    } else {
      throw new Error('expected a DynamoDB stream event or {"resync": true}');
    }
    if (result.tooLarge.length > 0) log('error', 'edge entries too large for the key value store; left absent', { keys: result.tooLarge });
    return result;
  });

type KeyDeps = Parameters<typeof edgeTokenKey>[0];

const edgeChange = async (r: DynamoDBRecord, keys: () => KeyDeps): Promise<EdgeChange> => ({
  before: await subject(r.dynamodb?.OldImage, keys),
  after: await subject(r.dynamodb?.NewImage, keys),
});

async function subject(image: StreamRecord['NewImage'], keys: () => KeyDeps): Promise<EdgeSubject | undefined> {
  if (!image) return undefined;
  // The Lambda event types declare their own copy of DynamoDB's AttributeValue; the shapes are the same.
  const item = unmarshall(image as Record<string, AttributeValue>);
  const repo = repoFromItem(item);
  if (repo) return { repo };
  const token = tokenFromItem(item);
  if (token) return { token };
  const user = userFromItem(item);
  if (user) return { user };
  const collaborator = collaboratorFromItem(item);
  if (collaborator) return { collaborator };
  // The read-token key is created once; the edge needs it in clear to check signatures.
  if (configNameOfItem(item) === EDGE_KEY_CONFIG) return { edgeTokenKeyHex: await edgeTokenKey(keys()) };
  return undefined;
}

export const handler = lazy(() => {
  const aws = awsDeps();
  return createEdgeSyncHandler({
    // Only a resync reads the table.
    get meta() {
      return aws.meta;
    },
    get keys() {
      return aws.keys;
    },
    clock: aws.clock,
    edge: new KvsEdgeStore(new CloudFrontKeyValueStoreClient({}), requireEnv(ENV.KVS_ARN)),
  });
});
