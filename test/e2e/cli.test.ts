import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { run as runCli } from '../../cli/main';
import { captureIo } from '../unit/cli/support/capture-io';
import { buildDeb } from '../support/debs';
import { run } from '../support/exec';
import { AptClient } from './support/apt';
import { startHarness, type Harness } from './support/registry';

let h: Harness;
let dir: string;

beforeAll(async () => {
  h = await startHarness();
  dir = join(h.tmp, 'cli');
  await fsp.mkdir(dir);
});
afterAll(async () => h?.close());

/** The CLI in-process, exactly as the bin runs it, against the real local registry. */
async function packyard(...argv: string[]) {
  const { io, stdout, stderr } = captureIo({ env: { PACKYARD_URL: h.url, PACKYARD_TOKEN: h.admin }, cwd: dir });
  const code = await runCli(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

interface PushResult {
  file: string;
  status: string;
  package?: { name: string; version: string; blobKey: string; size: number };
  error?: { code: string };
}

describe('packyard CLI against the local registry', () => {
  beforeAll(async () => {
    const created = await packyard('repo', 'create', 'acme/cli', '--key-type', 'ed25519', '--json');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'acme/cli', visibility: 'public' });
  });

  it('pushes a glob of .debs in parallel, and apt-get installs them', async () => {
    await buildDeb(dir, { name: 'cli-one', version: '1.0-1' });
    await buildDeb(dir, { name: 'cli-two', version: '2.0-1', arch: 'all' });
    const res = await packyard('push', 'acme/cli/debian/bookworm', '*.deb', '--json');
    expect(res.code).toBe(0);
    const results = JSON.parse(res.stdout) as PushResult[];
    expect(results.map((r) => [r.status, r.package?.name]).sort()).toEqual([
      ['accepted', 'cli-one'],
      ['accepted', 'cli-two'],
    ]);
    await h.registry.idle();
    const apt = await AptClient.create(join(h.tmp, 'apt-cli'));
    const key = await (await fetch(`${h.url}/acme/cli/gpgkey`)).text();
    await apt.setSource(`deb [signed-by={key}] ${h.url}/acme/cli/debian bookworm main`, key);
    expect((await apt.update()).code).toBe(0);
    expect((await apt.install('cli-one', 'cli-two')).code).toBe(0);
  });

  it('exits 1 and names the reason when a file is rejected', async () => {
    const bad = join(dir, 'broken.deb');
    const good = await fsp.readFile(await buildDeb(join(h.tmp), { name: 'cut-short', version: '1' }));
    await fsp.writeFile(bad, good.subarray(0, good.length - 100));
    const res = await packyard('push', 'acme/cli/debian/bookworm', bad);
    expect(res.code).toBe(1);
    expect(res.stdout + res.stderr).toMatch(/rejected broken\.deb: DEB_/);
    const dup = await packyard('push', 'acme/cli/debian/bookworm', join(dir, 'cli-one_1.0-1_amd64.deb'));
    expect(dup.code).toBe(1);
    expect(dup.stdout + dup.stderr).toMatch(/PACKAGE_EXISTS/);
  });

  it('pushes a file larger than the multipart threshold through S3 multipart', async () => {
    // Random content does not compress, so the .deb really is over 64 MiB.
    const big = await buildDeb(join(dir), { name: 'big-blob', version: '1.0', files: { 'opt/big/blob': randomBytes(66 * 1024 * 1024).toString('latin1') } });
    const size = (await fsp.stat(big)).size;
    expect(size).toBeGreaterThan(64 * 1024 * 1024);
    const res = await packyard('push', 'acme/cli/debian/bookworm', big, '--json');
    expect(res.code).toBe(0);
    const [result] = JSON.parse(res.stdout) as PushResult[];
    expect(result.package?.size).toBe(size);
    const served = await fetch(`${h.url}/${result.package!.blobKey}`, { method: 'HEAD' });
    expect(Number(served.headers.get('content-length'))).toBe(size);
  }, 300_000);

  it('manages tokens and repositories', async () => {
    const t = await packyard('token', 'create', '--name', 'ci', '--grant', 'acme/cli:read,push', '--json');
    expect(t.code).toBe(0);
    const token = JSON.parse(t.stdout) as { token: string; id: string };
    expect(token.token).toMatch(/^pky_/);
    const list = await packyard('token', 'list', '--json');
    expect(list.stdout).toContain(token.id);
    expect(list.stdout).not.toContain(token.token);
    expect((await packyard('token', 'revoke', token.id)).code).toBe(0);
    const repos = await packyard('repo', 'list');
    expect(repos.stdout).toMatch(/acme\/cli\s+public\s+3/);
  });

  it('manages master and read tokens', async () => {
    const created = await packyard('master-token', 'create', 'acme/cli', '--name', 'fleet', '--json');
    expect(created.code).toBe(0);
    const master = JSON.parse(created.stdout) as { token: string; id: string };
    const mint = await fetch(`${h.url}/install/repositories/acme/cli/tokens.text`, {
      method: 'POST',
      headers: { authorization: 'Basic ' + Buffer.from(`${master.token}:`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=web-01',
    });
    expect(mint.status).toBe(201);
    const masters = await packyard('master-token', 'list', 'acme/cli');
    expect(masters.stdout).toMatch(new RegExp(`${master.id}\\s+fleet\\s+active`));
    const reads = await packyard('read-token', 'list', 'acme/cli', master.id, '--json');
    const [read] = JSON.parse(reads.stdout) as { id: string; name: string }[];
    expect(read.name).toBe('web-01');
    expect((await packyard('read-token', 'revoke', 'acme/cli', read.id)).code).toBe(0);
    expect((await packyard('read-token', 'list', 'acme/cli', master.id)).stdout).toMatch(/web-01\s+revoked/);
    expect((await packyard('master-token', 'revoke', 'acme/cli', master.id)).code).toBe(0);
    expect((await packyard('master-token', 'list', 'acme/cli')).stdout).toMatch(new RegExp(`${master.id}\\s+fleet\\s+revoked`));
    expect((await packyard('read-token', 'revoke', 'acme/cli')).code).toBe(2);
  });

  it('runs as an installed bin', async () => {
    const res = await run(process.execPath, [join(__dirname, '../../cli/bin/packyard.js'), 'repo', 'show', 'acme/cli', '--json'], {
      env: { ...process.env, PACKYARD_URL: h.url, PACKYARD_TOKEN: h.admin },
    });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ name: 'acme/cli' });
  });
});
