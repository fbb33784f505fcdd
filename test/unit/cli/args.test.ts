import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { splitLeadingGlobals } from '../../../cli/args';
import { resolveConfig } from '../../../cli/config';
import { parseExpires, parseGrants } from '../../../cli/commands/token';
import { run } from '../../../cli/main';
import { VERSION } from '../../../cli/version';
import { captureIo } from './support/capture-io';

const ROOT = path.resolve(__dirname, '../../..');

/** A port nothing listens on: a request that should not have been sent fails with exit 1, not 2. */
let closedUrl = '';
beforeAll(async () => {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  await new Promise((resolve) => s.close(resolve));
});

async function cli(argv: string[], env?: Record<string, string>) {
  const c = captureIo({ env: env ?? { PACKYARD_TOKEN: 'pky_x', PACKYARD_URL: closedUrl }, cwd: ROOT });
  const code = await run(argv, c.io);
  return { code, out: c.stdout.text, err: c.stderr.text };
}

describe('usage errors exit 2 with "packyard: <message> (<code>)" and send nothing', () => {
  it.each([
    [['frob'], 'unknown command "frob"', 'USAGE'],
    [['push'], 'missing argument', 'USAGE'],
    [['push', 'acme/tools/debian/bookworm'], 'missing argument', 'USAGE'],
    [['push', 'acme/tools', 'x.deb'], 'the target must be <owner>/<repo>/<distro>/<release>', 'USAGE'],
    [['push', 'Acme/tools/debian/bookworm', 'package.json'], 'repository name must be', 'INVALID_REPO_NAME'],
    [['push', 'acme/tools/Debian/bookworm', 'package.json'], 'distribution must look like', 'INVALID_DISTRIBUTION'],
    [['push', 'acme/tools/debian/bookworm', 'package.json', '--concurrency', '0'], '--concurrency must be an integer from 1 to 64', 'USAGE'],
    [['push', 'acme/tools/debian/bookworm', 'package.json', '--concurrency', 'x'], '--concurrency must be an integer', 'USAGE'],
    [['push', 'acme/tools/debian/bookworm', 'no-such.deb'], 'no such file: no-such.deb', 'FILE_NOT_FOUND'],
    [['push', 'acme/tools/debian/bookworm', '*.nothing'], 'no files match *.nothing', 'NO_MATCH'],
    [['push', 'acme/tools/debian/bookworm', 'package.json', '--bogus'], "Unknown option '--bogus'", 'USAGE'],
    [['push', 'acme/tools/debian/bookworm', 'package.json', '--url'], "Option '--url <value>' argument missing", 'USAGE'],
    [['repo'], 'missing subcommand: packyard repo <create|list|show|delete|rotate-key>', 'USAGE'],
    [['repo', 'rename'], 'unknown subcommand "repo rename"', 'USAGE'],
    [['repo', 'create'], 'missing argument', 'USAGE'],
    [['repo', 'create', 'acme'], 'repository name must be', 'INVALID_REPO_NAME'],
    [['repo', 'create', 'acme/tools', 'extra'], 'unexpected argument "extra"', 'USAGE'],
    [['repo', 'create', 'acme/tools', '--key-type', 'dsa'], '--key-type must be rsa4096 or ed25519', 'USAGE'],
    [['repo', 'list', 'acme/tools'], 'unexpected argument', 'USAGE'],
    [['token', 'create'], '--name is required', 'USAGE'],
    [['token', 'create', '--name', 'ci', '--grant', 'acme/tools'], '--grant must look like owner/repo:read,push', 'USAGE'],
    [['token', 'create', '--name', 'ci', '--grant', 'acme/tools:write'], '--grant permissions must be a comma list', 'USAGE'],
    [['token', 'create', '--name', 'ci', '--expires', 'soon'], '--expires must be a duration', 'USAGE'],
    [['token', 'create', '--name', 'ci', '--expires', '2001-01-01'], '--expires must be in the future', 'USAGE'],
    [['token', 'revoke'], 'missing argument', 'USAGE'],
    [['--url', 'ftp://x', 'repo', 'list'], 'the registry URL must be http(s)', 'INVALID_URL'],
    [['--nope'], 'missing command', 'USAGE'],
  ])('%j', async (argv, message, code) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(message);
    expect(r.err.split('\n')[0]).toMatch(new RegExp(`^packyard: .+ \\(${code}\\)$`));
  });

  it('requires a token for every command, naming the variable', async () => {
    for (const argv of [['repo', 'list'], ['token', 'list'], ['push', 'acme/tools/debian/bookworm', 'package.json']]) {
      const r = await cli(argv, {});
      expect(r).toEqual({ code: 2, out: '', err: 'packyard: no API token: set PACKYARD_TOKEN or pass --token (NO_TOKEN)\n' });
    }
  });

  it('shows the usage hint for the command that was misused', async () => {
    const r = await cli(['repo', 'delete']);
    expect(r.err).toContain('run "packyard repo delete --help" for usage');
  });

  it('prints the main help on stderr with exit 2 when called without arguments', async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Usage: packyard <command>');
  });
});

describe('a failure after the arguments were accepted exits 1', () => {
  it('reports an unreachable registry', async () => {
    const r = await cli(['repo', 'list']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`packyard: cannot reach ${closedUrl}: connect ECONNREFUSED ${closedUrl.slice(7)} (NETWORK_ERROR)\n`);
  });
});

describe('help and version need no token and exit 0', () => {
  it.each([
    [['--help'], 'Usage: packyard <command>'],
    [['-h'], 'push            upload package files'],
    [['help'], 'PACKYARD_TOKEN'],
    [['help', 'push'], 'Usage: packyard push <owner>/<repo>/<distro>/<release>'],
    [['help', 'repo', 'create'], '--key-type T'],
    [['push', '--help'], '--concurrency N'],
    [['push', 'acme/tools/debian/bookworm', '--help'], '--no-wait'],
    [['repo', '--help'], 'Usage: packyard repo <create|list|show|delete|rotate-key>'],
    [['repo', 'create', '--help'], '--private'],
    [['repo', 'delete', '-h'], '--force'],
    [['token', 'create', '--help'], 'shown only this once'],
    [['token', '--help'], 'revoke'],
    [['--version'], `packyard ${VERSION}\n`],
  ])('%j', async (argv, expected) => {
    const r = await cli(argv, {});
    expect(r.code).toBe(0);
    expect(r.out).toContain(expected);
    expect(r.err).toBe('');
  });

  it('the bin launcher runs the TypeScript CLI through tsx', () => {
    const out = execFileSync(process.execPath, [path.join(ROOT, 'cli/bin/packyard.js'), '--version'], { encoding: 'utf8' });
    expect(out).toBe(`packyard ${VERSION}\n`);
  });
});

describe('argument helpers', () => {
  it('moves global flags given before the command word', () => {
    expect(splitLeadingGlobals(['--url', 'http://x', '--json', 'repo', 'list', '--token', 't'])).toEqual({
      leading: ['--url', 'http://x', '--json'],
      rest: ['repo', 'list', '--token', 't'],
    });
    expect(splitLeadingGlobals(['--url=http://x', 'push'])).toEqual({ leading: ['--url=http://x'], rest: ['push'] });
  });

  it('resolves config: flags over environment over defaults', () => {
    expect(resolveConfig({}, { PACKYARD_TOKEN: 't' })).toEqual({ url: 'http://127.0.0.1:8080', token: 't' });
    expect(resolveConfig({}, { PACKYARD_TOKEN: 't', PACKYARD_URL: 'https://pkgs.example.com/' })).toEqual({ url: 'https://pkgs.example.com', token: 't' });
    expect(resolveConfig({ url: 'http://h:1/base/', token: 'f' }, { PACKYARD_TOKEN: 't', PACKYARD_URL: 'http://e' })).toEqual({ url: 'http://h:1/base', token: 'f' });
  });

  it('parses grants, merging repeats and allowing owner/*', () => {
    expect(parseGrants(['acme/tools:read,push', 'acme/*:read', 'acme/tools:push,yank'])).toEqual({
      'acme/tools': ['read', 'push', 'yank'],
      'acme/*': ['read'],
    });
    expect(parseGrants([])).toEqual({});
  });

  it('parses expiry durations and dates', () => {
    const now = Date.parse('2024-05-01T00:00:00Z');
    expect(parseExpires('30d', now)).toBe('2024-05-31T00:00:00.000Z');
    expect(parseExpires('12h', now)).toBe('2024-05-01T12:00:00.000Z');
    expect(parseExpires('2w', now)).toBe('2024-05-15T00:00:00.000Z');
    expect(parseExpires('2025-01-01', now)).toBe('2025-01-01T00:00:00.000Z');
    expect(parseExpires('2025-01-01T10:00:00+02:00', now)).toBe('2025-01-01T08:00:00.000Z');
    expect(() => parseExpires('0d', now)).toThrow('in the future');
  });
});
