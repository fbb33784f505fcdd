import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TABLE } from '../../shared/config';

export interface StorageProps {
  readonly removalPolicy: RemovalPolicy;
  /** Uploads that were never processed are deleted after this many days. */
  readonly incomingRetentionDays: number;
}

/** Buckets, the single table and the key that wraps repository signing keys. */
export class Storage extends Construct {
  readonly packagesBucket: Bucket;
  readonly incomingBucket: Bucket;
  readonly accessLogBucket: Bucket;
  readonly table: Table;
  readonly signingKey: Key;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const { removalPolicy } = props;
    const destroy = removalPolicy === RemovalPolicy.DESTROY;
    const common = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      removalPolicy,
      // A throw-away stack must be able to delete non-empty buckets; a retained one never empties them.
      autoDeleteObjects: destroy,
    };

    this.accessLogBucket = new Bucket(this, 'AccessLogs', {
      ...common,
      // CloudFront standard logs are delivered with an ACL grant, so ACLs must stay enabled on this bucket.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });

    this.packagesBucket = new Bucket(this, 'Packages', {
      ...common,
      versioned: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 's3/packages/',
      // Index files are rewritten on every publish; old versions are only a safety net.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30), expiredObjectDeleteMarker: true }],
    });

    this.incomingBucket = new Bucket(this, 'Incoming', {
      ...common,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 's3/incoming/',
      lifecycleRules: [
        {
          expiration: Duration.days(props.incomingRetentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // Uploads carry a presigned URL bound to size and checksum; that URL, not the origin, is the credential.
      cors: [{ allowedMethods: [HttpMethods.PUT], allowedOrigins: ['*'], allowedHeaders: ['*'], exposedHeaders: ['ETag'], maxAge: 3600 }],
    });

    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Deletion protection would make a throw-away stack undeletable.
      deletionProtection: !destroy,
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: TABLE.ttlAttribute,
      removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE.gsi1.name,
      partitionKey: { name: TABLE.gsi1.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.gsi1.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });

    this.signingKey = new Key(this, 'SigningKey', {
      description: 'Packyard: wraps the per-repository signing keys stored in the table',
      enableKeyRotation: true,
      alias: 'alias/packyard-signing',
      removalPolicy,
    });
  }
}
