import { ApiClient, seg } from '../api-client';
import type { RepoView } from '../api-types';
import { expectPositionals, parseCommandArgs, parseRepoArg } from '../args';
import { GLOBAL_OPTIONS_HELP, printOut, type Command, type CommandGroup } from '../command';
import { resolveConfig } from '../config';
import { UsageError } from '../errors';
import { printJson } from '../io';
import { renderTable, shortDate } from '../text';

const KEY_TYPES = ['rsa4096', 'ed25519'] as const;

/** How a user points apt at the repository; `<codename>` is theirs to fill in. */
export function aptHints(baseUrl: string, repo: Pick<RepoView, 'name' | 'visibility'>): string[] {
  const [owner, name] = repo.name.split('/');
  const lines = [
    `key URL:     ${baseUrl}/${owner}/${name}/gpgkey`,
    `apt source:  deb [signed-by=/etc/apt/keyrings/${owner}-${name}.asc] ${baseUrl}/${owner}/${name}/debian <codename> main`,
  ];
  if (repo.visibility === 'private') lines.push('private:     apt needs a read token, e.g. http://TOKEN:@host/... or an auth.conf.d entry');
  return lines;
}

function describeRepo(baseUrl: string, repo: RepoView): string {
  const lines = [`name:        ${repo.name}`, `visibility:  ${repo.visibility}`];
  if (repo.description) lines.push(`description: ${repo.description}`);
  if (repo.packageCount !== undefined) lines.push(`packages:    ${repo.packageCount}`);
  if (repo.createdAt) lines.push(`created:     ${repo.createdAt}`);
  if (repo.signingKeyFingerprint) lines.push(`signing key: ${repo.signingKeyFingerprint}${repo.signingKeyType ? ` (${repo.signingKeyType})` : ''}`);
  return [...lines, ...aptHints(baseUrl, repo)].join('\n') + '\n';
}

const repoPath = (r: { owner: string; repo: string }) => `/api/v1/repos/${seg(r.owner)}/${seg(r.repo)}`;

const create: Command = {
  name: 'create',
  summary: 'create a repository',
  help: `Usage: packyard repo create <owner>/<repo> [--private] [--description D] [--key-type rsa4096|ed25519]

Creates the repository with its own signing key (RSA 4096 by default: every apt and dnf accepts it).

Options:
  --private         only tokens with read access can download (default: public)
  --description D   a short description
  --key-type T      rsa4096 (default) or ed25519
${GLOBAL_OPTIONS_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('repo create', args, {
      private: { type: 'boolean' },
      description: { type: 'string' },
      'key-type': { type: 'string' },
    });
    if (values.help) return printOut(io, create.help);
    expectPositionals('repo create', positionals, 1, 1, 'packyard repo create <owner>/<repo>');
    const target = parseRepoArg('repo create', positionals[0]);
    const keyType = values['key-type'];
    if (keyType !== undefined && !(KEY_TYPES as readonly string[]).includes(keyType)) {
      throw new UsageError(`--key-type must be ${KEY_TYPES.join(' or ')} (got ${JSON.stringify(keyType)})`, 'USAGE', 'repo create');
    }
    const config = resolveConfig(values, io.env);
    const body = {
      name: target.name,
      visibility: values.private ? 'private' : 'public',
      ...(values.description !== undefined ? { description: values.description } : {}),
      ...(keyType !== undefined ? { signingKey: keyType } : {}),
    };
    const repo = await new ApiClient(config).post<RepoView & { masterToken?: { token: string } }>('/api/v1/repos', body);
    if (values.json) printJson(io.stdout, repo);
    else {
      io.stdout.write(`created ${repo.name}\n` + describeRepo(config.url, repo));
      if (repo.masterToken) {
        io.stdout.write(`master token: ${repo.masterToken.token}\n  (shown once: it mints read tokens for machines, e.g. via ${config.url}/install/repositories/${repo.name}/script.deb.sh)\n`);
      }
    }
    return 0;
  },
};

const list: Command = {
  name: 'list',
  summary: 'list the repositories the token can read',
  help: `Usage: packyard repo list [--json]

Options:
${GLOBAL_OPTIONS_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('repo list', args, {});
    if (values.help) return printOut(io, list.help);
    expectPositionals('repo list', positionals, 0, 0, 'packyard repo list');
    const config = resolveConfig(values, io.env);
    const { repos } = await new ApiClient(config).get<{ repos: RepoView[] }>('/api/v1/repos');
    if (values.json) printJson(io.stdout, repos);
    else if (repos.length === 0) io.stdout.write('no repositories\n');
    else {
      const rows = repos.map((r) => [r.name, r.visibility, String(r.packageCount ?? '-'), shortDate(r.createdAt)]);
      io.stdout.write(renderTable(['name', 'visibility', 'packages', 'created'], rows));
    }
    return 0;
  },
};

const show: Command = {
  name: 'show',
  summary: 'show a repository and how to use it',
  help: `Usage: packyard repo show <owner>/<repo> [--json]

Options:
${GLOBAL_OPTIONS_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('repo show', args, {});
    if (values.help) return printOut(io, show.help);
    expectPositionals('repo show', positionals, 1, 1, 'packyard repo show <owner>/<repo>');
    const target = parseRepoArg('repo show', positionals[0]);
    const config = resolveConfig(values, io.env);
    const repo = await new ApiClient(config).get<RepoView>(repoPath(target));
    if (values.json) printJson(io.stdout, repo);
    else io.stdout.write(describeRepo(config.url, repo));
    return 0;
  },
};

const remove: Command = {
  name: 'delete',
  summary: 'delete a repository',
  help: `Usage: packyard repo delete <owner>/<repo> [--force]

The registry refuses to delete a repository that still holds packages unless --force is given.

Options:
  --force           delete the repository with all its packages
${GLOBAL_OPTIONS_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('repo delete', args, { force: { type: 'boolean' } });
    if (values.help) return printOut(io, remove.help);
    expectPositionals('repo delete', positionals, 1, 1, 'packyard repo delete <owner>/<repo> [--force]');
    const target = parseRepoArg('repo delete', positionals[0]);
    const config = resolveConfig(values, io.env);
    await new ApiClient(config).delete(repoPath(target) + (values.force ? '?force=true' : ''));
    if (values.json) printJson(io.stdout, { deleted: target.name });
    else io.stdout.write(`deleted ${target.name}\n`);
    return 0;
  },
};

interface SigningKeyView {
  fingerprint: string;
  algorithm: string;
  createdAt: string;
  retiresAt?: string;
  active: boolean;
}

const describeKey = (label: string, k: SigningKeyView) =>
  `${label} ${k.fingerprint} (${k.algorithm}, created ${k.createdAt}${k.retiresAt ? `, ${k.active ? 'signs until' : 'retired'} ${k.retiresAt}` : ''})\n`;

const rotateKey: Command = {
  name: 'rotate-key',
  summary: "replace a repository's signing key, with an overlap period",
  help: `Usage: packyard repo rotate-key <owner>/<repo> [--overlap-days N] [--key-type rsa4096|ed25519]
       packyard repo rotate-key <owner>/<repo> --retire-previous
       packyard repo rotate-key <owner>/<repo> --show

Makes a new OpenPGP key the repository's signing key. For the overlap (30 days by default) the old key keeps
signing beside it and /<owner>/<repo>/gpgkey serves both public keys, so machines that pinned the old key keep
working while they fetch the new one. --retire-previous ends the overlap now. Every index is re-signed.

Options:
  --overlap-days N     days the old key keeps signing (0 to 365; default 30)
  --key-type T         rsa4096 or ed25519 (default: the current key's type)
  --retire-previous    stop signing with the rotated-out key now
  --show               show the current and the rotated-out key
${GLOBAL_OPTIONS_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('repo rotate-key', args, {
      'overlap-days': { type: 'string' },
      'key-type': { type: 'string' },
      'retire-previous': { type: 'boolean' },
      show: { type: 'boolean' },
    });
    if (values.help) return printOut(io, rotateKey.help);
    expectPositionals('repo rotate-key', positionals, 1, 1, 'packyard repo rotate-key <owner>/<repo>');
    const target = parseRepoArg('repo rotate-key', positionals[0]);
    const config = resolveConfig(values, io.env);
    const client = new ApiClient(config);
    if (values.show) {
      const keys = await client.get<{ current: SigningKeyView; previous?: SigningKeyView }>(`${repoPath(target)}/signing-keys`);
      if (values.json) printJson(io.stdout, keys);
      else io.stdout.write(describeKey('current: ', keys.current) + (keys.previous ? describeKey('previous:', keys.previous) : ''));
      return 0;
    }
    if (values['retire-previous']) {
      await client.delete(`${repoPath(target)}/signing-keys/previous`);
      if (values.json) printJson(io.stdout, { retired: true });
      else io.stdout.write(`the rotated-out key of ${target.name} no longer signs\n`);
      return 0;
    }
    const keyType = values['key-type'];
    if (keyType !== undefined && !(KEY_TYPES as readonly string[]).includes(keyType)) {
      throw new UsageError(`--key-type must be ${KEY_TYPES.join(' or ')} (got ${JSON.stringify(keyType)})`, 'USAGE', 'repo rotate-key');
    }
    const overlap = values['overlap-days'];
    if (overlap !== undefined && !/^\d+$/.test(overlap)) {
      throw new UsageError(`--overlap-days must be a whole number (got ${JSON.stringify(overlap)})`, 'USAGE', 'repo rotate-key');
    }
    const body = { ...(overlap !== undefined ? { overlapDays: Number(overlap) } : {}), ...(keyType ? { signingKey: keyType } : {}) };
    const keys = await client.post<{ current: SigningKeyView; previous: SigningKeyView }>(`${repoPath(target)}/signing-keys/rotate`, body);
    if (values.json) printJson(io.stdout, keys);
    else {
      io.stdout.write(`rotated the signing key of ${target.name}\n` + describeKey('current: ', keys.current) + describeKey('previous:', keys.previous));
      io.stdout.write(`machines fetch the new key from ${config.url}/${target.name}/gpgkey\n`);
    }
    return 0;
  },
};

export const repoGroup: CommandGroup = {
  name: 'repo',
  summary: 'create, list, show and delete repositories; rotate their signing keys',
  subcommands: [create, list, show, remove, rotateKey],
};
