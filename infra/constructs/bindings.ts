import type { IDistribution, IKeyValueStore } from 'aws-cdk-lib/aws-cloudfront';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { RUNTIME_ENV } from './env-names';

/*
 * Each helper sets the environment variable a handler reads AND grants exactly what that use needs, in one
 * call, so a function's permissions are read off its bind* calls and a grant is never forgotten.
 */

export function bindTable(fn: LambdaFunction, table: ITable): void {
  fn.addEnvironment(RUNTIME_ENV.TABLE_NAME, table.tableName);
  table.grantReadWriteData(fn);
}

/** Read, list and write; `delete` only where objects are removed (index pruning, repository deletion). */
export function bindPackagesBucket(fn: LambdaFunction, bucket: IBucket, access: { delete: boolean }): void {
  fn.addEnvironment(RUNTIME_ENV.PACKAGES_BUCKET, bucket.bucketName);
  bucket.grantRead(fn);
  bucket.grantPut(fn);
  if (access.delete) bucket.grantDelete(fn);
}

/**
 * `presign`: the API signs PUT URLs and drives multipart uploads, so it needs the write actions it signs for,
 * never read. `consume`: process-upload reads the object, then deletes it.
 */
export function bindIncomingBucket(fn: LambdaFunction, bucket: IBucket, use: 'presign' | 'consume', prefix: string): void {
  fn.addEnvironment(RUNTIME_ENV.INCOMING_BUCKET, bucket.bucketName);
  const objects = `${prefix}*`;
  if (use === 'presign') {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [bucket.arnForObjects(objects)],
      }),
    );
  } else {
    bucket.grantRead(fn, objects);
    bucket.grantDelete(fn, objects);
  }
}

/** `wrap`: create repository signing keys (GenerateDataKey). `unwrap`: use them (Decrypt) — rebuild-index only. */
export function bindSigningKey(fn: LambdaFunction, key: IKey, use: 'wrap' | 'unwrap'): void {
  fn.addEnvironment(RUNTIME_ENV.KMS_KEY_ID, key.keyArn);
  key.grant(fn, use === 'wrap' ? 'kms:GenerateDataKey' : 'kms:Decrypt');
}

export function bindRebuildQueue(fn: LambdaFunction, queue: IQueue): void {
  fn.addEnvironment(RUNTIME_ENV.REBUILD_QUEUE_URL, queue.queueUrl);
  queue.grantSendMessages(fn);
}

export function bindDistribution(fn: LambdaFunction, distribution: IDistribution): void {
  fn.addEnvironment(RUNTIME_ENV.DISTRIBUTION_ID, distribution.distributionId);
  distribution.grantCreateInvalidation(fn);
}

/** Token and visibility changes are written to the edge store so the viewer-request check sees them. */
export function bindEdgeStore(fn: LambdaFunction, store: IKeyValueStore): void {
  fn.addEnvironment(RUNTIME_ENV.KVS_ARN, store.keyValueStoreArn);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: [
        'cloudfront-keyvaluestore:DescribeKeyValueStore',
        'cloudfront-keyvaluestore:GetKey',
        'cloudfront-keyvaluestore:ListKeys',
        'cloudfront-keyvaluestore:PutKey',
        'cloudfront-keyvaluestore:DeleteKey',
        'cloudfront-keyvaluestore:UpdateKeys',
      ],
      resources: [store.keyValueStoreArn],
    }),
  );
}

export function bindPublicBaseUrl(fn: LambdaFunction, url: string): void {
  fn.addEnvironment(RUNTIME_ENV.PUBLIC_BASE_URL, url);
}
