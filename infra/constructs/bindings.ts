import { type CfnElement, Stack } from 'aws-cdk-lib';
import type { IDistribution, IKeyValueStore } from 'aws-cdk-lib/aws-cloudfront';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { TABLE, KEY_PURPOSE } from '../../shared/config';
import { acknowledge } from '../nag';
import { RUNTIME_ENV } from './env-names';

/*
 * Each helper sets the environment variable a handler reads AND grants exactly what that use needs, in one
 * call, so a function's permissions are read off its bind* calls and a grant is never forgotten. Actions are
 * listed one by one (no `Get*`-style wildcards); the only wildcards left are object keys, acknowledged below.
 */

/** Item operations the metadata adapter performs (transactions need the per-item actions they contain). */
const TABLE_ACTIONS = {
  read: ['dynamodb:GetItem', 'dynamodb:Query'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
  ],
};

/** `read` for functions that only look records up (edge-sync's resync). */
export function bindTable(fn: LambdaFunction, table: ITable, access: 'read' | 'readWrite' = 'readWrite'): void {
  fn.addEnvironment(RUNTIME_ENV.TABLE_NAME, table.tableName);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: TABLE_ACTIONS[access],
      resources: [table.tableArn, `${table.tableArn}/index/${TABLE.gsi1.name}`],
    }),
  );
}

/** Read, list and write; `delete` only where objects are removed (index pruning, repository deletion). */
export function bindPackagesBucket(fn: LambdaFunction, bucket: IBucket, access: { delete: boolean }): void {
  fn.addEnvironment(RUNTIME_ENV.PACKAGES_BUCKET, bucket.bucketName);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', ...(access.delete ? ['s3:DeleteObject'] : [])],
      resources: [bucket.arnForObjects('*')],
    }),
  );
  // Without ListBucket a missing key is 403, not 404; the adapter also lists by-hash prefixes.
  fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  acknowledgeObjects(fn, bucket, '*', 'every package and index file is a key chosen at run time under this one bucket');
}

/**
 * `presign`: the API signs PUT URLs and drives multipart uploads, so it needs the write actions it signs for,
 * never read. `consume`: process-upload reads the object, then deletes it.
 */
export function bindIncomingBucket(fn: LambdaFunction, bucket: IBucket, use: 'presign' | 'consume', prefix: string): void {
  fn.addEnvironment(RUNTIME_ENV.INCOMING_BUCKET, bucket.bucketName);
  const objects = `${prefix}*`;
  const actions = use === 'presign' ? ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'] : ['s3:GetObject', 's3:DeleteObject'];
  fn.addToRolePolicy(new PolicyStatement({ actions, resources: [bucket.arnForObjects(objects)] }));
  if (use === 'consume') fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  acknowledgeObjects(fn, bucket, objects, 'upload objects are named by upload id at run time, all under the incoming prefix');
}

/** `wrap`: create repository signing keys (GenerateDataKey). `unwrap`: use them (Decrypt) — rebuild-index only. */
export function bindSigningKey(fn: LambdaFunction, key: IKey, use: 'wrap' | 'unwrap'): void {
  fn.addEnvironment(RUNTIME_ENV.KMS_KEY_ID, key.keyArn);
  if (use === 'wrap') key.grant(fn, 'kms:GenerateDataKey');
  else fn.addToRolePolicy(decryptFor(key, KEY_PURPOSE.signingKey));
}

/** The read-token HMAC key: minted once (GenerateDataKey) and unwrapped to sign read tokens; never a signing key. */
export function bindEdgeTokenKey(fn: LambdaFunction, key: IKey): void {
  fn.addEnvironment(RUNTIME_ENV.KMS_KEY_ID, key.keyArn);
  fn.addToRolePolicy(decryptFor(key, KEY_PURPOSE.edgeToken));
}

const decryptFor = (key: IKey, purpose: string) =>
  new PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn], conditions: { StringEquals: { 'kms:EncryptionContext:purpose': purpose } } });

export function bindRebuildQueue(fn: LambdaFunction, queue: IQueue): void {
  fn.addEnvironment(RUNTIME_ENV.REBUILD_QUEUE_URL, queue.queueUrl);
  fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
}

export function bindDistribution(fn: LambdaFunction, distribution: IDistribution): void {
  fn.addEnvironment(RUNTIME_ENV.DISTRIBUTION_ID, distribution.distributionId);
  distribution.grantCreateInvalidation(fn);
}

/** edge-sync writes token and visibility entries so the viewer-request check sees them. */
export function bindEdgeStore(fn: LambdaFunction, store: IKeyValueStore): void {
  fn.addEnvironment(RUNTIME_ENV.KVS_ARN, store.keyValueStoreArn);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: [
        'cloudfront-keyvaluestore:DescribeKeyValueStore',
        'cloudfront-keyvaluestore:PutKey',
        'cloudfront-keyvaluestore:DeleteKey',
      ],
      resources: [store.keyValueStoreArn],
    }),
  );
}

export function bindPublicBaseUrl(fn: LambdaFunction, url: string): void {
  fn.addEnvironment(RUNTIME_ENV.PUBLIC_BASE_URL, url);
}

/** cdk-nag flags `bucket/prefix*` object resources; object keys are only known at run time. */
function acknowledgeObjects(fn: LambdaFunction, bucket: IBucket, objects: string, reason: string): void {
  const cfn = bucket.node.defaultChild as CfnElement | undefined;
  if (!cfn || !fn.role) return; // an imported bucket has no logical id to name
  acknowledge(fn.role as IConstruct, `AwsSolutions-IAM5[Resource::<${Stack.of(cfn).getLogicalId(cfn)}.Arn>/${objects}]`, reason);
}
