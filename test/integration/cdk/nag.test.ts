import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { addNagChecks } from '../../../infra/nag';
import { RegistryStack, type RegistryStackProps } from '../../../infra/registry-stack';
import { cdkContext } from './template-helpers';

// cdk-nag's AwsSolutions pack over both shapes of the stack. Bundling is skipped: the template is the same.
let outdir: string;
const newApp = () => new App({ outdir, context: { ...cdkContext(), 'aws:cdk:bundling-stacks': [] } });
beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'packyard-cdk-nag-'));
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

interface Finding {
  rule: string;
  path: string;
}
interface Acknowledgement {
  rule: string;
  path: string;
  reason: string;
}

function findings(stack: Stack, honourAcknowledgements = true): Finding[] {
  const pack = new AwsSolutionsChecks(stack.node.root);
  // To see what each acknowledgement hides, the pack is asked to ignore them all (its check is a private method).
  if (!honourAcknowledgements) Object.assign(pack, { isAcknowledged: () => false });
  return pack.validateScope(stack).violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })));
}

function acknowledgements(scope: IConstruct): Acknowledgement[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([id, reason]) => ({ rule: id.replace(/^annotation::/i, ''), path: c.node.path, reason }))
      .filter((a) => a.rule.startsWith('AwsSolutions-')),
  );
}

const shapes: [string, RegistryStackProps][] = [
  ['the default stack (retained, CloudFront domain)', {}],
  [
    'a throw-away stack with a custom domain in eu-west-1',
    {
      env: { account: '123456789012', region: 'eu-west-1' },
      removalPolicy: RemovalPolicy.DESTROY,
      domainName: 'packages.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
      alarmEmail: 'ops@example.com',
    },
  ],
];

describe.each(shapes)('cdk-nag AwsSolutions on %s', (_name, props) => {
  let stack: RegistryStack;
  beforeAll(() => {
    stack = new RegistryStack(newApp(), 'PackyardNag', props);
  });

  test('reports nothing', () => {
    expect(findings(stack)).toEqual([]);
  });

  test('every acknowledgement has a checkable reason and hides a finding the pack really makes', () => {
    const raw = findings(stack, false);
    const acks = acknowledgements(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      expect(a.reason.length).toBeGreaterThanOrEqual(40);
      const hidden = raw.filter((f) => f.rule === a.rule && (f.path === a.path || f.path.startsWith(`${a.path}/`)));
      expect({ ack: a, hides: hidden.length > 0 }).toEqual({ ack: a, hides: true });
    }
  });

  test('suppressions are the reviewed ones: no managed policy on our roles, no wildcard action, no open route', () => {
    const rules = new Set(acknowledgements(stack).map((a) => a.rule.replace(/\[Resource::<[A-Za-z0-9]+\.Arn>\/(incoming\/)?\*\]$/, '[objects]')));
    const expected = [
      'AwsSolutions-APIG4',
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[objects]',
      'AwsSolutions-L1',
      'AwsSolutions-SMG4',
      'AwsSolutions-SQS3',
      // Only the default CloudFront certificate has a fixed TLS policy.
      ...(props.certificateArn ? [] : ['AwsSolutions-CFR4']),
    ];
    expect([...rules].sort()).toEqual(expected.sort());
    // The one managed-policy acknowledgement is CDK's own notification handler, not a Packyard function.
    const iam4 = acknowledgements(stack).filter((a) => a.rule.startsWith('AwsSolutions-IAM4'));
    expect(iam4.map((a) => a.path)).toEqual([expect.stringMatching(/^PackyardNag\/BucketNotificationsHandler/)]);
  });
});

describe('cdk-nag as `cdk synth` runs it (infra/app.ts)', () => {
  test('synthesis passes with the stack, and stops on a finding nobody acknowledged', () => {
    const app = newApp();
    new RegistryStack(app, 'PackyardSynth');
    addNagChecks(app);
    expect(() => app.synth()).not.toThrow();

    const bad = newApp();
    const stack = new Stack(bad, 'Careless');
    new Queue(stack, 'PlainQueue');
    addNagChecks(bad);
    expect(() => bad.synth()).toThrow(/AwsSolutions-SQS3/);
    expect(findings(stack).map((f) => f.rule)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });
});
