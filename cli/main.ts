import { splitLeadingGlobals } from './args';
import { printOut, type Command, type CommandGroup } from './command';
import { pushCommand } from './commands/push';
import { repoGroup } from './commands/repo';
import { masterTokenGroup, readTokenGroup } from './commands/install-tokens';
import { tokenGroup } from './commands/token';
import { CliError, EXIT, UsageError, errorMessage } from './errors';
import { processIo, type CliIo } from './io';
import { VERSION } from './version';

const COMMANDS: (Command | CommandGroup)[] = [pushCommand, repoGroup, tokenGroup, masterTokenGroup, readTokenGroup];

const isGroup = (c: Command | CommandGroup): c is CommandGroup => 'subcommands' in c;
const HELP_FLAGS = ['--help', '-h'];
const VERSION_FLAGS = ['--version', '-V'];

function mainHelp(): string {
  const lines = COMMANDS.flatMap((c) =>
    isGroup(c) ? c.subcommands.map((s) => `  ${`${c.name} ${s.name}`.padEnd(16)}${s.summary}`) : [`  ${c.name.padEnd(16)}${c.summary}`],
  );
  return `packyard ${VERSION}: the Packyard registry's command line

Usage: packyard <command> [arguments] [--json] [--url URL] [--token TOKEN]

Commands:
${lines.join('\n')}

Environment:
  PACKYARD_URL      registry URL (default http://127.0.0.1:8080); --url overrides it
  PACKYARD_TOKEN    API token, required by every command; --token overrides it

Run "packyard <command> --help" for a command's options.
Exit status: 0 success, 1 failure or rejection, 2 usage error.
`;
}

function groupHelp(g: CommandGroup): string {
  const lines = g.subcommands.map((s) => `  ${s.name.padEnd(10)}${s.summary}`);
  return `Usage: packyard ${g.name} <${g.subcommands.map((s) => s.name).join('|')}> [arguments]

${lines.join('\n')}

Run "packyard ${g.name} <subcommand> --help" for its options.
`;
}

/** `packyard help [command [subcommand]]`. */
function helpFor(words: string[]): string {
  const cmd = COMMANDS.find((c) => c.name === words[0]);
  if (!cmd) {
    if (words.length) throw new UsageError(`unknown command ${JSON.stringify(words[0])}`);
    return mainHelp();
  }
  if (!isGroup(cmd)) return cmd.help;
  const sub = cmd.subcommands.find((s) => s.name === words[1]);
  if (words[1] !== undefined && !sub) throw new UsageError(`unknown subcommand ${JSON.stringify(`${cmd.name} ${words[1]}`)}`);
  return sub ? sub.help : groupHelp(cmd);
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const top = splitLeadingGlobals(argv);
  const [word, ...rest] = top.rest;
  if (word === undefined) {
    if (top.leading.some((a) => VERSION_FLAGS.includes(a))) return printOut(io, `packyard ${VERSION}\n`);
    if (top.leading.some((a) => HELP_FLAGS.includes(a))) return printOut(io, mainHelp());
    if (top.leading.length) throw new UsageError('missing command');
    io.stderr.write(mainHelp());
    return EXIT.USAGE;
  }
  if (word === 'help') return printOut(io, helpFor(rest));
  if (word === 'version') return printOut(io, `packyard ${VERSION}\n`);
  const cmd = COMMANDS.find((c) => c.name === word);
  if (!cmd) throw new UsageError(`unknown command ${JSON.stringify(word)}; run "packyard --help" for the list`);
  if (!isGroup(cmd)) return cmd.run([...rest, ...top.leading], io);

  const inner = splitLeadingGlobals(rest);
  const leading = [...top.leading, ...inner.leading];
  const [subWord, ...args] = inner.rest;
  if (subWord === undefined) {
    if (leading.some((a) => HELP_FLAGS.includes(a))) return printOut(io, groupHelp(cmd));
    throw new UsageError(`missing subcommand: packyard ${cmd.name} <${cmd.subcommands.map((s) => s.name).join('|')}>`);
  }
  const sub = cmd.subcommands.find((s) => s.name === subWord);
  if (!sub) throw new UsageError(`unknown subcommand ${JSON.stringify(`${cmd.name} ${subWord}`)}; run "packyard ${cmd.name} --help" for the list`);
  return sub.run([...args, ...leading], io);
}

/** The whole CLI as a function: tests call it in-process with captured streams. Never throws. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr.write(`packyard: ${e.message} (${e.code})\n`);
      if (e instanceof UsageError && e.command) io.stderr.write(`run "packyard ${e.command} --help" for usage\n`);
      return e.exitCode;
    }
    io.stderr.write(`packyard: ${errorMessage(e)} (INTERNAL)\n`);
    return EXIT.FAILURE;
  }
}

/** Entry point for the bin launcher and `tsx cli/main.ts`. */
export async function main(): Promise<void> {
  process.exitCode = await run(process.argv.slice(2), processIo());
}

if (require.main === module) void main();
