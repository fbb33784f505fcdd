/** Exit codes the CLI promises to scripts. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

/** A failure the CLI reports as `packyard: <message> (<code>)`. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number = EXIT.FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad arguments or configuration: nothing was sent, exit 2. */
export class UsageError extends CliError {
  constructor(message: string, code = 'USAGE', readonly command?: string) {
    super(code, message, EXIT.USAGE);
    this.name = 'UsageError';
  }
}

/** The API answered with an error envelope (or at least an error status). */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message, EXIT.FAILURE);
    this.name = 'ApiError';
  }
}

export const errorCode = (e: unknown): string => (e instanceof CliError ? e.code : 'INTERNAL');

/** Duck-typed: errors from another realm (a jest sandbox, a worker) fail `instanceof Error`. */
export const errorMessage = (e: unknown): string =>
  typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string' ? (e as Error).message : String(e);
