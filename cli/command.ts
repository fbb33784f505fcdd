import type { CliIo } from './io';

/** A leaf command: `push`, `repo create`, `token list`... */
export interface Command {
  name: string;
  summary: string;
  /** Full help text, printed by `--help`. */
  help: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** A command word with subcommands: `repo`, `token`. */
export interface CommandGroup {
  name: string;
  summary: string;
  subcommands: Command[];
}

/** Help and version text: stdout, exit 0. */
export function printOut(io: CliIo, text: string): number {
  io.stdout.write(text);
  return 0;
}

/** The global flags' lines for a command's help. */
export const GLOBAL_OPTIONS_HELP = `  --json            print the API's JSON answer on stdout
  --url URL         registry URL (default $PACKYARD_URL or http://127.0.0.1:8080)
  --token TOKEN     API token (default $PACKYARD_TOKEN)
`;
