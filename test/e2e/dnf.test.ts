import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { buildRpm, type RpmSpec } from '../support/rpms';
import { patchBytes, patchEntry, patchString, refreshDigests, spans } from '../unit/rpm/craft';
import { DnfClient, output } from './support/dnf';
import { startHarness, type Harness } from './support/registry';

let h: Harness;
let rpms: string;

beforeAll(async () => {
  h = await startHarness();
  rpms = join(h.tmp, 'rpms');
  await fsp.mkdir(rpms);
});
afterAll(async () => h?.close());

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const host = () => new URL(h.url).host;
let clients = 0;
const newDnf = (arch?: string) => DnfClient.create(join(h.tmp, 'dnf', `client-${++clients}`), arch);

async function build(spec: RpmSpec): Promise<string> {
  const dir = join(rpms, `${spec.name}-${spec.version}-${spec.release ?? '1'}-${spec.source ? 'src' : (spec.arch ?? 'x')}`);
  await fsp.mkdir(dir, { recursive: true });
  return buildRpm(dir, spec);
}

async function push(repo: string, dist: string, file: string) {
  const res = await h.api.pushDirect(repo, dist, file);
  expect([res.status, res.body]).toEqual([201, expect.anything()]);
  await h.registry.idle();
  return res.body as { id: string; name: string; version: string; arch: string; blobKey: string };
}

const greeting = (version: string) => ({ '/usr/share/hello/greeting': `hello ${version}\n` });

describe('dnf against a public repository', () => {
  const repo = 'acme/tools';
  const baseurl = () => `${h.url}/${repo}/el/9/$basearch`;
  const gpgkey = () => `${h.url}/${repo}/gpgkey`;
  let dnf: DnfClient;

  beforeAll(async () => {
    expect((await h.api.createRepo(repo)).status).toBe(201);
    dnf = await newDnf();
    await dnf.setRepo({ id: 'acme-tools', baseurl: baseurl(), gpgkey: gpgkey() });
  });

  it('installs a package with an epoch, a noarch dependency and a rich dependency', async () => {
    const hello = await push(repo, 'el/9', await build({ name: 'hello', version: '1.0', epoch: 1, arch: 'x86_64', files: greeting('1.0') }));
    expect(hello).toMatchObject({ name: 'hello', version: '1:1.0-1', arch: 'x86_64', blobKey: `${repo}/el/9/x86_64/Packages/h/hello-1.0-1.x86_64.rpm` });
    await push(repo, 'el/9', await build({ name: 'hello-doc', version: '1.0', arch: 'noarch', files: { '/usr/share/hello-doc/guide': 'read me\n' } }));
    await push(repo, 'el/9', await build({ name: 'hello-rich', version: '1.0', arch: 'noarch', deps: ['Requires: (hello-doc or hello-extras)', 'Requires: hello >= 1:1.0'] }));

    const cache = await dnf.makecache();
    expect([cache.code, output(cache)]).toEqual([0, expect.stringMatching(/Metadata cache created/)]);
    expect(await dnf.available('hello')).toEqual(['hello-1:1.0-1.x86_64']);
    const install = await dnf.install('hello-rich');
    expect([install.code, output(install)]).toEqual([0, expect.stringMatching(/Complete!/)]);
    expect(await dnf.installed('hello')).toBe('1:1.0-1.x86_64');
    expect(await dnf.installed('hello-doc')).toBe('0:1.0-1.noarch');
    expect(await dnf.installed('hello-rich')).toBe('0:1.0-1.noarch');
    expect(await dnf.installedFile('usr/share/hello/greeting')).toBe('hello 1.0\n');
    expect(await dnf.installedFile('usr/share/hello-doc/guide')).toBe('read me\n');
  });

  it('lists noarch packages for aarch64 hosts too, but not x86_64 ones', async () => {
    await push(repo, 'el/9', await build({ name: 'hello-arm', version: '1.0', arch: 'aarch64' }));
    const arm = await newDnf('aarch64');
    await arm.setRepo({ id: 'acme-tools', baseurl: baseurl(), gpgkey: gpgkey() });
    expect((await arm.makecache()).code).toBe(0);
    expect(await arm.available('hello-doc')).toEqual(['hello-doc-0:1.0-1.noarch']);
    expect(await arm.available('hello-arm')).toEqual(['hello-arm-0:1.0-1.aarch64']);
    expect(await arm.available('hello')).toEqual([]);
  });

  it('serves source packages from SRPMS/', async () => {
    await push(repo, 'el/9', await build({ name: 'hello', version: '1.0', epoch: 1, source: true }));
    const src = await newDnf();
    await src.setRepo({ id: 'acme-tools-source', baseurl: `${h.url}/${repo}/el/9/SRPMS`, gpgkey: gpgkey() });
    expect((await src.makecache()).code).toBe(0);
    const q = await src.dnf(['repoquery', '--quiet', '--arch', 'src', '--qf', '%{name}-%{epoch}:%{version}-%{release}.%{arch}', 'hello']);
    expect(q.stdout.trim()).toBe('hello-1:1.0-1.src');
    const file = await fetch(`${h.url}/${repo}/el/9/SRPMS/Packages/h/hello-1.0-1.src.rpm`);
    expect(file.status).toBe(200);
  });

  it('upgrades to a newer release with dnf upgrade', async () => {
    await push(repo, 'el/9', await build({ name: 'hello', version: '1.1', epoch: 1, arch: 'x86_64', files: greeting('1.1') }));
    const upgrade = await dnf.upgrade();
    expect([upgrade.code, output(upgrade)]).toEqual([0, expect.stringMatching(/Upgraded:[\s\S]*hello-1:1\.1-1\.x86_64|Upgrading:[\s\S]*hello/)]);
    expect(await dnf.installed('hello')).toBe('1:1.1-1.x86_64');
    expect(await dnf.installedFile('usr/share/hello/greeting')).toBe('hello 1.1\n');
  });

  it('serves one file in el/9 and, added later, in rpm_any/rpm_any', async () => {
    const first = await push(repo, 'el/9', await build({ name: 'multi', version: '2.0', arch: 'x86_64' }));
    const added = await h.api.call('POST', `/api/v1/repos/${repo}/packages/${first.id}/distributions`, { distribution: 'rpm_any/rpm_any' });
    expect(added.status).toBe(201);
    await h.registry.idle();
    const any = await newDnf();
    await any.setRepo({ id: 'acme-any', baseurl: `${h.url}/${repo}/rpm_any/rpm_any/$basearch`, gpgkey: gpgkey() });
    expect(await any.available('multi')).toEqual(['multi-0:2.0-1.x86_64']);
    expect(await dnf.available('multi')).toEqual(['multi-0:2.0-1.x86_64']);
  });

  it('refuses a tampered repomd.xml and a tampered primary.xml.gz; a rebuild repairs both', async () => {
    const store = h.registry.deps.packages;
    const repomdKey = `${repo}/el/9/x86_64/repodata/repomd.xml`;
    const original = Buffer.from(await store.getBytes(repomdKey)).toString('utf8');
    await store.put(repomdKey, original.replace(/<revision>(\d+)<\/revision>/, '<revision>1$1</revision>'), { contentType: 'application/xml' });
    const forged = await newDnf();
    await forged.setRepo({ id: 'acme-tools', baseurl: baseurl(), gpgkey: gpgkey() });
    const refused = await forged.makecache();
    expect(refused.code).not.toBe(0);
    expect(output(refused)).toMatch(/GPG signature verification error|Bad GPG signature/i);

    await store.put(repomdKey, original, { contentType: 'application/xml' });
    const primaryHref = /<location href="(repodata\/[0-9a-f]{64}-primary\.xml\.gz)"\/>/.exec(original)![1];
    const primaryKey = `${repo}/el/9/x86_64/${primaryHref}`;
    const primary = Buffer.from(await store.getBytes(primaryKey));
    const evil = Buffer.from(primary);
    evil[evil.length - 12] ^= 0xff;
    await store.put(primaryKey, evil, { contentType: 'application/gzip' });
    const stale = await newDnf();
    await stale.setRepo({ id: 'acme-tools', baseurl: baseurl(), gpgkey: gpgkey() });
    const mismatch = await stale.makecache();
    expect(mismatch.code).not.toBe(0);
    expect(output(mismatch)).toMatch(/checksum|Downloading successful, but checksum doesn't match|Cannot download/i);

    // A rebuild republishes everything from the stored fragments.
    await h.registry.deps.queue.enqueue([{ repo, format: 'rpm', scope: 'el/9' }]);
    await h.registry.idle();
    const healed = await newDnf();
    await healed.setRepo({ id: 'acme-tools', baseurl: baseurl(), gpgkey: gpgkey() });
    expect((await healed.makecache()).code).toBe(0);
    expect(await healed.available('hello')).toEqual(['hello-1:1.0-1.x86_64', 'hello-1:1.1-1.x86_64']);
  });
});

describe('dnf against a private repository', () => {
  const repo = 'acme/secret';
  const baseurl = () => `${h.url}/${repo}/el/9/$basearch`;
  let reader: string;

  beforeAll(async () => {
    expect((await h.api.createRepo(repo, 'private')).status).toBe(201);
    const t = await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'build-01', grants: { [repo]: ['read'] } });
    expect(t.status).toBe(201);
    reader = t.body.token;
    await push(repo, 'el/9', await build({ name: 'secret-tool', version: '0.1', arch: 'x86_64', files: { '/usr/share/secret-tool/note': 'shh\n' } }));
  });

  it('answers anonymous reads with 401 and WWW-Authenticate: Basic', async () => {
    for (const path of ['el/9/x86_64/repodata/repomd.xml', 'el/9/x86_64/Packages/s/secret-tool-0.1-1.x86_64.rpm', 'gpgkey']) {
      const res = await fetch(`${h.url}/${repo}/${path}`);
      expect([path, res.status]).toEqual([path, 401]);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    }
    const ok = await fetch(`${h.url}/${repo}/el/9/x86_64/repodata/repomd.xml`, { headers: { authorization: `Basic ${Buffer.from(`token:${reader}`).toString('base64')}` } });
    expect(ok.status).toBe(200);
  });

  it('is refused by dnf without credentials or with a token for another repository', async () => {
    const anon = await newDnf();
    await anon.setRepo({ id: 'acme-secret', baseurl: baseurl(), gpgkey: `${h.url}/${repo}/gpgkey` });
    const refused = await anon.makecache();
    expect(refused.code).not.toBe(0);
    expect(output(refused)).toMatch(/401/);

    const other = await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'other', grants: { 'acme/tools': ['read'] } });
    const wrong = await newDnf();
    await wrong.setRepo({ id: 'acme-secret', baseurl: baseurl(), gpgkey: `${h.url}/${repo}/gpgkey`, username: 'token', password: other.body.token });
    const denied = await wrong.makecache();
    expect(denied.code).not.toBe(0);
    expect(output(denied)).toMatch(/401/);
  });

  it('installs with the read token in the .repo file', async () => {
    const dnf = await newDnf();
    await dnf.setRepo({ id: 'acme-secret', baseurl: baseurl(), gpgkey: `${h.url}/${repo}/gpgkey`, username: 'token', password: reader });
    const install = await dnf.install('secret-tool');
    expect([install.code, output(install)]).toEqual([0, expect.stringMatching(/Complete!/)]);
    expect(await dnf.installedFile('usr/share/secret-tool/note')).toBe('shh\n');
  });

  it('also takes the token in the baseurl', async () => {
    const dnf = await newDnf();
    await dnf.setRepo({ id: 'acme-secret', baseurl: `http://token:${reader}@${host()}/${repo}/el/9/$basearch`, gpgkey: `http://token:${reader}@${host()}/${repo}/gpgkey` });
    expect(await dnf.available('secret-tool')).toEqual(['secret-tool-0:0.1-1.x86_64']);
  });
});

describe('bad rpm input through the direct upload', () => {
  const repo = 'acme/strict-rpm';
  let good: Buffer;
  let goodPath: string;

  /** Everything a client could observe of a repository: its package list and every stored file. */

  async function file(name: string, bytes: Uint8Array): Promise<string> {
    const p = join(rpms, name);
    await fsp.writeFile(p, bytes);
    return p;
  }

  beforeAll(async () => {
    expect((await h.api.createRepo(repo)).status).toBe(201);
    goodPath = await build({ name: 'good', version: '1.0', arch: 'noarch', files: { '/usr/share/good/README': 'good\n' } });
    good = await fsp.readFile(goodPath);
    await push(repo, 'el/9', goodPath);
  });

  it('rejects each kind of bad package with a clear error and changes nothing', async () => {
    const before = await h.snapshot(repo);
    expect(Object.keys(before.files).some((k) => k.endsWith('/x86_64/repodata/repomd.xml'))).toBe(true);
    const { main } = spans(good);
    const bomb = Buffer.from(good);
    bomb.writeUInt32BE(0x00ffffff, main.start + 8);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 20] ^= 0x01;
    // 12000 files with incompressible names: their repodata entries would not fit one metadata record.
    const huge = await fsp.readFile(
      await build({
        name: 'huge',
        version: '1',
        arch: 'noarch',
        files: {},
        install: ['mkdir -p %{buildroot}/opt/huge', `cd %{buildroot}/opt/huge && python3 -c "import hashlib; [open(hashlib.sha256(str(i).encode()).hexdigest(), 'w').close() for i in range(12000)]"`],
        fileLines: ['/opt/huge'],
      }),
    );
    const cases: [string, Buffer, number, string][] = [
      ['truncated', good.subarray(0, good.length - 100), 400, 'RPM_TRUNCATED'],
      ['corrupt lead', Buffer.concat([good.subarray(0, 4), Buffer.from([9]), good.subarray(5)]), 400, 'RPM_BAD_LEAD'],
      ['corrupt payload', flipped, 400, 'RPM_DIGEST_MISMATCH'],
      ['corrupt header', patchString(good, 1004, 'good for the Packyard testz'), 400, 'RPM_DIGEST_MISMATCH'],
      ['header size bomb', bomb, 400, 'RPM_HEADER_TOO_LARGE'],
      ['unsupported payload', refreshDigests(patchString(good, 1125, 'lzip')), 400, 'RPM_UNSUPPORTED_PAYLOAD'],
      ['invalid EVR', refreshDigests(patchString(good, 1001, '1-0')), 400, 'RPM_INVALID_EVR'],
      ['missing NAME', refreshDigests(patchEntry(good, 1000, { tag: 1999 })), 400, 'RPM_MISSING_TAG'],
      ['path traversal', refreshDigests(patchBytes(good, '/usr/share/good/\0', '/usr/share/../g/\0')), 400, 'RPM_UNSAFE_PATH'],
      ['too many files', huge, 413, 'RPM_METADATA_TOO_LARGE'],
      ['duplicate', good, 409, 'PACKAGE_EXISTS'],
    ];
    for (const [what, bytes, status, code] of cases) {
      const res = await h.api.pushDirect(repo, 'el/9', await file(`bad-${what.replace(/ /g, '-')}.rpm`, bytes));
      const body = res.body as { error?: { code: string; message: string } };
      expect([what, res.status, body.error?.code]).toEqual([what, status, code]);
      expect(body.error?.message.length).toBeGreaterThan(10);
    }
    await h.registry.idle();
    expect(await h.snapshot(repo)).toEqual(before);
  });

  it('refuses an .rpm pushed to debian/bookworm, and to a distribution no format serves', async () => {
    const before = await h.snapshot(repo);
    const mismatch = await h.api.pushDirect(repo, 'debian/bookworm', goodPath);
    expect([mismatch.status, (mismatch.body as { error: { code: string } }).error.code]).toEqual([400, 'FORMAT_MISMATCH']);
    const unknown = await h.api.pushDirect(repo, 'plan9/4', goodPath);
    expect([unknown.status, (unknown.body as { error: { code: string } }).error.code]).toEqual([400, 'INVALID_DISTRIBUTION']);
    await h.registry.idle();
    expect(await h.snapshot(repo)).toEqual(before);
  });
});
