import { resolve } from 'node:path';
import { startLocalRegistry } from './registry';

/** `npm start`: the whole registry on one machine, data under ./.packyard (or PACKYARD_DATA). */
async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const port = Number(process.env.PORT ?? 8080);
  const dataDir = resolve(process.env.PACKYARD_DATA ?? '.packyard');
  const started = Date.now();
  const registry = await startLocalRegistry({ port, host: process.env.HOST ?? '127.0.0.1', dataDir });
  const out = process.stdout;
  out.write(`Packyard is running at ${registry.url} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  out.write(`Data directory: ${registry.dataDir}\n`);
  if (registry.newAdminToken) {
    out.write(`\nAdmin token (shown once; also saved to ${registry.adminTokenFile}, mode 0600):\n\n  ${registry.newAdminToken}\n\n`);
  } else {
    out.write(`Admin token: in ${registry.adminTokenFile}\n`);
  }
  out.write('Press Ctrl-C to stop.\n');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    out.write(`\n${signal}: stopping...\n`);
    await registry.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(`packyard: failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
