import { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { DynamoDBRecord, DynamoDBStreamEvent, StreamRecord } from 'aws-lambda';
import { resyncEdge, syncEdge, type EdgeChange, type EdgeSyncResult } from '../../shared/app/edge-sync';
import { ENV, requireEnv } from '../../shared/config';
import type { EdgeSubject } from '../../shared/domain/edge-entries';
import { awsDeps } from '../../shared/aws/deps';
import { repoFromItem, tokenFromItem } from '../../shared/aws/dynamo-metadata-store';
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
export const createEdgeSyncHandler = (deps: { meta: MetadataStore; edge: EdgeStore }) =>
  middy<EdgeSyncEvent, EdgeSyncResult>().handler(async (event) => {
    let result: EdgeSyncResult;
    if ('Records' in event) {
      const changes = event.Records.map(edgeChange).filter((c) => c.before || c.after);
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

const edgeChange = (r: DynamoDBRecord): EdgeChange => ({ before: subject(r.dynamodb?.OldImage), after: subject(r.dynamodb?.NewImage) });

function subject(image: StreamRecord['NewImage']): EdgeSubject | undefined {
  if (!image) return undefined;
  // The Lambda event types declare their own copy of DynamoDB's AttributeValue; the shapes are the same.
  const item = unmarshall(image as Record<string, AttributeValue>);
  const repo = repoFromItem(item);
  if (repo) return { repo };
  const token = tokenFromItem(item);
  return token ? { token } : undefined;
}

export const handler = lazy(() => {
  const aws = awsDeps();
  return createEdgeSyncHandler({
    // Only a resync reads the table.
    get meta() {
      return aws.meta;
    },
    edge: new KvsEdgeStore(new CloudFrontKeyValueStoreClient({}), requireEnv(ENV.KVS_ARN)),
  });
});
