import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { LIMITS } from '../shared/config';
import { AdminToken } from './constructs/admin-token';
import { Api } from './constructs/api';
import { bindPublicBaseUrl } from './constructs/bindings';
import { Cdn } from './constructs/cdn';
import { EdgeSync } from './constructs/edge-sync';
import { retentionDays } from './constructs/handler-function';
import { Indexing } from './constructs/indexing';
import { Ingest } from './constructs/ingest';
import { Monitoring } from './constructs/monitoring';
import { Storage } from './constructs/storage';

export interface RegistryStackProps extends StackProps {
  /** What happens to buckets, table, key, secret and logs when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Subscribed to the alarm topic when given. */
  readonly alarmEmail?: string;
  /** Custom host name for the distribution; needs `certificateArn` (an ACM certificate in us-east-1). */
  readonly domainName?: string;
  readonly certificateArn?: string;
  /** Retention of every log group; one of CloudWatch's allowed values. @default 30 */
  readonly logRetentionDays?: number;
  /** Days before an upload that was never processed is deleted from the incoming bucket. @default 7 */
  readonly incomingRetentionDays?: number;
  /** Raise to replace the first administrator token in its secret (and revoke the old one). @default 1 */
  readonly adminTokenGeneration?: number;
}

const DEFAULT_INCOMING_RETENTION_DAYS = Math.ceil(LIMITS.uploadRetentionSeconds / 86400);

/** One Packyard deployment: storage, the management API, ingest, indexing, the CDN, edge sync and monitoring. */
export class RegistryStack extends Stack {
  readonly storage: Storage;
  readonly api: Api;
  readonly ingest: Ingest;
  readonly indexing: Indexing;
  readonly cdn: Cdn;
  readonly edgeSync: EdgeSync;
  readonly adminToken: AdminToken;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: RegistryStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = retentionDays(props.logRetentionDays ?? 30);
    const incomingRetentionDays = props.incomingRetentionDays ?? DEFAULT_INCOMING_RETENTION_DAYS;
    if (!Number.isInteger(incomingRetentionDays) || incomingRetentionDays < 1) {
      throw new Error(`incomingRetentionDays must be a whole number of days, at least 1; got ${incomingRetentionDays}`);
    }
    const common = { logRetention, removalPolicy };

    this.storage = new Storage(this, 'Storage', { removalPolicy, incomingRetentionDays });
    const { table, packagesBucket, incomingBucket, signingKey } = this.storage;
    this.indexing = new Indexing(this, 'Indexing', { table, packagesBucket, signingKey, ...common });
    const rebuildQueue = this.indexing.queue;
    this.api = new Api(this, 'Api', { table, packagesBucket, incomingBucket, signingKey, rebuildQueue, ...common });
    this.ingest = new Ingest(this, 'Ingest', { table, packagesBucket, incomingBucket, rebuildQueue, signingKey, ...common });
    this.cdn = new Cdn(this, 'Cdn', {
      packagesBucket,
      httpApi: this.api.httpApi,
      accessLogBucket: this.storage.accessLogBucket,
      domainName: props.domainName,
      certificateArn: props.certificateArn,
    });
    this.edgeSync = new EdgeSync(this, 'EdgeSync', { table, edgeStore: this.cdn.edgeStore, signingKey, ...common });
    this.adminToken = new AdminToken(this, 'AdminToken', { table, generation: props.adminTokenGeneration ?? 1, ...common });

    // The distribution fronts the API, so whatever needs it is wired after it exists.
    this.indexing.bindDistribution(this.cdn.distribution);
    const functions = [
      { name: 'Api', fn: this.api.handler },
      { name: 'Registry', fn: this.api.registryHandler },
      { name: 'ProcessUpload', fn: this.ingest.handler },
      { name: 'RebuildIndex', fn: this.indexing.handler },
      { name: 'EdgeSync', fn: this.edgeSync.handler },
    ];
    // Each function reads only the variables its bind* calls set (awsDeps builds ports on first use).
    for (const fn of [this.api.handler, this.api.registryHandler, this.ingest.handler, this.indexing.handler]) bindPublicBaseUrl(fn, this.cdn.publicBaseUrl);

    this.monitoring = new Monitoring(this, 'Monitoring', {
      functions: functions.map((f) => ({ ...f, logGroup: f.fn.logGroup })),
      deadLetterQueues: [
        { name: 'RebuildDlq', queue: this.indexing.deadLetterQueue, meaning: 'An index rebuild failed 5 times; its scope serves stale indexes.' },
        { name: 'FailedUploads', queue: this.ingest.deadLetterQueue, meaning: 'process-upload failed 3 times on an upload; it stays pending.' },
        { name: 'EdgeSyncDlq', queue: this.edgeSync.deadLetterQueue, meaning: 'Table changes did not reach the edge; tokens or visibility there may be stale.' },
      ],
      rebuildQueue,
      edgeSync: this.edgeSync.handler,
      apiStage: this.api.stage,
      distributionId: this.cdn.distribution.distributionId,
      alarmEmail: props.alarmEmail,
    });

    new CfnOutput(this, 'PublicBaseUrl', { value: this.cdn.publicBaseUrl, description: 'Where clients read packages and call /api' });
    new CfnOutput(this, 'AdminTokenSecretArn', {
      value: this.adminToken.secret.secretArn,
      description: 'Secrets Manager secret holding the first administrator token (infra/README.md, First admin token)',
    });
    new CfnOutput(this, 'ApiEndpoint', { value: this.api.httpApi.apiEndpoint });
    new CfnOutput(this, 'DistributionId', { value: this.cdn.distribution.distributionId });
    new CfnOutput(this, 'DistributionDomainName', { value: this.cdn.distribution.distributionDomainName, description: 'Target of the DNS record for a custom domain' });
    new CfnOutput(this, 'PackagesBucketName', { value: packagesBucket.bucketName });
    new CfnOutput(this, 'IncomingBucketName', { value: incomingBucket.bucketName });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'EdgeStoreArn', { value: this.cdn.edgeStore.keyValueStoreArn });
    new CfnOutput(this, 'EdgeSyncFunctionName', { value: this.edgeSync.handler.functionName, description: 'Invoke with {"resync": true} to rewrite the edge store' });
    new CfnOutput(this, 'ProcessUploadFunctionName', { value: this.ingest.handler.functionName });
    new CfnOutput(this, 'RebuildQueueUrl', { value: rebuildQueue.queueUrl });
    new CfnOutput(this, 'RebuildDlqUrl', { value: this.indexing.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'RebuildDlqArn', { value: this.indexing.deadLetterQueue.queueArn, description: 'Redrive with aws sqs start-message-move-task --source-arn' });
    new CfnOutput(this, 'FailedUploadsQueueUrl', { value: this.ingest.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'EdgeSyncDlqUrl', { value: this.edgeSync.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
  }
}
