import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bindDistribution, bindPackagesBucket, bindSigningKey, bindTable } from './bindings';
import { HandlerFunction } from './handler-function';

export interface IndexingProps {
  readonly table: ITable;
  readonly packagesBucket: IBucket;
  readonly signingKey: IKey;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

const REBUILD_TIMEOUT = Duration.minutes(3);
/** A message is retried this many times before it is parked in the DLQ. */
const MAX_RECEIVE_COUNT = 5;

/**
 * The rebuild queue (FIFO, one message group per index scope, so a scope is rebuilt by one worker at a time)
 * and rebuild-index, the only function that can unwrap signing keys.
 */
export class Indexing extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly handler: HandlerFunction;

  constructor(scope: Construct, id: string, props: IndexingProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'RebuildDlq', {
      fifo: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'RebuildQueue', {
      fifo: true,
      // Producers send a random deduplication id: identical bodies must not be dropped, the worker coalesces.
      contentBasedDeduplication: false,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's rule for SQS event sources: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(REBUILD_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    this.handler = new HandlerFunction(this, 'Handler', {
      entry: 'functions/rebuild-index/handler.ts',
      description: 'Packyard: render, sign and publish the indexes of one scope',
      timeout: REBUILD_TIMEOUT,
      memorySize: 1024,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    bindTable(this.handler, props.table);
    bindPackagesBucket(this.handler, props.packagesBucket, { delete: true });
    bindSigningKey(this.handler, props.signingKey, 'unwrap');
    this.handler.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));
  }

  /** The distribution is created after this construct (it fronts the API, which needs the queue). */
  bindDistribution(distribution: IDistribution): void {
    bindDistribution(this.handler, distribution);
  }
}
