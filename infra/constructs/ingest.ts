import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { bindIncomingBucket, bindPackagesBucket, bindRebuildQueue, bindSigningKey, bindTable } from './bindings';
import { HandlerFunction } from './handler-function';
import { acknowledge } from '../nag';
import { INCOMING_PREFIX } from '../../shared/config';

export interface IngestProps {
  readonly table: ITable;
  readonly packagesBucket: IBucket;
  readonly incomingBucket: IBucket;
  readonly rebuildQueue: IQueue;
  /** Wraps a repository's Alpine signing key, made on its first apk upload. */
  readonly signingKey: IKey;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** S3 ObjectCreated on incoming/ -> process-upload; invocations that still fail after retries land in a DLQ. */
export class Ingest extends Construct {
  readonly handler: HandlerFunction;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'FailedUploads', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, 'AwsSolutions-SQS3', 'this queue is itself the on-failure destination of process-upload; it needs no DLQ of its own');
    this.handler = new HandlerFunction(this, 'Handler', {
      entry: 'functions/process-upload/handler.ts',
      description: 'Packyard: validate and record an uploaded package file',
      timeout: Duration.minutes(5),
      // The file is hashed and parsed in memory; memory also buys CPU.
      memorySize: 3008,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      retryAttempts: 2,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });
    bindTable(this.handler, props.table);
    bindPackagesBucket(this.handler, props.packagesBucket, { delete: false });
    bindIncomingBucket(this.handler, props.incomingBucket, 'consume', INCOMING_PREFIX);
    bindRebuildQueue(this.handler, props.rebuildQueue);
    bindSigningKey(this.handler, props.signingKey, 'wrap');

    props.incomingBucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.handler), {
      prefix: INCOMING_PREFIX,
    });
    // CDK configures bucket notifications through its own singleton custom resource at the stack's root.
    const notifications = Stack.of(this).node.children.find((c) => c.node.id.startsWith('BucketNotificationsHandler'));
    if (notifications) {
      acknowledge(
        notifications,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "CDK's own deploy-time handler that sets the bucket notification; the managed policy only lets it write its logs",
      );
    }
  }
}
