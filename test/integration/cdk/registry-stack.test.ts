import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { API_ROUTES } from '../../../functions/api/routes';
import { RUNTIME_ENV } from '../../../infra/constructs/env-names';
import { INCOMING_PREFIX } from '../../../shared/config';
import { RegistryStack } from '../../../infra/registry-stack';
import { ENV, LIMITS, TABLE } from '../../../shared/config';
import { cdkContext, policyStatements, type Resource, type Statement } from './template-helpers';

// One real synth, esbuild bundling included, with the feature flags cdk.json gives `cdk synth`.
let outdir: string;
let stack: RegistryStack;
let template: Template;
let resources: Record<string, Resource>;
const id = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'packyard-cdk-'));
  const app = new App({ outdir, context: cdkContext() });
  stack = new RegistryStack(app, 'PackyardTest');
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
});

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('storage', () => {
  test('the table has the shared key schema, gsi1, PITR, a stream, TTL and deletion protection, and is retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE.sortKey, AttributeType: 'S' },
          { AttributeName: TABLE.gsi1.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE.gsi1.sortKey, AttributeType: 'S' },
        ]),
        GlobalSecondaryIndexes: [
          {
            IndexName: TABLE.gsi1.name,
            KeySchema: [
              { AttributeName: TABLE.gsi1.partitionKey, KeyType: 'HASH' },
              { AttributeName: TABLE.gsi1.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  test('every bucket is encrypted, blocks public access and has an SSL-only policy', () => {
    const buckets = ofType('AWS::S3::Bucket');
    expect(buckets).toHaveLength(3);
    const policies = ofType('AWS::S3::BucketPolicy').map(([, p]) => p.Properties);
    for (const [logicalId, bucket] of buckets) {
      expect(bucket.Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.DeletionPolicy).toBe('Retain');
      const policy = policies.find((p) => JSON.stringify(p.Bucket) === JSON.stringify({ Ref: logicalId }));
      expect(policy).toBeDefined();
      expect(policy?.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  test('the packages bucket is versioned and logs access; the incoming bucket expires uploads and takes CORS PUTs', () => {
    const packages = resources[id(stack.storage.packagesBucket)].Properties;
    expect(packages.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(packages.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: id(stack.storage.accessLogBucket) },
      LogFilePrefix: 's3/packages/',
    });
    const incoming = resources[id(stack.storage.incomingBucket)].Properties;
    expect(incoming.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({
        Status: 'Enabled',
        ExpirationInDays: LIMITS.uploadRetentionSeconds / 86400,
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      }),
    ]);
    expect(incoming.CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({ AllowedMethods: ['PUT'], AllowedOrigins: ['*'] }),
    ]);
  });

  test('the signing key rotates and has its alias', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/packyard-signing',
      TargetKeyId: { 'Fn::GetAtt': [id(stack.storage.signingKey), 'Arn'] },
    });
  });
});

describe('functions', () => {
  const ours = () => [stack.api.handler, stack.ingest.handler, stack.indexing.handler].map((fn) => resources[id(fn)].Properties);

  test('each runs nodejs22.x on arm64 with a bundled index.handler and a log group with retention', () => {
    for (const fn of ours()) {
      expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
      expect(fn.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
      const logGroup = resources[fn.LoggingConfig.LogGroup.Ref];
      expect(logGroup).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
    }
    // CDK's own S3-notification handler is Python; no Node function may run anything but 22.
    const nodeRuntimes = ofType('AWS::Lambda::Function')
      .map(([, r]) => r.Properties.Runtime as string)
      .filter((r) => r.startsWith('nodejs'));
    expect(new Set(nodeRuntimes)).toEqual(new Set(['nodejs22.x']));
  });

  test('each gets every resource name and the CloudFront URL; DISTRIBUTION_ID and KVS_ARN only where used', () => {
    const distribution = id(stack.cdn.distribution);
    for (const fn of ours()) {
      const vars = fn.Environment.Variables;
      const optional: string[] = [ENV.DISTRIBUTION_ID, ENV.KVS_ARN];
      for (const name of Object.values(ENV).filter((n) => !optional.includes(n))) expect(vars[name]).toBeDefined();
      expect(vars[ENV.PUBLIC_BASE_URL]).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]] });
      expect(vars[ENV.TABLE_NAME]).toEqual({ Ref: id(stack.storage.table) });
    }
    const [api, ingest, rebuild] = ours().map((fn) => fn.Environment.Variables);
    expect(rebuild[RUNTIME_ENV.DISTRIBUTION_ID]).toEqual({ Ref: distribution });
    expect(api[RUNTIME_ENV.KVS_ARN]).toEqual({ 'Fn::GetAtt': [id(stack.cdn.edgeStore), 'Arn'] });
    expect(api[RUNTIME_ENV.DISTRIBUTION_ID]).toBeUndefined();
    expect(ingest[RUNTIME_ENV.KVS_ARN]).toBeUndefined();
  });
});

describe('api', () => {
  test('every route in API_ROUTES exists, all on one Lambda proxy integration (payload v2)', () => {
    const routeKeys = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
    expect(routeKeys.sort()).toEqual([...API_ROUTES].sort());
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [id(stack.api.handler), 'Arn'] },
    });
  });

  test('the $default stage throttles and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context.requestId') },
    });
  });
});

describe('ingest', () => {
  test('ObjectCreated under the prefix the upload use case writes to invokes process-upload', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: id(stack.storage.incomingBucket) },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: INCOMING_PREFIX }] } },
            LambdaFunctionArn: { 'Fn::GetAtt': [id(stack.ingest.handler), 'Arn'] },
          },
        ],
      },
    });
  });

  test('failed async invocations are retried twice, then sent to a DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: id(stack.ingest.handler) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [id(stack.ingest.deadLetterQueue), 'Arn'] } } },
    });
  });
});

describe('indexing', () => {
  test('the rebuild queue is FIFO without content dedup, redrives to a FIFO DLQ after 5 receives', () => {
    const queue = resources[id(stack.indexing.queue)].Properties;
    expect(queue).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: false,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [id(stack.indexing.deadLetterQueue), 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(resources[id(stack.indexing.deadLetterQueue)].Properties.FifoQueue).toBe(true);
    const timeout = resources[id(stack.indexing.handler)].Properties.Timeout as number;
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
  });

  test('rebuild-index consumes it in batches of 10 reporting item failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(stack.indexing.queue), 'Arn'] },
      FunctionName: { Ref: id(stack.indexing.handler) },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('every queue is encrypted and refuses plain HTTP', () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(3);
    const policies = ofType('AWS::SQS::QueuePolicy').map(([, p]) => p.Properties);
    for (const [logicalId, q] of queues) {
      expect(q.Properties.SqsManagedSseEnabled).toBe(true);
      const policy = policies.find((p) => JSON.stringify(p.Queues) === JSON.stringify([{ Ref: logicalId }]));
      expect(policy?.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});

describe('cdn', () => {
  const config = () => resources[id(stack.cdn.distribution)].Properties.DistributionConfig;

  test('the packages bucket is the default origin through origin access control, HTTPS-only, no compression', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    const c = config();
    const s3Origin = c.Origins.find((o: { Id: string }) => o.Id === c.DefaultCacheBehavior.TargetOriginId);
    expect(s3Origin.DomainName).toEqual({ 'Fn::GetAtt': [id(stack.storage.packagesBucket), 'RegionalDomainName'] });
    expect(s3Origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Id'] });
    expect(c).toMatchObject({ HttpVersion: 'http2and3', DefaultRootObject: 'index.html' });
    expect(c.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', Compress: false, AllowedMethods: ['GET', 'HEAD'] });
  });

  test('only this distribution may read the bucket', () => {
    const policy = ofType('AWS::S3::BucketPolicy')
      .map(([, p]) => p.Properties)
      .find((p) => JSON.stringify(p.Bucket) === JSON.stringify({ Ref: id(stack.storage.packagesBucket) }));
    const allow = (policy?.PolicyDocument.Statement as Statement[]).filter((s) => s.Effect === 'Allow');
    expect(allow).toHaveLength(1);
    expect(allow[0]).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: ['s3:GetObject', 's3:ListBucket'],
      Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
    });
    expect(JSON.stringify(allow[0].Condition)).toContain(id(stack.cdn.distribution));
  });

  test('the viewer-request function (JS 2.0, with the key value store) runs on the default behaviour', () => {
    const fnId = id(stack.cdn.edgeFunction);
    expect(config().DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnId, 'FunctionARN'] } },
    ]);
    const fn = resources[fnId].Properties;
    expect(fn.FunctionConfig).toMatchObject({
      Runtime: 'cloudfront-js-2.0',
      KeyValueStoreAssociations: [{ KeyValueStoreARN: { 'Fn::GetAtt': [id(stack.cdn.edgeStore), 'Arn'] } }],
    });
    expect(fn.AutoPublish).toBe(true);
    expect(fn.FunctionCode).toBe(fs.readFileSync(path.join(__dirname, '../../../functions/edge-auth/viewer-request.js'), 'utf8'));
  });

  test('the packages cache keys on the path only, 60 s by default', () => {
    const policyId = config().DefaultCacheBehavior.CachePolicyId.Ref;
    const c = resources[policyId].Properties.CachePolicyConfig;
    expect(c.DefaultTTL).toBe(60);
    expect(c.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
      HeadersConfig: { HeaderBehavior: 'none' },
      CookiesConfig: { CookieBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
      EnableAcceptEncodingGzip: false,
    });
  });

  test('/api/* goes to the HTTP API uncached with every viewer header but Host, all methods', () => {
    const c = config();
    const api = c.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/api/*');
    expect(api).toMatchObject({
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // managed CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // managed AllViewerExceptHostHeader
      AllowedMethods: expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']),
      ViewerProtocolPolicy: 'https-only',
    });
    expect(api.FunctionAssociations).toBeUndefined();
    const origin = c.Origins.find((o: { Id: string }) => o.Id === api.TargetOriginId);
    expect(JSON.stringify(origin.DomainName)).toContain(id(stack.api.httpApi));
    expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
  });
});

describe('iam', () => {
  const statementsOf = (roleLogicalId: string) =>
    ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(`"${roleLogicalId}"`))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
  const roleOf = (fn: { role?: unknown }) => id(fn.role as { node: { defaultChild?: unknown } });
  const actions = (s: Statement) => [s.Action].flat();

  test('only the rebuild function can decrypt with the signing key; the API may only generate data keys', () => {
    const decrypters = ofType('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.PolicyDocument.Statement as Statement[]).some((s) => actions(s).some((a) => /^kms:(Decrypt|\*)/.test(a))))
      .flatMap(([, p]) => p.Properties.Roles.map((r: { Ref: string }) => r.Ref));
    expect(decrypters).toEqual([roleOf(stack.indexing.handler)]);
    expect(ofType('AWS::IAM::Role').filter(([, r]) => r.Properties.Policies)).toEqual([]);
    const apiKms = statementsOf(roleOf(stack.api.handler)).filter((s) => actions(s).some((a) => a.startsWith('kms:')));
    expect(apiKms.map(actions)).toEqual([['kms:GenerateDataKey']]);
    expect(statementsOf(roleOf(stack.ingest.handler)).flatMap(actions).filter((a) => a.startsWith('kms:'))).toEqual([]);
  });

  test('no statement anywhere allows Action "*"', () => {
    const all = policyStatements(resources);
    expect(all.length).toBeGreaterThan(10);
    expect(all.filter((s) => s.Effect === 'Allow' && actions(s).includes('*'))).toEqual([]);
  });

  test('the API cannot read incoming uploads and process-upload cannot delete published files', () => {
    const incoming = id(stack.storage.incomingBucket);
    const packages = id(stack.storage.packagesBucket);
    const api = statementsOf(roleOf(stack.api.handler)).filter((s) => JSON.stringify(s.Resource).includes(incoming));
    expect(api.flatMap(actions).sort()).toEqual(['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:PutObject']);
    expect(JSON.stringify(api[0].Resource)).toContain(`/${INCOMING_PREFIX}*`);
    const ingest = statementsOf(roleOf(stack.ingest.handler));
    const deletes = ingest.filter((s) => actions(s).some((a) => a.startsWith('s3:Delete')));
    expect(deletes.map((s) => JSON.stringify(s.Resource))).toEqual([expect.stringContaining(incoming)]);
    expect(deletes.map((s) => JSON.stringify(s.Resource)).join()).not.toContain(packages);
  });

  test('only the rebuild function can invalidate the distribution', () => {
    const invalidators = ofType('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.PolicyDocument.Statement as Statement[]).some((s) => actions(s).includes('cloudfront:CreateInvalidation')))
      .flatMap(([, p]) => p.Properties.Roles.map((r: { Ref: string }) => r.Ref));
    expect(invalidators).toEqual([roleOf(stack.indexing.handler)]);
  });
});

describe('monitoring', () => {
  test('alarms on both DLQs and on each function’s errors, all notifying the alarm topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const topic = id(stack.monitoring.alarmTopic);
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: topic }]);
    const dlqAlarms = alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(dlqAlarms.map((a) => a.Dimensions[0].Value['Fn::GetAtt'][0]).sort()).toEqual(
      [stack.indexing.deadLetterQueue, stack.ingest.deadLetterQueue].map(id).sort(),
    );
    const errorAlarms = alarms.filter((a) => a.MetricName === 'Errors');
    expect(errorAlarms.map((a) => a.Dimensions[0].Value.Ref).sort()).toEqual(
      [stack.api.handler, stack.ingest.handler, stack.indexing.handler].map(id).sort(),
    );
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});
