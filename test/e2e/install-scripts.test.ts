import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { buildDeb } from '../support/debs';
import { run } from '../support/exec';
import { buildRpm } from '../support/rpms';
import { AptClient } from './support/apt';
import { DnfClient } from './support/dnf';
import { startHarness, type Harness } from './support/registry';

let h: Harness;
let debs: string;
const masters: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness();
  debs = join(h.tmp, 'debs');
  await fsp.mkdir(debs);
  for (const [name, visibility] of [['acme/private-tools', 'private'], ['acme/public-tools', 'public']] as const) {
    const res = await h.api.call<{ masterToken: { token: string } }>('POST', '/api/v1/repos', { name, visibility, signingKey: 'ed25519' });
    expect(res.status).toBe(201);
    masters[name] = res.body.masterToken.token;
    expect((await h.api.pushDirect(name, 'debian/bookworm', await buildDeb(debs, { name: 'scripted', version: '1.2-1' }))).status).toBe(201);
  }
  await h.registry.idle();
});
afterAll(async () => h?.close());

/** A machine: its root (where the script writes /etc), with apt pointed at that root's /etc/apt. */
async function machine(name: string, osRelease: string) {
  const root = join(h.tmp, 'machines', name);
  const apt = await AptClient.create(join(root, 'etc/apt'));
  await fsp.writeFile(join(root, 'etc/os-release'), osRelease);
  return { root, apt };
}

async function runScript(url: string, root: string, auth?: string) {
  const fetched = await run('curl', ['-fsSL', ...(auth ? ['-u', `${auth}:`] : []), url]);
  expect(fetched.code).toBe(0);
  await fsp.writeFile(join(root, 'install.sh'), fetched.stdout);
  return run('sh', [join(root, 'install.sh')], { env: { ...process.env, PACKYARD_ROOT: root, PACKYARD_SKIP_UPDATE: '1' } });
}

describe('script.deb.sh', () => {
  it('configures a Debian machine for a private repository with its own read token', async () => {
    const { root, apt } = await machine('bookworm', 'ID=debian\nVERSION_CODENAME=bookworm\n');
    const res = await runScript(`${h.url}/install/repositories/acme/private-tools/script.deb.sh`, root, masters['acme/private-tools']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/configured for debian\/bookworm/);

    const list = await fsp.readFile(join(root, 'etc/apt/sources.list.d/acme-private-tools.list'), 'utf8');
    expect(list).toBe(`deb [signed-by=${root}/etc/apt/keyrings/acme-private-tools.asc] ${h.url}/acme/private-tools/debian bookworm main\n`);
    const authFile = join(root, 'etc/apt/auth.conf.d/acme-private-tools.conf');
    expect((await fsp.stat(authFile)).mode & 0o777).toBe(0o600);
    const authConf = await fsp.readFile(authFile, 'utf8');
    expect(authConf).toMatch(/^machine http:\/\/127\.0\.0\.1:\d+\/acme\/private-tools login pky_\S+ password $/m);
    expect(authConf).not.toContain(masters['acme/private-tools']);

    expect((await apt.update()).code).toBe(0);
    expect(await apt.candidate('scripted')).toBe('1.2-1');
    expect((await apt.install('scripted')).code).toBe(0);
  });

  it('falls back to any/any on an unknown distribution, and needs no token for a public repository', async () => {
    const { root, apt } = await machine('unknown', 'ID=plan9\n');
    await h.api.pushDirect('acme/public-tools', 'any/any', await buildDeb(debs, { name: 'anywhere', version: '1' }));
    await h.registry.idle();
    const res = await runScript(`${h.url}/acme/public-tools/script.deb.sh`, root);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/configured for any\/any/);
    expect((await apt.update()).code).toBe(0);
    expect(await apt.candidate('anywhere')).toBe('1');
  });

  it('is refused for a private repository without its master token', async () => {
    const url = `${h.url}/install/repositories/acme/private-tools/script.deb.sh`;
    const anon = await fetch(url);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic/);
    const other = await fetch(url, { headers: { authorization: 'Basic ' + Buffer.from(`${masters['acme/public-tools']}:`).toString('base64') } });
    expect(other.status).toBe(403);
  });
});

describe('script.rpm.sh', () => {
  it('configures an EL 9 machine for a private repository, and dnf installs from it', async () => {
    const rpmDir = join(h.tmp, 'rpms');
    await fsp.mkdir(rpmDir);
    const rpm = await buildRpm(rpmDir, { name: 'scripted-rpm', version: '2.0', arch: 'noarch', files: { '/usr/share/scripted/hello': 'hi\n' } });
    expect((await h.api.pushDirect('acme/private-tools', 'el/9', rpm)).status).toBe(201);
    await h.registry.idle();

    const root = join(h.tmp, 'machines', 'rocky9');
    await fsp.mkdir(join(root, 'etc'), { recursive: true });
    await fsp.writeFile(join(root, 'etc/os-release'), 'ID="rocky"\nVERSION_ID="9.3"\n');
    const res = await runScript(`${h.url}/acme/private-tools/script.rpm.sh`, root, masters['acme/private-tools']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/configured for el\/9/);
    const repoFile = join(root, 'etc/yum.repos.d/acme-private-tools.repo');
    expect((await fsp.stat(repoFile)).mode & 0o777).toBe(0o600);
    const conf = await fsp.readFile(repoFile, 'utf8');
    expect(conf).toContain(`baseurl=${h.url}/acme/private-tools/el/9/$basearch`);
    expect(conf).toMatch(/^username=pky_\S+$/m);
    expect(conf).not.toContain(masters['acme/private-tools']);

    const dnf = await DnfClient.create(join(h.tmp, 'dnf-script'));
    await fsp.copyFile(repoFile, join(dnf.dir, 'repos', 'acme-private-tools.repo'));
    const install = await dnf.install('scripted-rpm');
    expect(`${install.stdout}${install.stderr}`).not.toMatch(/error/i);
    expect(install.code).toBe(0);
    expect(await dnf.installedFile('usr/share/scripted/hello')).toBe('hi\n');
  });
});
