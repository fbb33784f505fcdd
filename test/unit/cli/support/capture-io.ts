import type { CliIo, CliOutput } from '../../../../cli/io';

export interface CapturedOutput extends CliOutput {
  text: string;
}

const output = (isTTY: boolean): CapturedOutput => {
  const out: CapturedOutput = {
    text: '',
    isTTY,
    columns: 100,
    write(chunk: string) {
      out.text += chunk;
      return true;
    },
  };
  return out;
};

/** In-memory stdout/stderr for `run`, with control over which of them claims to be a terminal. */
export function captureIo(opts: { env?: Record<string, string | undefined>; cwd?: string; stderrTTY?: boolean } = {}) {
  const stdout = output(false);
  const stderr = output(opts.stderrTTY ?? false);
  const io: CliIo = { stdout, stderr, env: opts.env ?? {}, cwd: opts.cwd ?? process.cwd() };
  return { io, stdout, stderr };
}
