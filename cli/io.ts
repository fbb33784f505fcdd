/** The CLI's view of a stream: enough for tests to capture output and to pretend to be a terminal. */
export interface CliOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Everything the CLI touches outside its arguments, so `run` can be called in-process by tests. */
export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  env: Record<string, string | undefined>;
  cwd: string;
}

export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });

export const printJson = (out: CliOutput, value: unknown): void => {
  out.write(JSON.stringify(value, null, 2) + '\n');
};
