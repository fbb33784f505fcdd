import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { buildDeb } from '../support/debs';
import { AptClient } from './support/apt';
import { startHarness, type Harness } from './support/registry';

let h: Harness;
let debs: string;

beforeAll(async () => {
  h = await startHarness();
  debs = join(h.tmp, 'debs');
  await fsp.mkdir(debs);
});
afterAll(async () => h?.close());

const host = () => new URL(h.url).host;

async function newApt(name: string): Promise<AptClient> {
  return AptClient.create(join(h.tmp, 'apt', name));
}

async function repoKey(repo: string, token?: string): Promise<string> {
  const res = await fetch(`${h.url}/${repo}/gpgkey`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(res.status).toBe(200);
  return res.text();
}

async function push(repo: string, dist: string, file: string) {
  const res = await h.api.pushDirect(repo, dist, file);
  expect(res.status).toBe(201);
  await h.registry.idle();
  return res.body as { id: string; name: string; version: string };
}

describe('apt-get against a public repository', () => {
  const repo = 'acme/tools';
  let apt: AptClient;

  beforeAll(async () => {
    expect((await h.api.createRepo(repo)).status).toBe(201);
    apt = await newApt('public');
    await apt.setSource(`deb [signed-by={key}] ${h.url}/${repo}/debian bookworm main`, await repoKey(repo));
  });

  it('updates and installs a pushed package', async () => {
    await push(repo, 'debian/bookworm', await buildDeb(debs, { name: 'hello', version: '1.0-1', files: { 'usr/share/hello/greeting': 'hello 1.0\n' } }));
    const update = await apt.update();
    expect(update.code).toBe(0);
    expect(update.stderr).not.toMatch(/^[WE]:/m);
    expect(await apt.candidate('hello')).toBe('1.0-1');
    const install = await apt.install('hello');
    expect(install.code).toBe(0);
    expect(await apt.installedFile('usr/share/hello/greeting')).toBe('hello 1.0\n');
  });

  it('sees a second publish after apt-get update and upgrades to it', async () => {
    await push(repo, 'debian/bookworm', await buildDeb(debs, { name: 'hello', version: '1.1-1', files: { 'usr/share/hello/greeting': 'hello 1.1\n' } }));
    await push(repo, 'debian/bookworm', await buildDeb(debs, { name: 'hello-doc', version: '1.1-1', arch: 'all' }));
    expect((await apt.update()).code).toBe(0);
    expect(await apt.candidate('hello')).toBe('1.1-1');
    expect(await apt.candidate('hello-doc')).toBe('1.1-1');
    expect((await apt.install('hello', 'hello-doc')).code).toBe(0);
    expect(await apt.installedFile('usr/share/hello/greeting')).toBe('hello 1.1\n');
  });

  it('serves one .deb in debian/bookworm, any/any and a distribution added later', async () => {
    const file = await buildDeb(debs, { name: 'multi', version: '2.0-1', arch: 'arm64' });
    const first = await push(repo, 'debian/bookworm', file);
    await push(repo, 'any/any', file);
    const added = await h.api.call('POST', `/api/v1/repos/${repo}/packages/${first.id}/distributions`, { distribution: 'ubuntu/jammy' });
    expect(added.status).toBe(201);
    await h.registry.idle();

    for (const [base, suite] of [['debian', 'bookworm'], ['any', 'any'], ['ubuntu', 'jammy']]) {
      const a = await newApt(`multi-${suite}`);
      await a.setSource(`deb [arch=arm64 signed-by={key}] ${h.url}/${repo}/${base} ${suite} main`, await repoKey(repo));
      const update = await a.aptGet(['-o', 'APT::Architecture=arm64', 'update']);
      expect(update.code).toBe(0);
      const policy = await a.aptCache(['-o', 'APT::Architecture=arm64', 'policy', 'multi']);
      expect(policy.stdout).toMatch(/Candidate:\s*2\.0-1/);
    }
  });

  it('refuses a tampered Packages index and a tampered InRelease', async () => {
    const a = await newApt('tamper');
    await a.setSource(`deb [signed-by={key}] ${h.url}/${repo}/debian bookworm main`, await repoKey(repo));
    const dir = `${repo}/debian/dists/bookworm/main/binary-amd64/`;
    const store = h.registry.deps.packages;
    const files = (await store.list(dir)).filter((b) => !b.key.endsWith('.gz') && !b.key.endsWith('.xz') && !b.key.includes('/SHA512/'));
    const originals = new Map<string, Uint8Array>();
    for (const f of files) {
      const body = await store.getBytes(f.key);
      if (!Buffer.from(body).toString('utf8').includes('Package: hello')) continue;
      originals.set(f.key, body);
      const evil = Buffer.from(body).toString('utf8').replace(/^Version: 1\.1-1$/m, 'Version: 9.9-9');
      await store.put(f.key, evil, { contentType: 'text/plain' });
    }
    expect(originals.size).toBeGreaterThan(0);
    const compressed = (await store.list(dir)).filter((b) => /\.(gz|xz)$/.test(b.key) || b.key.includes('/by-hash/'));
    for (const f of compressed) if (!originals.has(f.key)) await store.delete(f.key);
    const update = await a.update();
    expect(`${update.stdout}\n${update.stderr}`).toMatch(/Hash Sum mismatch|File has unexpected size|Failed to fetch/i);
    expect(await a.candidate('hello')).not.toBe('9.9-9');

    // A forged InRelease: the signature no longer covers the text.
    const inRelease = `${repo}/debian/dists/bookworm/InRelease`;
    const signed = Buffer.from(await store.getBytes(inRelease)).toString('utf8');
    await store.put(inRelease, signed.replace(/^Suite: bookworm$/m, 'Suite: bookwarm'), { contentType: 'text/plain' });
    const b = await newApt('tamper-release');
    await b.setSource(`deb [signed-by={key}] ${h.url}/${repo}/debian bookworm main`, await repoKey(repo));
    const forged = await b.update();
    expect(`${forged.stdout}\n${forged.stderr}`).toMatch(/BADSIG|not signed|NO_PUBKEY|signature/i);
    expect(await b.candidate('hello')).toBeUndefined();

    // A rebuild repairs everything from the stored fragments.
    await h.registry.deps.queue.enqueue([{ repo, format: 'deb', scope: 'debian/bookworm' }]);
    await h.registry.idle();
    const healed = await newApt('healed');
    await healed.setSource(`deb [signed-by={key}] ${h.url}/${repo}/debian bookworm main`, await repoKey(repo));
    expect((await healed.update()).code).toBe(0);
    expect(await healed.candidate('hello')).toBe('1.1-1');
  });
});

describe('apt-get against a private repository', () => {
  const repo = 'acme/secret';
  let reader: string;

  beforeAll(async () => {
    expect((await h.api.createRepo(repo, 'private')).status).toBe(201);
    const t = await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'ci-reader', grants: { [repo]: ['read'] } });
    expect(t.status).toBe(201);
    reader = t.body.token;
    await push(repo, 'debian/bookworm', await buildDeb(debs, { name: 'secret-tool', version: '0.1-1' }));
  });

  it('answers anonymous reads with 401 and WWW-Authenticate: Basic', async () => {
    const res = await fetch(`${h.url}/${repo}/debian/dists/bookworm/InRelease`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await fetch(`${h.url}/${repo}/gpgkey`)).status).toBe(401);
  });

  it('is refused by apt-get without a token', async () => {
    const apt = await newApt('private-anon');
    await apt.setSource(`deb [signed-by={key}] ${h.url}/${repo}/debian bookworm main`, await repoKey(repo, reader));
    const update = await apt.update();
    expect(`${update.stdout}\n${update.stderr}`).toMatch(/401/);
    expect(await apt.candidate('secret-tool')).toBeUndefined();
  });

  it('is refused with a token for another repository', async () => {
    const other = await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'other', grants: { 'acme/tools': ['read'] } });
    const apt = await newApt('private-other');
    await apt.setSource(`deb [signed-by={key}] http://${other.body.token}:@${host()}/${repo}/debian bookworm main`, await repoKey(repo, reader));
    const update = await apt.update();
    expect(`${update.stdout}\n${update.stderr}`).toMatch(/401/);
  });

  it('serves apt-get with the token in auth.conf and in the URL', async () => {
    const viaAuthConf = await newApt('private-authconf');
    await viaAuthConf.setSource(`deb [signed-by={key}] ${h.url}/${repo}/debian bookworm main`, await repoKey(repo, reader), {
      // apt applies auth.conf to plain http only when the machine names the scheme (apt_auth.conf(5)).
      machine: `http://${host()}/${repo}`,
      login: 'token',
      password: reader,
    });
    expect((await viaAuthConf.update()).code).toBe(0);
    expect(await viaAuthConf.candidate('secret-tool')).toBe('0.1-1');
    expect((await viaAuthConf.install('secret-tool')).code).toBe(0);

    const viaUrl = await newApt('private-url');
    await viaUrl.setSource(`deb [signed-by={key}] http://${reader}:@${host()}/${repo}/debian bookworm main`, await repoKey(repo, reader));
    expect((await viaUrl.update()).code).toBe(0);
    expect(await viaUrl.candidate('secret-tool')).toBe('0.1-1');
  });

  it('stops serving a revoked token at once', async () => {
    const t = await h.api.call<{ token: string; id: string }>('POST', '/api/v1/tokens', { name: 'short-lived', grants: { [repo]: ['read'] } });
    const url = `${h.url}/${repo}/debian/dists/bookworm/InRelease`;
    expect((await fetch(url, { headers: { authorization: `Bearer ${t.body.token}` } })).status).toBe(200);
    expect((await h.api.call('DELETE', `/api/v1/tokens/${t.body.id}`)).status).toBe(204);
    expect((await fetch(url, { headers: { authorization: `Bearer ${t.body.token}` } })).status).toBe(401);
  });
});
