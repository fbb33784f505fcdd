import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoLocal, type DynamoLocal } from '../../infra/local/emulators';

/** What the run's emulators are; kept on globalThis because jest calls setup once per project. */
export interface RunningEmulators {
  users: number;
  dynamo: DynamoLocal;
  s3: { endpoint: string; stop(): Promise<void> };
}

export const emulatorState = globalThis as typeof globalThis & { __packyardEmulators?: RunningEmulators };

const LEGACY_PROVIDER = '--openssl-legacy-provider';

const withLegacyProvider = (nodeOptions: string | undefined) =>
  nodeOptions?.includes(LEGACY_PROVIDER) ? nodeOptions : `${nodeOptions ?? ''} ${LEGACY_PROVIDER}`.trim();

/** Starts DynamoDB Local (in memory) and s3rver once per jest process; workers find them through env. */
export default async function globalSetup(): Promise<void> {
  if (emulatorState.__packyardEmulators) {
    emulatorState.__packyardEmulators.users++;
    return;
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const [dynamo, s3] = await Promise.all([startDynamoLocal(), startS3rverProcess()]);
  emulatorState.__packyardEmulators = { users: 1, dynamo, s3 };
  // Workers are forked after global setup and inherit these.
  process.env.PACKYARD_TEST_DYNAMO_ENDPOINT = dynamo.endpoint;
  process.env.PACKYARD_TEST_S3_ENDPOINT = s3.endpoint;
  // So an s3rver that a test runs inside a worker (the e2e local runtime) can page listings too.
  process.env.NODE_OPTIONS = withLegacyProvider(process.env.NODE_OPTIONS);
}

async function startS3rverProcess(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'packyard-test-s3-'));
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), join(__dirname, 's3rver-process.ts'), dataDir], {
    env: { ...process.env, NODE_OPTIONS: withLegacyProvider(process.env.NODE_OPTIONS) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const endpoint = await readEndpoint(child);
    return { endpoint, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function readEndpoint(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('s3rver did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening: ${out}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { endpoint: string }).endpoint);
    });
  });
}
