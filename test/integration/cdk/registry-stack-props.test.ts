import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, type CfnElement, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ENV } from '../../../shared/config';
import { RegistryStack, type RegistryStackProps } from '../../../infra/registry-stack';
import { cdkContext, type Resource } from './template-helpers';

// The stack props, on a second stack. Bundling is skipped here: registry-stack.test.ts already bundles.
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';
let outdir: string;
const newApp = () => new App({ outdir, context: { ...cdkContext(), 'aws:cdk:bundling-stacks': [] } });

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'packyard-cdk-props-'));
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

describe('a throw-away stack with a custom domain, alarm e-mail and short log retention', () => {
  let stack: RegistryStack;
  let template: Template;
  let resources: Record<string, Resource>;
  beforeAll(() => {
    stack = new RegistryStack(newApp(), 'PackyardDev', {
      env: { account: '123456789012', region: 'eu-west-1' },
      removalPolicy: RemovalPolicy.DESTROY,
      alarmEmail: 'ops@example.com',
      domainName: 'packages.example.com',
      certificateArn: CERT,
      logRetentionDays: 7,
      incomingRetentionDays: 2,
      adminTokenGeneration: 2,
    });
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources as Record<string, Resource>;
  });
  const id = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

  test('storage is deleted with the stack, buckets emptied first, the table unprotected', () => {
    const stateful = Object.values(resources).filter((r) =>
      ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::SecretsManager::Secret'].includes(r.Type),
    );
    expect(stateful.length).toBeGreaterThanOrEqual(12);
    for (const r of stateful) expect(r.DeletionPolicy).toBe('Delete');
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 3);
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });

  test('the distribution answers on the custom domain, which becomes PUBLIC_BASE_URL', () => {
    const config = resources[id(stack.cdn.distribution)].Properties.DistributionConfig;
    expect(config.Aliases).toEqual(['packages.example.com']);
    expect(config.ViewerCertificate).toMatchObject({ AcmCertificateArn: CERT, SslSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' });
    for (const fn of [stack.api.handler, stack.ingest.handler, stack.indexing.handler]) {
      expect(resources[id(fn)].Properties.Environment.Variables[ENV.PUBLIC_BASE_URL]).toBe('https://packages.example.com');
    }
    template.hasOutput('PublicBaseUrl', { Value: 'https://packages.example.com' });
  });

  test('alarms are e-mailed and logs kept 7 days', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: id(stack.monitoring.alarmTopic) },
    });
    // Six functions and the API's access log.
    const logGroups = Object.values(resources).filter((r) => r.Type === 'AWS::Logs::LogGroup');
    expect(logGroups).toHaveLength(7);
    for (const g of logGroups) expect(g.Properties.RetentionInDays).toBe(7);
  });

  test('a raised admin token generation reaches the custom resource (which then replaces the token)', () => {
    template.hasResourceProperties('Custom::PackyardAdminToken', { Generation: '2' });
  });

  test('unprocessed uploads expire after the chosen number of days', () => {
    const rules = resources[id(stack.storage.incomingBucket)].Properties.LifecycleConfiguration.Rules;
    expect(rules).toEqual([expect.objectContaining({ ExpirationInDays: 2 })]);
  });

  test('outside us-east-1 there is no CloudFront alarm (its metrics live there), and nothing is conditional', () => {
    const alarmNames = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').map((r) => r.Properties.AlarmName as string);
    expect(alarmNames).toContain('PackyardDev-Api5xxRate');
    expect(alarmNames).not.toContain('PackyardDev-Cdn5xxRate');
    expect(template.toJSON().Conditions).toBeUndefined();
  });
});

describe('a stack in us-east-1', () => {
  test('alarms on the CloudFront 5xx rate without a condition', () => {
    const template = Template.fromStack(new RegistryStack(newApp(), 'PackyardUsEast', { env: { account: '123456789012', region: 'us-east-1' } }));
    const [[logicalId]] = Object.entries(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'PackyardUsEast-Cdn5xxRate' } }));
    expect(template.toJSON().Resources[logicalId].Condition).toBeUndefined();
  });
});

describe('invalid props fail at synth time', () => {
  const build = (props: RegistryStackProps) => () => new RegistryStack(newApp(), 'Bad', props);

  test('a domain name without a certificate (and the reverse)', () => {
    expect(build({ domainName: 'packages.example.com' })).toThrow(/domainName and certificateArn/);
    expect(build({ certificateArn: CERT })).toThrow(/domainName and certificateArn/);
  });

  test('a log retention CloudWatch does not offer', () => {
    expect(build({ logRetentionDays: 8 })).toThrow(/logRetentionDays must be one of .*\b7\b.*; got 8/);
  });

  test('an upload retention that is not a whole number of days', () => {
    expect(build({ incomingRetentionDays: 0 })).toThrow(/incomingRetentionDays must be a whole number of days, at least 1; got 0/);
    expect(build({ incomingRetentionDays: 1.5 })).toThrow(/got 1.5/);
  });
});
