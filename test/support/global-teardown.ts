import { emulatorState } from './global-setup';

/** Stops the emulators when the last project that started them is done. */
export default async function globalTeardown(): Promise<void> {
  const running = emulatorState.__packyardEmulators;
  if (!running || --running.users > 0) return;
  emulatorState.__packyardEmulators = undefined;
  await Promise.all([running.dynamo.stop(), running.s3.stop()]);
}
