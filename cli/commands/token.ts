import { PERMISSIONS, type Permission } from '../../shared/domain/token';
import { ApiClient, seg } from '../api-client';
import type { CreateTokenBody, TokenView } from '../api-types';
import { expectPositionals, parseCommandArgs, parseRepoArg } from '../args';
import { GLOBAL_OPTIONS_HELP, printOut, type Command, type CommandGroup } from '../command';
import { resolveConfig } from '../config';
import { UsageError } from '../errors';
import { printJson } from '../io';
import { renderTable, shortDate } from '../text';

/** `acme/tools:read,push` (or `acme/*:read`), repeatable; grants for the same repository merge. */
export function parseGrants(values: string[]): Record<string, Permission[]> {
  const grants: Record<string, Permission[]> = {};
  for (const value of values) {
    const colon = value.lastIndexOf(':');
    if (colon < 0) throw new UsageError(`--grant must look like owner/repo:read,push (got ${JSON.stringify(value)})`, 'USAGE', 'token create');
    const repoPart = value.slice(0, colon);
    const [owner, rest] = repoPart.split('/');
    const repo = rest === '*' ? `${parseRepoArg('token create', `${owner}/x`).owner}/*` : parseRepoArg('token create', repoPart).name;
    const perms = value.slice(colon + 1).split(',').map((p) => p.trim()).filter(Boolean);
    const bad = perms.find((p) => !PERMISSIONS.includes(p as Permission));
    if (perms.length === 0 || bad !== undefined) {
      throw new UsageError(`--grant permissions must be a comma list of ${PERMISSIONS.join(', ')} (got ${JSON.stringify(value)})`, 'USAGE', 'token create');
    }
    grants[repo] = [...new Set([...(grants[repo] ?? []), ...(perms as Permission[])])];
  }
  return grants;
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `30d`, `12h`, `2w` from now, or an ISO date; always in the future. */
export function parseExpires(value: string, now = Date.now()): string {
  const rel = /^(\d+)([hdw])$/.exec(value.trim());
  const at = rel ? now + Number(rel[1]) * UNIT_MS[rel[2]] : /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(at)) throw new UsageError(`--expires must be a duration like 30d, 12h, 2w or an ISO date (got ${JSON.stringify(value)})`, 'USAGE', 'token create');
  if (at <= now) throw new UsageError(`--expires must be in the future (got ${JSON.stringify(value)})`, 'USAGE', 'token create');
  return new Date(at).toISOString();
}

function access(t: TokenView): string {
  if (t.admin) return 'admin';
  const grants = Object.entries(t.grants ?? {}).map(([repo, perms]) => `${repo}:${perms.join(',')}`);
  return grants.length ? grants.join(' ') : '-';
}

function tokenStatus(t: TokenView, now = Date.now()): string {
  if (t.revoked) return 'revoked';
  if (t.expiresAt && Date.parse(t.expiresAt) <= now) return 'expired';
  return 'active';
}

const create: Command = {
  name: 'create',
  summary: 'mint an API token (the secret is shown once)',
  help: `Usage: packyard token create --name N [--grant owner/repo:read,push]... [--admin] [--expires 30d|ISO date]

Prints the new token's secret on stdout. It is shown only this once: store it right away.

Options:
  --name N          what the token is for, e.g. "ci-acme-tools"
  --grant G         owner/repo:perm,perm (or owner/*:perm); perms: ${PERMISSIONS.join(', ')}; repeatable
  --admin           every permission on every repository, and token management
  --expires E       a duration (12h, 30d, 2w) or an ISO date; default: never
${GLOBAL_OPTIONS_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('token create', args, {
      name: { type: 'string' },
      grant: { type: 'string', multiple: true },
      admin: { type: 'boolean' },
      expires: { type: 'string' },
    });
    if (values.help) return printOut(io, create.help);
    expectPositionals('token create', positionals, 0, 0, 'packyard token create --name N');
    const name = values.name?.trim();
    if (!name) throw new UsageError('--name is required', 'USAGE', 'token create');
    const body: CreateTokenBody = { name, grants: parseGrants(values.grant ?? []), admin: values.admin === true };
    if (values.expires !== undefined) body.expiresAt = parseExpires(values.expires);
    const config = resolveConfig(values, io.env);
    const created = await new ApiClient(config).post<TokenView & { token: string }>('/api/v1/tokens', body);
    const warning = 'warning: this is the only time the token is shown; store it now (e.g. as a CI secret)\n';
    if (values.json) printJson(io.stdout, created);
    else {
      io.stderr.write(`created token ${JSON.stringify(created.name)} (${created.id})\n`);
      io.stdout.write(created.token + '\n');
    }
    io.stderr.write(warning);
    return 0;
  },
};

const list: Command = {
  name: 'list',
  summary: 'list API tokens (never their secrets)',
  help: `Usage: packyard token list [--json]

Options:
${GLOBAL_OPTIONS_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('token list', args, {});
    if (values.help) return printOut(io, list.help);
    expectPositionals('token list', positionals, 0, 0, 'packyard token list');
    const config = resolveConfig(values, io.env);
    const { tokens } = await new ApiClient(config).get<{ tokens: TokenView[] }>('/api/v1/tokens');
    if (values.json) printJson(io.stdout, tokens);
    else if (tokens.length === 0) io.stdout.write('no tokens\n');
    else {
      const rows = tokens.map((t) => [t.id, t.name, access(t), shortDate(t.expiresAt), tokenStatus(t), shortDate(t.createdAt)]);
      io.stdout.write(renderTable(['id', 'name', 'access', 'expires', 'status', 'created'], rows));
    }
    return 0;
  },
};

const revoke: Command = {
  name: 'revoke',
  summary: 'revoke an API token',
  help: `Usage: packyard token revoke <id>

Options:
${GLOBAL_OPTIONS_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('token revoke', args, {});
    if (values.help) return printOut(io, revoke.help);
    expectPositionals('token revoke', positionals, 1, 1, 'packyard token revoke <id>');
    const id = positionals[0];
    const config = resolveConfig(values, io.env);
    await new ApiClient(config).delete(`/api/v1/tokens/${seg(id)}`);
    if (values.json) printJson(io.stdout, { revoked: id });
    else io.stdout.write(`revoked ${id}\n`);
    return 0;
  },
};

export const tokenGroup: CommandGroup = { name: 'token', summary: 'create, list and revoke API tokens', subcommands: [create, list, revoke] };
