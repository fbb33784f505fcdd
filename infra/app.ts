import { App, RemovalPolicy, Tags } from 'aws-cdk-lib';
import { addNagChecks } from './nag';
import { RegistryStack } from './registry-stack';

/**
 * `npx cdk synth|deploy [-c key=value ...]`. Context keys: stackName, removalPolicy (retain | destroy),
 * alarmEmail, domainName, certificateArn, logRetentionDays, incomingRetentionDays, adminTokenGeneration.
 */
const app = new App();
const ctx = (key: string): string | undefined => {
  const v: unknown = app.node.tryGetContext(key);
  return v === undefined || v === null || v === '' ? undefined : String(v);
};
const numeric = (key: string): number | undefined => {
  const v = ctx(key);
  return v === undefined ? undefined : Number(v);
};

function removalPolicy(v: string | undefined): RemovalPolicy {
  if (v === undefined || v === 'retain') return RemovalPolicy.RETAIN;
  if (v === 'destroy') return RemovalPolicy.DESTROY;
  throw new Error(`context removalPolicy must be retain or destroy; got ${v}`);
}

new RegistryStack(app, ctx('stackName') ?? 'Packyard', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'Packyard package registry',
  removalPolicy: removalPolicy(ctx('removalPolicy')),
  alarmEmail: ctx('alarmEmail'),
  domainName: ctx('domainName'),
  certificateArn: ctx('certificateArn'),
  logRetentionDays: numeric('logRetentionDays'),
  incomingRetentionDays: numeric('incomingRetentionDays'),
  adminTokenGeneration: numeric('adminTokenGeneration'),
});
Tags.of(app).add('project', 'packyard');
// cdk-nag's AwsSolutions pack: an unacknowledged finding fails `cdk synth` and `cdk deploy`.
addNagChecks(app);
app.synth();
