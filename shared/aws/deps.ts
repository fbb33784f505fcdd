import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppDeps } from '../app/deps';
import { ENV, requireEnv } from '../config';
import { systemClock } from '../ports/clock';
import { CloudFrontCdnCache } from './cloudfront-cdn-cache';
import { DynamoMetadataStore } from './dynamo-metadata-store';
import { HttpJwksSource } from './http-jwks-source';
import { KmsKeyWrapper } from './kms-key-wrapper';
import { S3BlobStore } from './s3-blob-store';
import { SqsRebuildQueue } from './sqs-rebuild-queue';

/** Built on first use, then kept for the life of the Lambda instance. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/**
 * The composition root inside Lambda: adapters on SDK clients, configured from the environment. Each port is
 * built when a use case first touches it, so a function needs only the variables of the ports it uses, and a
 * missing one fails on that use with the variable's name.
 */
export function awsDeps(env: NodeJS.ProcessEnv = process.env): AppDeps {
  const s3 = once(() => new S3Client({}));
  const meta = once(() => new DynamoMetadataStore(documentClient(), requireEnv(ENV.TABLE_NAME, env)));
  const packages = once(() => new S3BlobStore(s3(), requireEnv(ENV.PACKAGES_BUCKET, env)));
  const incoming = once(() => new S3BlobStore(s3(), requireEnv(ENV.INCOMING_BUCKET, env)));
  const keys = once(() => new KmsKeyWrapper(new KMSClient({}), requireEnv(ENV.KMS_KEY_ID, env)));
  const queue = once(() => new SqsRebuildQueue(new SQSClient({}), requireEnv(ENV.REBUILD_QUEUE_URL, env)));
  const publicBaseUrl = once(() => requireEnv(ENV.PUBLIC_BASE_URL, env).replace(/\/+$/, ''));
  const distributionId = env[ENV.DISTRIBUTION_ID];
  return {
    get meta() {
      return meta();
    },
    get packages() {
      return packages();
    },
    get incoming() {
      return incoming();
    },
    get keys() {
      return keys();
    },
    get queue() {
      return queue();
    },
    clock: systemClock,
    // https issuers only; the key cache lives as long as the Lambda instance.
    jwks: new HttpJwksSource(),
    get publicBaseUrl() {
      return publicBaseUrl();
    },
    // Only functions that publish are given a distribution to invalidate.
    cdn: distributionId ? new CloudFrontCdnCache(new CloudFrontClient({}), distributionId) : undefined,
  };
}

function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
}
