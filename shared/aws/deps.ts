import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppDeps } from '../app/deps';
import { ENV, requireEnv } from '../config';
import { systemClock } from '../ports/clock';
import { DynamoMetadataStore } from './dynamo-metadata-store';
import { KmsKeyWrapper } from './kms-key-wrapper';
import { S3BlobStore } from './s3-blob-store';
import { SqsRebuildQueue } from './sqs-rebuild-queue';

/** The composition root inside Lambda: adapters on SDK clients, configured from the environment. */
export function awsDeps(env: NodeJS.ProcessEnv = process.env): AppDeps {
  const s3 = new S3Client({});
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  return {
    meta: new DynamoMetadataStore(doc, requireEnv(ENV.TABLE_NAME, env)),
    packages: new S3BlobStore(s3, requireEnv(ENV.PACKAGES_BUCKET, env)),
    incoming: new S3BlobStore(s3, requireEnv(ENV.INCOMING_BUCKET, env)),
    keys: new KmsKeyWrapper(new KMSClient({}), requireEnv(ENV.KMS_KEY_ID, env)),
    queue: new SqsRebuildQueue(new SQSClient({}), requireEnv(ENV.REBUILD_QUEUE_URL, env)),
    clock: systemClock,
    publicBaseUrl: requireEnv(ENV.PUBLIC_BASE_URL, env).replace(/\/+$/, ''),
  };
}
