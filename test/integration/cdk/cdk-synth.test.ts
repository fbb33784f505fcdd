import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, runOk } from '../../support/exec';

// The real `cdk synth` an operator runs: the pinned CLI, cdk.json, infra/app.ts (context parsing, cdk-nag as a
// validation plugin) and esbuild bundling of every function.
const ROOT = path.join(__dirname, '../../..');
const CDK = path.join(ROOT, 'node_modules/.bin/cdk');
let outdir: string;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'packyard-cdk-synth-'));
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

const env = { ...process.env, CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' };

test('cdk synth with operator context writes a template that passed cdk-nag', async () => {
  const context = {
    stackName: 'PackyardCi',
    removalPolicy: 'destroy',
    alarmEmail: 'ops@example.com',
    domainName: 'packages.example.com',
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
    logRetentionDays: '14',
    incomingRetentionDays: '3',
    adminTokenGeneration: '4',
  };
  const args = ['synth', '--quiet', '--output', outdir, ...Object.entries(context).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  await runOk(CDK, args, { cwd: ROOT, env, timeoutMs: 240_000 });

  const template = JSON.parse(fs.readFileSync(path.join(outdir, 'PackyardCi.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const ofType = (t: string) => Object.values(template.Resources).filter((r) => r.Type === t);
  expect(ofType('AWS::Lambda::Function').filter((f) => f.Properties.Runtime === 'nodejs22.x')).toHaveLength(6);
  expect(ofType('Custom::PackyardAdminToken')[0].Properties.Generation).toBe('4');
  expect(ofType('AWS::Logs::LogGroup').every((g) => g.Properties.RetentionInDays === 14)).toBe(true);
  expect(JSON.stringify(ofType('AWS::CloudFront::Distribution')[0].Properties)).toContain('packages.example.com');
  // cdk-nag ran (it writes each acknowledgement, with its reason, into the template) and found nothing else.
  const acknowledged = Object.values(template.Resources).flatMap(
    (r) => ((r as { Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } }).Metadata?.cdk_nag?.rules_to_suppress ?? []),
  );
  expect(acknowledged.map((a) => a.id)).toEqual(expect.arrayContaining(['AwsSolutions-APIG4', 'AwsSolutions-L1', 'AwsSolutions-SMG4']));
  for (const a of acknowledged) expect(a.reason.length).toBeGreaterThanOrEqual(40);
});

test('cdk synth refuses context it cannot honour', async () => {
  const r = await run(CDK, ['synth', '--quiet', '--output', path.join(outdir, 'bad'), '-c', 'removalPolicy=sometimes'], { cwd: ROOT, env, timeoutMs: 120_000 });
  expect(r.code).not.toBe(0);
  expect(r.stderr + r.stdout).toContain('context removalPolicy must be retain or destroy; got sometimes');
});
