/**
 * Names and limits shared by the CDK constructs and the Lambda handlers. Imported by both, so it must stay
 * dependency-free.
 */
export const ENV = {
  TABLE_NAME: 'TABLE_NAME',
  PACKAGES_BUCKET: 'PACKAGES_BUCKET',
  INCOMING_BUCKET: 'INCOMING_BUCKET',
  KMS_KEY_ID: 'KMS_KEY_ID',
  REBUILD_QUEUE_URL: 'REBUILD_QUEUE_URL',
  /** Base URL clients read from (CloudFront, or the local server). */
  PUBLIC_BASE_URL: 'PUBLIC_BASE_URL',
  /** CloudFront distribution to invalidate after a publish. */
  DISTRIBUTION_ID: 'DISTRIBUTION_ID',
  /** CloudFront KeyValueStore the edge check reads. */
  KVS_ARN: 'KVS_ARN',
} as const;

/**
 * The `purpose` encryption context of each kind of wrapped key; IAM conditions on it, so a function may
 * unwrap one kind and not the other.
 */
export const KEY_PURPOSE = { signingKey: 'signing-key', edgeToken: 'edge-token' } as const;

/** Presigned uploads land under this prefix of the incoming bucket; its object-created events run ingest. */
export const INCOMING_PREFIX = 'incoming/';

export const LIMITS = {
  /** API Gateway / Lambda buffered payload limit; the local server enforces it too. */
  maxRequestBytes: 6 * 1024 * 1024,
  /** Largest file accepted through the presigned path. */
  maxUploadBytes: 5 * 1024 * 1024 * 1024,
  /** Above this the presigned path switches to S3 multipart. */
  multipartThresholdBytes: 64 * 1024 * 1024,
  multipartPartBytes: 16 * 1024 * 1024,
  presignSeconds: 3600,
  /** Upload records and unprocessed incoming objects expire after this. */
  uploadRetentionSeconds: 7 * 24 * 3600,
  /** Superseded by-hash index files stay this long so clients holding an older InRelease still succeed. */
  byHashGraceSeconds: 24 * 3600,
} as const;

/** The single table's key schema; the CDK construct and the local runtime create it from this. */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi1: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  ttlAttribute: 'ttl',
} as const;

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}
