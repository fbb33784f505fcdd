import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { run as runCli } from '../../cli/main';
import { captureIo } from '../unit/cli/support/capture-io';
import { buildDeb } from '../support/debs';
import { buildRpm } from '../support/rpms';
import { AptClient } from './support/apt';
import { DnfClient, output } from './support/dnf';
import { startHarness, type Harness } from './support/registry';

// Rotating a repository's OpenPGP key with an overlap: machines that pinned the old key keep working until the
// overlap ends, machines that fetch the new gpgkey work throughout, and retiring the old key ends the overlap.
let h: Harness;
const repo = 'acme/rotating';

beforeAll(async () => {
  h = await startHarness();
  expect((await h.api.createRepo(repo)).status).toBe(201);
  const debs = join(h.tmp, 'debs');
  const rpms = join(h.tmp, 'rpms');
  await fsp.mkdir(debs);
  await fsp.mkdir(rpms);
  expect((await h.api.pushDirect(repo, 'debian/bookworm', await buildDeb(debs, { name: 'hello', version: '1.0-1' }))).status).toBe(201);
  expect((await h.api.pushDirect(repo, 'el/9', await buildRpm(rpms, { name: 'hello', version: '1.0', arch: 'noarch' }))).status).toBe(201);
  await h.registry.idle();
});
afterAll(async () => h?.close());

const gpgkey = async () => (await fetch(`${h.url}/${repo}/gpgkey`)).text();
const fingerprints = async (armored: string) => (await openpgp.readKeys({ armoredKeys: armored })).map((k) => k.getFingerprint().toUpperCase()).sort();
let clients = 0;

async function apt(key: string): Promise<AptClient> {
  const client = await AptClient.create(join(h.tmp, 'apt', `client-${++clients}`));
  await client.setSource(`deb [signed-by={key}] ${h.url}/${repo}/debian bookworm main`, key);
  return client;
}

async function dnf(key: string): Promise<DnfClient> {
  const dir = join(h.tmp, 'dnf', `client-${++clients}`);
  const client = await DnfClient.create(dir);
  await fsp.writeFile(join(dir, 'pinned.asc'), key);
  await client.setRepo({ id: 'rotating', baseurl: `${h.url}/${repo}/el/9/$basearch`, gpgkey: `file://${join(dir, 'pinned.asc')}` });
  return client;
}

const signatures = async (path: string) => {
  const text = await (await fetch(`${h.url}/${repo}/${path}`)).text();
  const message = await openpgp.readCleartextMessage({ cleartextMessage: text });
  return message.getSigningKeyIDs().length;
};

async function cli(...argv: string[]) {
  const { io, stdout, stderr } = captureIo({ env: { PACKYARD_URL: h.url, PACKYARD_TOKEN: h.admin } });
  const code = await runCli(argv, io);
  await h.registry.idle();
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('signing-key rotation with an overlap period', () => {
  let oldKey: string;
  let newKey: string;
  let oldApt: AptClient;
  let oldDnf: DnfClient;

  beforeAll(async () => {
    oldKey = await gpgkey();
    oldApt = await apt(oldKey);
    oldDnf = await dnf(oldKey);
    expect((await oldApt.update()).code).toBe(0);
    expect((await oldDnf.makecache()).code).toBe(0);
  });

  it('rotates: gpgkey serves both keys and every index carries both signatures', async () => {
    const [oldFingerprint] = await fingerprints(oldKey);
    const res = await h.api.call<{ current: { fingerprint: string; publicKey: string }; previous: { fingerprint: string; retiresAt: string; active: boolean } }>(
      'POST',
      `/api/v1/repos/${repo}/signing-keys/rotate`,
      { overlapDays: 7, signingKey: 'ed25519' },
    );
    expect(res.status).toBe(200);
    await h.registry.idle();
    newKey = res.body.current.publicKey;
    expect(res.body.previous).toMatchObject({ fingerprint: oldFingerprint, active: true });
    expect(Date.parse(res.body.previous.retiresAt) - Date.now()).toBeGreaterThan(6.9 * 86400_000);
    expect(await fingerprints(await gpgkey())).toEqual([oldFingerprint, res.body.current.fingerprint].sort());
    expect(await signatures('debian/dists/bookworm/InRelease')).toBe(2);
    const repo_ = await h.api.call<{ signingKeyFingerprint: string }>('GET', `/api/v1/repos/${repo}`);
    expect(repo_.body.signingKeyFingerprint).toBe(res.body.current.fingerprint);
  });

  it('keeps machines that pinned the old key working during the overlap (apt and dnf)', async () => {
    const update = await oldApt.update();
    expect([update.code, update.stderr]).toEqual([0, expect.not.stringMatching(/^[WE]:/m)]);
    expect(await oldApt.candidate('hello')).toBe('1.0-1');
    const cache = await oldDnf.dnf(['makecache', '--refresh']);
    expect([cache.code, output(cache)]).toEqual([0, expect.anything()]);
  });

  it('lets machines that trust only the new key, or the served keyring, work too', async () => {
    for (const key of [newKey, await gpgkey()]) {
      const a = await apt(key);
      const update = await a.update();
      expect([update.code, update.stderr]).toEqual([0, expect.not.stringMatching(/^[WE]:/m)]);
      const d = await dnf(key);
      const cache = await d.makecache();
      expect([cache.code, output(cache)]).toEqual([0, expect.anything()]);
    }
  });

  it('retiring the old key ends the overlap: old pins fail, the new key works', async () => {
    const shown = await cli('repo', 'rotate-key', repo, '--show');
    expect(shown.stdout).toMatch(/previous: \S+ \(.*signs until/);
    const retired = await cli('repo', 'rotate-key', repo, '--retire-previous');
    expect([retired.code, retired.stderr]).toEqual([0, '']);
    expect(await fingerprints(await gpgkey())).toEqual(await fingerprints(newKey));
    expect(await signatures('debian/dists/bookworm/InRelease')).toBe(1);

    const stale = await oldApt.update();
    expect(`${stale.stdout}\n${stale.stderr}`).toMatch(/NO_PUBKEY|not signed|EXPKEYSIG|signatures couldn't be verified|not available/);
    expect(await oldApt.candidate('hello')).toBe('1.0-1'); // the last verified lists stay in use
    const staleDnf = await oldDnf.dnf(['makecache', '--refresh']);
    expect(staleDnf.code).not.toBe(0);

    const fresh = await apt(newKey);
    expect((await fresh.update()).code).toBe(0);
    expect(await fresh.candidate('hello')).toBe('1.0-1');
  });

  it('an overlap of 0 days switches at once; bad input is refused', async () => {
    const before = await fingerprints(await gpgkey());
    const bad = await h.api.call('POST', `/api/v1/repos/${repo}/signing-keys/rotate`, { overlapDays: 400 });
    expect(bad.status).toBe(400);
    expect(await fingerprints(await gpgkey())).toEqual(before);
    const rotated = await cli('repo', 'rotate-key', repo, '--overlap-days', '0', '--key-type', 'ed25519');
    expect(rotated.code).toBe(0);
    const now = await fingerprints(await gpgkey());
    expect(now).toHaveLength(1);
    expect(now).not.toEqual(before);
    expect(await signatures('debian/dists/bookworm/InRelease')).toBe(1);
    const none = await h.api.call('DELETE', `/api/v1/repos/${repo}/signing-keys/previous`);
    expect(none.status).toBe(204); // the expired key record is removed
    expect((await h.api.call('DELETE', `/api/v1/repos/${repo}/signing-keys/previous`)).status).toBe(404);
  });

  it('only a repository administrator may rotate', async () => {
    const t = await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'pusher', grants: { [repo]: ['read', 'push'] } });
    const res = await h.api.withToken(t.body.token).call('POST', `/api/v1/repos/${repo}/signing-keys/rotate`, {});
    expect(res.status).toBe(403);
  });
});
