import { ApiClient, seg } from '../api-client';
import type { TokenView } from '../api-types';
import { expectPositionals, parseCommandArgs, parseRepoArg } from '../args';
import { GLOBAL_OPTIONS_HELP, printOut, type Command, type CommandGroup } from '../command';
import { resolveConfig } from '../config';
import { printJson } from '../io';
import { renderTable, shortDate } from '../text';

const repoBase = (name: string) => {
  const [owner, repo] = name.split('/');
  return `/api/v1/repos/${seg(owner)}/${seg(repo)}`;
};

const status = (t: TokenView) => (t.revoked ? 'revoked' : 'active');

function printTokens(io: Parameters<Command['run']>[1], json: boolean | undefined, tokens: TokenView[], empty: string): void {
  if (json) printJson(io.stdout, tokens);
  else if (tokens.length === 0) io.stdout.write(`${empty}\n`);
  else io.stdout.write(renderTable(['id', 'name', 'status', 'created'], tokens.map((t) => [t.id, t.name, status(t), shortDate(t.createdAt)])));
}

const masterCreate: Command = {
  name: 'create',
  summary: 'make a master token for a repository (shown once)',
  help: `Usage: packyard master-token create <owner>/<repo> [--name N]

A master token can only mint read tokens, one per machine (the install scripts do this).

Options:
  --name N          what it is for (default "default")
${GLOBAL_OPTIONS_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('master-token create', args, { name: { type: 'string' } });
    if (values.help) return printOut(io, masterCreate.help);
    expectPositionals('master-token create', positionals, 1, 1, 'packyard master-token create <owner>/<repo>');
    const repo = parseRepoArg('master-token create', positionals[0]);
    const config = resolveConfig(values, io.env);
    const created = await new ApiClient(config).post<TokenView & { token: string }>(`${repoBase(repo.name)}/master-tokens`, values.name ? { name: values.name } : {});
    if (values.json) printJson(io.stdout, created);
    else io.stdout.write(`created master token "${created.name}" (${created.id}) for ${repo.name}\n${created.token}\n`);
    io.stderr.write('warning: this is the only time the token is shown; store it now\n');
    return 0;
  },
};

const masterList: Command = {
  name: 'list',
  summary: "list a repository's master tokens",
  help: `Usage: packyard master-token list <owner>/<repo> [--json]

Options:
${GLOBAL_OPTIONS_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('master-token list', args, {});
    if (values.help) return printOut(io, masterList.help);
    expectPositionals('master-token list', positionals, 1, 1, 'packyard master-token list <owner>/<repo>');
    const repo = parseRepoArg('master-token list', positionals[0]);
    const { tokens } = await new ApiClient(resolveConfig(values, io.env)).get<{ tokens: TokenView[] }>(`${repoBase(repo.name)}/master-tokens`);
    printTokens(io, values.json, tokens, 'no master tokens');
    return 0;
  },
};

const masterRevoke: Command = {
  name: 'revoke',
  summary: 'revoke a master token and every read token it minted',
  help: `Usage: packyard master-token revoke <owner>/<repo> <id>

Options:
${GLOBAL_OPTIONS_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('master-token revoke', args, {});
    if (values.help) return printOut(io, masterRevoke.help);
    expectPositionals('master-token revoke', positionals, 2, 2, 'packyard master-token revoke <owner>/<repo> <id>');
    const repo = parseRepoArg('master-token revoke', positionals[0]);
    await new ApiClient(resolveConfig(values, io.env)).delete(`${repoBase(repo.name)}/master-tokens/${seg(positionals[1])}`);
    if (values.json) printJson(io.stdout, { revoked: positionals[1] });
    else io.stdout.write(`revoked ${positionals[1]} and its read tokens\n`);
    return 0;
  },
};

const readList: Command = {
  name: 'list',
  summary: 'list the read tokens a master token minted',
  help: `Usage: packyard read-token list <owner>/<repo> <master-token-id> [--json]

Options:
${GLOBAL_OPTIONS_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('read-token list', args, {});
    if (values.help) return printOut(io, readList.help);
    expectPositionals('read-token list', positionals, 2, 2, 'packyard read-token list <owner>/<repo> <master-token-id>');
    const repo = parseRepoArg('read-token list', positionals[0]);
    const { tokens } = await new ApiClient(resolveConfig(values, io.env)).get<{ tokens: TokenView[] }>(
      `${repoBase(repo.name)}/master-tokens/${seg(positionals[1])}/read-tokens`,
    );
    printTokens(io, values.json, tokens, 'no read tokens');
    return 0;
  },
};

const readRevoke: Command = {
  name: 'revoke',
  summary: "revoke one machine's read token",
  help: `Usage: packyard read-token revoke <owner>/<repo> <id>

Options:
${GLOBAL_OPTIONS_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('read-token revoke', args, {});
    if (values.help) return printOut(io, readRevoke.help);
    expectPositionals('read-token revoke', positionals, 2, 2, 'packyard read-token revoke <owner>/<repo> <id>');
    const repo = parseRepoArg('read-token revoke', positionals[0]);
    await new ApiClient(resolveConfig(values, io.env)).delete(`${repoBase(repo.name)}/read-tokens/${seg(positionals[1])}`);
    if (values.json) printJson(io.stdout, { revoked: positionals[1] });
    else io.stdout.write(`revoked ${positionals[1]}\n`);
    return 0;
  },
};

export const masterTokenGroup: CommandGroup = { name: 'master-token', summary: "manage a repository's master tokens", subcommands: [masterCreate, masterList, masterRevoke] };
export const readTokenGroup: CommandGroup = { name: 'read-token', summary: 'list and revoke per-machine read tokens', subcommands: [readList, readRevoke] };
