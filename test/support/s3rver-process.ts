/**
 * s3rver for the test run, in its own Node process: s3rver pages listings with a DES token, which needs
 * `--openssl-legacy-provider` at process start, and jest's own process may not have it. The process ends
 * when its stdin closes, so it cannot outlive the jest process that started it.
 * Usage: node --require tsx/cjs s3rver-process.ts <dataDir>; prints {"endpoint": ...} once listening.
 */
import { startS3rver } from '../../infra/local/emulators';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: s3rver-process.ts <dataDir>');
  const s3 = await startS3rver({ dataDir, buckets: [] });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void s3.stop().finally(() => process.exit(0));
  };
  process.stdin.on('end', stop).on('close', stop).resume();
  process.on('SIGTERM', stop).on('SIGINT', stop);
  process.stdout.write(JSON.stringify({ endpoint: s3.endpoint }) + '\n');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
