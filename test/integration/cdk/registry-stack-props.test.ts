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
      removalPolicy: RemovalPolicy.DESTROY,
      alarmEmail: 'ops@example.com',
      domainName: 'packages.example.com',
      certificateArn: CERT,
      logRetentionDays: 7,
    });
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources as Record<string, Resource>;
  });
  const id = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

  test('storage is deleted with the stack, buckets emptied first, the table unprotected', () => {
    const stateful = Object.values(resources).filter((r) =>
      ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::Logs::LogGroup'].includes(r.Type),
    );
    expect(stateful.length).toBeGreaterThanOrEqual(9);
    for (const r of stateful) expect(r.DeletionPolicy).toBe('Delete');
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 3);
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });

  test('the distribution answers on the custom domain, which becomes PUBLIC_BASE_URL', () => {
    const config = resources[id(stack.cdn.distribution)].Properties.DistributionConfig;
    expect(config.Aliases).toEqual(['packages.example.com']);
    expect(config.ViewerCertificate).toMatchObject({ AcmCertificateArn: CERT, SslSupportMethod: 'sni-only' });
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
    const logGroups = Object.values(resources).filter((r) => r.Type === 'AWS::Logs::LogGroup');
    expect(logGroups).toHaveLength(4);
    for (const g of logGroups) expect(g.Properties.RetentionInDays).toBe(7);
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
});
