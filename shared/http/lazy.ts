/**
 * Builds a Lambda handler on first invocation, so importing a handler module (tests, the local runtime)
 * neither reads environment variables nor creates SDK clients.
 */
export function lazy<A extends unknown[], R>(build: () => (...args: A) => R): (...args: A) => R {
  let built: ((...args: A) => R) | undefined;
  return (...args: A) => (built ??= build())(...args);
}
