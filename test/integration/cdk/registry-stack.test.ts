import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { API_ROUTES } from '../../../functions/api/routes';
import { REGISTRY_ROUTES } from '../../../functions/registry/routes';
import { REGISTRY_SEGMENTS } from '../../../shared/domain/distribution';
import { apiPathPatterns } from '../../../infra/constructs/cdn';
import type { HandlerFunction } from '../../../infra/constructs/handler-function';
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
const roleId = (fn: { role?: IRole }) => id(fn.role as unknown as { node: { defaultChild?: unknown } });

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
  const handlers = () => [stack.api.handler, stack.ingest.handler, stack.indexing.handler, stack.edgeSync.handler, stack.adminToken.handler, stack.api.registryHandler];
  const ours = () => handlers().map((fn) => resources[id(fn)].Properties);

  test('each runs nodejs22.x on arm64 with a bundled index.handler, JSON logs and a log group with retention', () => {
    for (const fn of ours()) {
      expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
      expect(fn.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
      expect(fn.LoggingConfig.LogFormat).toBe('JSON');
      const logGroup = resources[fn.LoggingConfig.LogGroup.Ref];
      expect(logGroup).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
    }
    // CDK's own S3-notification handler is Python; no Node function may run anything but 22.
    const nodeRuntimes = ofType('AWS::Lambda::Function')
      .map(([, r]) => r.Properties.Runtime as string)
      .filter((r) => r.startsWith('nodejs'));
    expect(new Set(nodeRuntimes)).toEqual(new Set(['nodejs22.x']));
  });

  test('each role starts with no managed policy and may write only to its own log group', () => {
    for (const fn of ours()) {
      const role = resources[fn.Role['Fn::GetAtt'][0]];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      const logStatements = policyStatements(
        Object.fromEntries(ofType('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(fn.Role['Fn::GetAtt'][0]))),
      ).filter((st) => [st.Action].flat().some((a) => a.startsWith('logs:')));
      expect(logStatements).toEqual([
        expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [fn.LoggingConfig.LogGroup.Ref, 'Arn'] } }),
      ]);
    }
  });

  test('each gets exactly the variables of the ports it uses (awsDeps builds ports on first use)', () => {
    const distribution = id(stack.cdn.distribution);
    const names = ours().map((fn) => Object.keys(fn.Environment.Variables).filter((k) => k !== 'NODE_OPTIONS').sort());
    const { TABLE_NAME, PACKAGES_BUCKET, INCOMING_BUCKET, KMS_KEY_ID, REBUILD_QUEUE_URL, PUBLIC_BASE_URL, DISTRIBUTION_ID, KVS_ARN } = ENV;
    expect(names).toEqual([
      [TABLE_NAME, PACKAGES_BUCKET, INCOMING_BUCKET, KMS_KEY_ID, REBUILD_QUEUE_URL, PUBLIC_BASE_URL].sort(), // api
      [TABLE_NAME, PACKAGES_BUCKET, INCOMING_BUCKET, KMS_KEY_ID, REBUILD_QUEUE_URL, PUBLIC_BASE_URL].sort(), // process-upload
      [TABLE_NAME, PACKAGES_BUCKET, KMS_KEY_ID, DISTRIBUTION_ID, PUBLIC_BASE_URL].sort(), // rebuild-index
      [TABLE_NAME, KVS_ARN, KMS_KEY_ID].sort(), // edge-sync (unwraps the read-token key to publish it)
      [TABLE_NAME], // bootstrap-admin
      [TABLE_NAME, PACKAGES_BUCKET, REBUILD_QUEUE_URL, PUBLIC_BASE_URL].sort(), // registry: ingest only, no keys, no presigning
    ]);
    const [api, , rebuild, edge] = ours().map((fn) => fn.Environment.Variables);
    expect(api[ENV.PUBLIC_BASE_URL]).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]] });
    expect(api[ENV.TABLE_NAME]).toEqual({ Ref: id(stack.storage.table) });
    expect(rebuild[RUNTIME_ENV.DISTRIBUTION_ID]).toEqual({ Ref: distribution });
    expect(edge[RUNTIME_ENV.KVS_ARN]).toEqual({ 'Fn::GetAtt': [id(stack.cdn.edgeStore), 'Arn'] });
  });
});

describe('api', () => {
  test('every route in API_ROUTES and REGISTRY_ROUTES exists, on two Lambda proxy integrations (payload v2)', () => {
    const routeKeys = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
    expect(routeKeys.sort()).toEqual([...API_ROUTES, ...REGISTRY_ROUTES].sort());
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 2);
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
    expect(queues).toHaveLength(4);
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

  test('/api/* and the other API routes go to the HTTP API uncached with every viewer header but Host, all methods', () => {
    const c = config();
    const apiBehaviors = c.CacheBehaviors.filter((b: { PathPattern: string }) => !REGISTRY_SEGMENTS.some((s) => b.PathPattern === `/*/*/${s}/*`));
    const patterns = apiBehaviors.map((b: { PathPattern: string }) => b.PathPattern);
    expect(patterns).toEqual(['/api/*', '/install/*', '/*/*/script.deb.sh', '/*/*/script.rpm.sh']);
    expect(patterns).toEqual(apiPathPatterns(API_ROUTES));
    for (const b of apiBehaviors) {
      expect(b).toMatchObject({
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // managed CachingDisabled
        OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // managed AllViewerExceptHostHeader
        AllowedMethods: expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']),
        ViewerProtocolPolicy: 'https-only',
      });
      // The API authenticates every request itself; the edge function guards only the bucket.
      expect(b.FunctionAssociations).toBeUndefined();
      const origin = c.Origins.find((o: { Id: string }) => o.Id === b.TargetOriginId);
      expect(JSON.stringify(origin.DomainName)).toContain(id(stack.api.httpApi));
      expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    }
  });

  test('each language registry has a behaviour that reads the bucket through the edge function and lets writes through', () => {
    const c = config();
    const behaviors = c.CacheBehaviors.filter((b: { PathPattern: string }) => REGISTRY_SEGMENTS.some((s) => b.PathPattern === `/*/*/${s}/*`));
    expect(behaviors.map((b: { PathPattern: string }) => b.PathPattern)).toEqual(REGISTRY_SEGMENTS.map((s) => `/*/*/${s}/*`));
    const apiOrigin = c.Origins.find((o: { Id: string }) => o.Id === 'api');
    // The function selects the API origin by this id for writes.
    expect(JSON.stringify(apiOrigin.DomainName)).toContain(id(stack.api.httpApi));
    const cachePolicies = ofType('AWS::CloudFront::CachePolicy');
    for (const b of behaviors) {
      expect(b.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'HEAD', 'PUT', 'POST', 'DELETE']));
      expect(b.FunctionAssociations).toEqual([expect.objectContaining({ EventType: 'viewer-request' })]);
      expect(b.TargetOriginId).toBe(c.DefaultCacheBehavior.TargetOriginId);
      const policy = cachePolicies.find(([logicalId]) => b.CachePolicyId.Ref === logicalId)?.[1];
      expect(policy?.Properties.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig).toEqual({
        HeaderBehavior: 'whitelist',
        Headers: ['Authorization', 'X-NuGet-ApiKey'],
      });
    }
  });

  test('every API route is reachable through one of those patterns, and no package path is', () => {
    const matches = (pattern: string, p: string) => new RegExp(`^${pattern.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(p);
    const patterns = apiPathPatterns(API_ROUTES);
    for (const route of API_ROUTES) {
      const p = route.split(' ')[1].replace(/\{[^}]+\}/g, 'x');
      expect({ route, reached: patterns.some((pat) => matches(pat, p)) }).toEqual({ route, reached: true });
    }
    for (const p of ['/acme/tools/debian/dists/bookworm/InRelease', '/acme/tools/gpgkey', '/acme/tools/debian/pool/main/h/hello/hello_1.0_amd64.deb']) {
      expect(patterns.filter((pat) => matches(pat, p))).toEqual([]);
    }
  });
});

describe('iam', () => {
  const statementsOf = (roleLogicalId: string) =>
    ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(`"${roleLogicalId}"`))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
  const roleOf = (fn: { role?: unknown }) => id(fn.role as { node: { defaultChild?: unknown } });
  const actions = (s: Statement) => [s.Action].flat();

  test('only the rebuild function can decrypt signing keys; the API and edge-sync decrypt only the read-token key', () => {
    const purposeOf = (s: Statement) => (s as { Condition?: { StringEquals?: Record<string, string> } }).Condition?.StringEquals?.['kms:EncryptionContext:purpose'];
    const decrypts = ofType('AWS::IAM::Policy').flatMap(([, p]) =>
      (p.Properties.PolicyDocument.Statement as Statement[])
        .filter((s) => actions(s).some((a) => /^kms:(Decrypt|\*)/.test(a)))
        .flatMap((s) => p.Properties.Roles.map((r: { Ref: string }) => [r.Ref, purposeOf(s)])),
    );
    expect(decrypts.sort()).toEqual(
      [[roleOf(stack.api.handler), 'edge-token'], [roleOf(stack.edgeSync.handler), 'edge-token'], [roleOf(stack.indexing.handler), 'signing-key']].sort(),
    );
    expect(ofType('AWS::IAM::Role').filter(([, r]) => r.Properties.Policies)).toEqual([]);
    const apiKms = statementsOf(roleOf(stack.api.handler)).filter((s) => actions(s).some((a) => a.startsWith('kms:')));
    expect(apiKms.map(actions)).toEqual([['kms:GenerateDataKey'], ['kms:Decrypt']]);
    // process-upload creates a repository's Alpine key on its first apk: it may wrap, never unwrap.
    expect(statementsOf(roleOf(stack.ingest.handler)).flatMap(actions).filter((a) => a.startsWith('kms:'))).toEqual(['kms:GenerateDataKey']);
  });

  test('no identity policy grants a wildcard action (`s3:Get*` style included)', () => {
    const statements = ofType('AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
    expect(statements.length).toBeGreaterThan(15);
    expect(statements.filter((st) => st.Effect === 'Allow' && actions(st).some((a) => a.includes('*')))).toEqual([]);
  });

  test('table access lists its item actions and names the table and gsi1 only', () => {
    const table = id(stack.storage.table);
    const tableStatements = ofType('AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[])
      .filter((st) => actions(st).some((a) => a.startsWith('dynamodb:') && !/Stream|Shard|Records/.test(a)));
    for (const st of tableStatements) {
      expect(st.Resource).toEqual([
        { 'Fn::GetAtt': [table, 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, `/index/${TABLE.gsi1.name}`]] },
      ]);
    }
    const edgeSync = statementsOf(roleOf(stack.edgeSync.handler)).filter((st) => actions(st).includes('dynamodb:Query'));
    expect(edgeSync.flatMap(actions)).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
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

describe('edge sync', () => {
  test("edge-sync reads the table's stream from the start, bisects failing batches and parks them in a DLQ", () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(stack.storage.table), 'StreamArn'] },
      FunctionName: { Ref: id(stack.edgeSync.handler) },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [id(stack.edgeSync.deadLetterQueue), 'Arn'] } } },
    });
  });

  test('only edge-sync may write the key value store, and only Describe, Put and Delete', () => {
    const writers = ofType('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('cloudfront-keyvaluestore:'));
    expect(writers.flatMap(([, p]) => p.Properties.Roles.map((r: { Ref: string }) => r.Ref))).toEqual([roleId(stack.edgeSync.handler)]);
    const kvs = (writers[0][1].Properties.PolicyDocument.Statement as Statement[]).filter((st) => JSON.stringify(st.Action).includes('cloudfront-keyvaluestore:'));
    expect(kvs).toEqual([
      expect.objectContaining({
        Action: ['cloudfront-keyvaluestore:DeleteKey', 'cloudfront-keyvaluestore:DescribeKeyValueStore', 'cloudfront-keyvaluestore:PutKey'],
        Resource: { 'Fn::GetAtt': [id(stack.cdn.edgeStore), 'Arn'] },
      }),
    ]);
  });
});

describe('first admin token', () => {
  test('a custom resource mints it into a Secrets Manager secret, which only its function may write', () => {
    const secret = id(stack.adminToken.secret);
    template.hasResourceProperties('Custom::PackyardAdminToken', {
      ServiceToken: { 'Fn::GetAtt': [id(stack.adminToken.handler), 'Arn'] },
      SecretId: { Ref: secret },
      Generation: '1',
    });
    const writers = ofType('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('secretsmanager:'));
    expect(writers).toHaveLength(1);
    expect(writers[0][1].Properties.Roles).toEqual([{ Ref: roleId(stack.adminToken.handler) }]);
    expect((writers[0][1].Properties.PolicyDocument.Statement as Statement[]).filter((st) => JSON.stringify(st.Action).includes('secretsmanager:'))).toEqual([
      expect.objectContaining({ Action: 'secretsmanager:PutSecretValue', Resource: { Ref: secret } }),
    ]);
    expect(resources[secret].DeletionPolicy).toBe('Retain');
    template.hasOutput('AdminTokenSecretArn', { Value: { Ref: secret } });
  });

  test('its function is never retried (a retry would mint a second token)', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: id(stack.adminToken.handler) }, MaximumRetryAttempts: 0 });
  });
});

describe('monitoring', () => {
  const alarms = () => ofType('AWS::CloudWatch::Alarm');
  const byId = (alarmId: string) => alarms().find(([, a]) => a.Properties.AlarmName === `PackyardTest-${alarmId}`)?.[1];

  test('every function has an errors and a throttles alarm; every DLQ, the rebuild age, edge lag and 5xx rates have one', () => {
    const names = alarms().map(([, a]) => a.Properties.AlarmName as string).sort();
    const fns = ['Api', 'Registry', 'ProcessUpload', 'RebuildIndex', 'EdgeSync'];
    expect(names).toEqual(
      [
        ...fns.flatMap((f) => [`${f}Errors`, `${f}Throttles`]),
        'RebuildDlq', 'FailedUploads', 'EdgeSyncDlq', 'RebuildQueueAge', 'EdgeSyncLag', 'Api5xxRate', 'Cdn5xxRate',
      ].map((n) => `PackyardTest-${n}`).sort(),
    );
    const handlers: Record<string, HandlerFunction> = { Api: stack.api.handler, Registry: stack.api.registryHandler, ProcessUpload: stack.ingest.handler, RebuildIndex: stack.indexing.handler, EdgeSync: stack.edgeSync.handler };
    for (const [f, fn] of Object.entries(handlers)) {
      expect(byId(`${f}Errors`)?.Properties).toMatchObject({ MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(fn) } }] });
      expect(byId(`${f}Throttles`)?.Properties).toMatchObject({ MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(fn) } }] });
    }
    const dlqs = { RebuildDlq: stack.indexing.deadLetterQueue, FailedUploads: stack.ingest.deadLetterQueue, EdgeSyncDlq: stack.edgeSync.deadLetterQueue };
    for (const [name, q] of Object.entries(dlqs)) {
      expect(byId(name)?.Properties).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, Dimensions: [{ Value: { 'Fn::GetAtt': [id(q), 'QueueName'] } }] });
    }
    expect(byId('RebuildQueueAge')?.Properties).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 900, Dimensions: [{ Value: { 'Fn::GetAtt': [id(stack.indexing.queue), 'QueueName'] } }],
    });
    expect(byId('EdgeSyncLag')?.Properties).toMatchObject({ MetricName: 'IteratorAge', Statistic: 'Maximum', Threshold: 60_000 });
  });

  test('the API 5xx rate is a percentage that needs a minimum of requests', () => {
    const metrics = byId('Api5xxRate')?.Properties.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('IF(requests >= 10, 100 * errors / requests, 0)');
    expect(metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat?.Metric.MetricName).sort()).toEqual(['5xx', 'Count']);
  });

  test("CloudFront's 5xx alarm exists only where CloudFront publishes metrics (us-east-1)", () => {
    const [logicalId, alarm] = alarms().find(([, a]) => a.Properties.AlarmName === 'PackyardTest-Cdn5xxRate') ?? [];
    expect(alarm?.Properties).toMatchObject({ Namespace: 'AWS/CloudFront', MetricName: '5xxErrorRate', Dimensions: expect.arrayContaining([{ Name: 'Region', Value: 'Global' }]) });
    const condition = (template.toJSON().Resources[logicalId as string] as { Condition?: string }).Condition;
    expect(template.toJSON().Conditions[condition as string]).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] });
  });

  test('every alarm notifies the topic when it fires and when it clears, and names its runbook entry in infra/README.md', () => {
    const topic = id(stack.monitoring.alarmTopic);
    const readme = fs.readFileSync(path.join(__dirname, '../../../infra/README.md'), 'utf8');
    const headings = new Set([...readme.matchAll(/^#{2,4} (.+)$/gm)].map((m) => m[1].trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
    for (const [, a] of alarms()) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topic }]);
      expect(a.Properties.OKActions).toEqual([{ Ref: topic }]);
      const anchor = /Runbook: infra\/README\.md#([a-z0-9-]+)$/.exec(a.Properties.AlarmDescription as string)?.[1];
      expect(anchor).toBe((a.Properties.AlarmName as string).replace('PackyardTest-', '').toLowerCase());
      expect(headings).toContain(anchor);
    }
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('one dashboard with the functions, the API, the queues, the edge lag, CloudFront and recent errors', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(ofType('AWS::CloudWatch::Dashboard')[0][1].Properties.DashboardBody);
    for (const title of ['Invocations', 'Errors', 'Throttles', 'API requests and errors', 'Oldest rebuild request (s)', 'Edge lag behind the table (ms)', 'CloudFront error rates (%)', 'Recent errors (all functions)']) {
      expect(body).toContain(title);
    }
    expect(body).toMatch(/filter level = \W+ERROR/);
  });
});
