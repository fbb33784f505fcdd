import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IKeyValueStore } from 'aws-cdk-lib/aws-cloudfront';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { bindEdgeStore, bindEdgeTokenKey, bindTable } from './bindings';
import { HandlerFunction } from './handler-function';

export interface EdgeSyncProps {
  /** Must have a stream with old and new images. */
  readonly table: ITable;
  readonly edgeStore: IKeyValueStore;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly signingKey: IKey;
}

/**
 * edge-sync: the table's stream -> the CloudFront KeyValueStore the viewer-request function reads, so a
 * revoked token or a repository turned private is enforced at the edge within seconds.
 */
export class EdgeSync extends Construct {
  readonly handler: HandlerFunction;
  /** Stream batches that still failed after every retry; the edge may be stale until a resync. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: EdgeSyncProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'EdgeSyncDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, 'AwsSolutions-SQS3', 'this queue is itself the failure destination of the edge-sync stream mapping; it needs no DLQ of its own');

    this.handler = new HandlerFunction(this, 'Handler', {
      entry: 'functions/edge-sync/handler.ts',
      description: 'Packyard: keep the CloudFront KeyValueStore in step with tokens and repository visibility',
      timeout: Duration.minutes(1),
      memorySize: 256,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    // Only a resync (`{"resync": true}`) reads the table; the stream brings everything else.
    bindTable(this.handler, props.table, 'read');
    bindEdgeStore(this.handler, props.edgeStore);
    // It publishes the read-token HMAC key, which the edge needs in clear.
    bindEdgeTokenKey(this.handler, props.signingKey);
    this.handler.addEventSource(
      new DynamoEventSource(props.table, {
        // A stack deployed onto an existing table picks up the stream's last 24 hours; older state needs a resync.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: 10,
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );
    acknowledge(
      this.handler.role ?? this.handler,
      'AwsSolutions-IAM5[Resource::*]',
      'dynamodb:ListStreams, added by the stream event source, has no resource-level permissions; the stream reads themselves are scoped to this table',
    );
  }
}
