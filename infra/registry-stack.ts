import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ENV } from '../shared/config';
import { Api } from './constructs/api';
import { bindEdgeStore, bindPublicBaseUrl } from './constructs/bindings';
import { Cdn } from './constructs/cdn';
import { retentionDays } from './constructs/handler-function';
import { Indexing } from './constructs/indexing';
import { Ingest } from './constructs/ingest';
import { Monitoring } from './constructs/monitoring';
import { Storage } from './constructs/storage';

export interface RegistryStackProps extends StackProps {
  /** What happens to buckets, table, key and logs when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Subscribed to the alarm topic when given. */
  readonly alarmEmail?: string;
  /** Custom host name for the distribution; needs `certificateArn` (an ACM certificate in us-east-1). */
  readonly domainName?: string;
  readonly certificateArn?: string;
  /** Retention of every log group; one of CloudWatch's allowed values. @default 30 */
  readonly logRetentionDays?: number;
}

/** One Packyard deployment: storage, the management API, ingest, indexing, the CDN and monitoring. */
export class RegistryStack extends Stack {
  readonly storage: Storage;
  readonly api: Api;
  readonly ingest: Ingest;
  readonly indexing: Indexing;
  readonly cdn: Cdn;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: RegistryStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = retentionDays(props.logRetentionDays ?? 30);
    const common = { logRetention, removalPolicy };

    this.storage = new Storage(this, 'Storage', { removalPolicy });
    const { table, packagesBucket, incomingBucket, signingKey } = this.storage;
    this.indexing = new Indexing(this, 'Indexing', { table, packagesBucket, signingKey, ...common });
    const rebuildQueue = this.indexing.queue;
    this.api = new Api(this, 'Api', { table, packagesBucket, incomingBucket, signingKey, rebuildQueue, ...common });
    this.ingest = new Ingest(this, 'Ingest', { table, packagesBucket, incomingBucket, rebuildQueue, ...common });
    this.cdn = new Cdn(this, 'Cdn', {
      packagesBucket,
      httpApi: this.api.httpApi,
      accessLogBucket: this.storage.accessLogBucket,
      domainName: props.domainName,
      certificateArn: props.certificateArn,
    });

    // The distribution fronts the API, so whatever needs it is wired after it exists.
    this.indexing.bindDistribution(this.cdn.distribution);
    bindEdgeStore(this.api.handler, this.cdn.edgeStore);
    const functions = [
      { name: 'Api', fn: this.api.handler },
      { name: 'ProcessUpload', fn: this.ingest.handler },
      { name: 'RebuildIndex', fn: this.indexing.handler },
    ];
    for (const { fn } of functions) bindPublicBaseUrl(fn, this.cdn.publicBaseUrl);
    // awsDeps() builds every adapter at cold start, so each function needs every resource's name; what it may
    // do with them is still only what its bind* calls granted.
    const names: Record<string, string> = {
      [ENV.TABLE_NAME]: table.tableName,
      [ENV.PACKAGES_BUCKET]: packagesBucket.bucketName,
      [ENV.INCOMING_BUCKET]: incomingBucket.bucketName,
      [ENV.KMS_KEY_ID]: signingKey.keyArn,
      [ENV.REBUILD_QUEUE_URL]: rebuildQueue.queueUrl,
    };
    for (const { fn } of functions) for (const [k, v] of Object.entries(names)) fn.addEnvironment(k, v);

    this.monitoring = new Monitoring(this, 'Monitoring', {
      functions,
      deadLetterQueues: [
        {
          name: 'RebuildDlq',
          queue: this.indexing.deadLetterQueue,
          runbook: 'An index rebuild failed 5 times; its scope serves stale indexes. Read RebuildIndex logs, fix, then redrive the DLQ.',
        },
        {
          name: 'FailedUploads',
          queue: this.ingest.deadLetterQueue,
          runbook: 'process-upload failed 3 times on an upload; it stays pending. Read ProcessUpload logs, fix, then re-invoke with the stored event.',
        },
      ],
      workQueues: [{ name: 'RebuildQueue', queue: rebuildQueue }],
      apiStage: this.api.stage,
      alarmEmail: props.alarmEmail,
    });

    new CfnOutput(this, 'PublicBaseUrl', { value: this.cdn.publicBaseUrl, description: 'Where clients read packages and call /api' });
    new CfnOutput(this, 'ApiEndpoint', { value: this.api.httpApi.apiEndpoint });
    new CfnOutput(this, 'DistributionId', { value: this.cdn.distribution.distributionId });
    new CfnOutput(this, 'PackagesBucketName', { value: packagesBucket.bucketName });
    new CfnOutput(this, 'IncomingBucketName', { value: incomingBucket.bucketName });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'EdgeStoreArn', { value: this.cdn.edgeStore.keyValueStoreArn });
  }
}
