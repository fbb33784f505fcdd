import path from 'node:path';
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag';

const REPO_ROOT = path.join(__dirname, '..', '..');
const IMPORT_META_URL = '__packyardImportMetaUrl';

export interface HandlerFunctionProps extends Pick<NodejsFunctionProps, 'retryAttempts' | 'onFailure'> {
  /** Entry file relative to the repository root, e.g. `functions/api/handler.ts`; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A Packyard Lambda: Node 22 on arm64, bundled locally by esbuild (no Docker), with its own log group and a
 * role that starts with nothing but writing to that group (no AWS managed policy); bind* calls add the rest.
 */
export class HandlerFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention, removalPolicy: props.removalPolicy });
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: props.description });
    logGroup.grantWrite(role);
    super(scope, id, {
      entry: path.join(REPO_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      logGroup,
      // The runtime wraps each line in JSON with the timestamp, level and Lambda request id.
      loggingFormat: LoggingFormat.JSON,
      role,
      retryAttempts: props.retryAttempts,
      onFailure: props.onFailure,
      // Stack traces point at the TypeScript sources instead of minified bundle lines.
      environment: { NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        format: OutputFormat.CJS,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Ship the SDK versions package-lock pins (the ones the tests ran), not whatever the runtime carries.
        bundleAwsSDK: true,
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
        // ESM dependencies (openpgp) call createRequire(import.meta.url), which is undefined in a CJS bundle.
        define: { 'import.meta.url': IMPORT_META_URL },
        banner: `const ${IMPORT_META_URL} = require('url').pathToFileURL(__filename).href;`,
      },
    });
    acknowledge(
      this,
      'AwsSolutions-L1',
      'Node.js 22 is a maintained LTS Lambda runtime and the bundles target it; moving to a newer line is a deliberate upgrade with a full test run (infra/README.md, Upgrading)',
    );
  }
}

/** CloudWatch Logs accepts only certain retention periods; fail at synth time rather than at deploy. */
export function retentionDays(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!allowed.includes(days)) throw new Error(`logRetentionDays must be one of ${allowed.join(', ')}; got ${days}`);
  return days as RetentionDays;
}
