import { createHash, generateKeyPairSync } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { run as runCli } from '../../cli/main';
import { apkKeyName } from '../../shared/app/apk-key';
import { captureIo } from '../unit/cli/support/capture-io';
import { buildApk, checkApkIndex, craftedTar, splitGzipStreams, type BuiltApk } from '../support/apks';
import { buildDeb } from '../support/debs';
import { run, runOk } from '../support/exec';
import { startHarness, type Harness } from './support/registry';

/**
 * No apk client can be installed here: every check below is what apk-tools v2 does on `apk update` and
 * `apk add` (fetch APKINDEX.tar.gz with curl, split its gzip streams, verify the RSA signature over the
 * index stream with openssl and the published key, then match C:, S: and the file against each package).
 */

let h: Harness;
let dir: string;

beforeAll(async () => {
  h = await startHarness();
  dir = join(h.tmp, 'apks');
  await fsp.mkdir(dir);
});
afterAll(async () => h?.close());

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const base = (repo: string) => `${h.url}/${repo}/alpine`;

/** curl, as apk's libfetch would ask: plain GET, optional Basic credentials in the URL's user part. */
async function curl(url: string, opts: { user?: string } = {}): Promise<{ status: number; body: Buffer; headers: string }> {
  const out = join(h.tmp, `curl-${Math.random().toString(36).slice(2)}`);
  const hdr = `${out}.h`;
  const args = ['-sS', '-o', out, '-D', hdr, '-w', '%{http_code}', ...(opts.user ? ['-u', opts.user] : []), url];
  const r = await runOk('curl', args);
  const body = await fsp.readFile(out).catch(() => Buffer.alloc(0));
  const headers = await fsp.readFile(hdr, 'utf8');
  await fsp.rm(out, { force: true });
  await fsp.rm(hdr, { force: true });
  return { status: Number(r.stdout.trim()), body, headers };
}

async function push(repo: string, distribution: string, file: string) {
  const res = await h.api.pushDirect(repo, distribution, file);
  await h.registry.idle();
  return res as { status: number; body: { id?: string; name?: string; error?: { code: string; message: string } } };
}

interface Fetched {
  keyName: string;
  publicKey: string;
  records: Record<string, string>[];
  raw: Buffer;
}

/** `apk update` for one arch: the index, the key named by its signature, the verified records. */
async function apkUpdate(repo: string, branch: string, arch: string, user?: string): Promise<Fetched> {
  const index = await curl(`${base(repo)}/${branch}/main/${arch}/APKINDEX.tar.gz`, { user });
  expect(index.status).toBe(200);
  expect(index.headers).toMatch(/content-type: application\/gzip/i);
  expect(index.headers).not.toMatch(/content-encoding/i);
  const sigMember = await firstMemberName(splitGzipStreams(index.body)[0]);
  expect(sigMember).toMatch(/^\.SIGN\.RSA\..+\.rsa\.pub$/);
  const keyName = sigMember.slice('.SIGN.RSA.'.length);
  const key = await curl(`${base(repo)}/${keyName}`, { user });
  expect(key.status).toBe(200);
  const publicKey = key.body.toString('utf8');
  const checked = await checkApkIndex(index.body, publicKey, h.tmp);
  expect(checked.keyName).toBe(keyName);
  return { keyName, publicKey, records: checked.records, raw: index.body };
}

async function firstMemberName(gz: Buffer): Promise<string> {
  const file = join(h.tmp, `sig-${Math.random().toString(36).slice(2)}.tar.gz`);
  await fsp.writeFile(file, gz);
  const list = await runOk('tar', ['-tzf', file]);
  await fsp.rm(file, { force: true });
  return list.stdout.trim();
}

/** `apk add`: the record's file, fetched from `{arch}/{P}-{V}.apk` as apk-tools 2.12+ builds the URL. */
async function apkFetch(repo: string, branch: string, record: Record<string, string>, user?: string): Promise<Buffer> {
  const res = await curl(`${base(repo)}/${branch}/main/${record.A}/${record.P}-${record.V}.apk`, { user });
  expect(res.status).toBe(200);
  const control = splitGzipStreams(res.body).find((s, i, all) => i === all.length - 2)!;
  expect('Q1' + createHash('sha1').update(control).digest('base64')).toBe(record.C);
  expect(String(res.body.length)).toBe(record.S);
  return res.body;
}


describe('an Alpine branch in a public repository', () => {
  const repo = 'acme/alpine';
  const built: Record<string, BuiltApk> = {};

  beforeAll(async () => {
    expect((await h.api.createRepo(repo)).status).toBe(201);
  });

  it('makes no RSA key until the first Alpine package arrives', async () => {
    expect(await h.registry.deps.meta.getSigningKey(repo, 'apk-rsa')).toBeUndefined();
    const garbage = join(dir, 'garbage.apk');
    await fsp.writeFile(garbage, 'not an apk');
    expect((await push(repo, 'alpine/v3.19', garbage)).status).toBe(415);
    expect(await h.registry.deps.meta.getSigningKey(repo, 'apk-rsa')).toBeUndefined();
  });

  it('publishes a signed index per arch that verifies the way apk does, with noarch in every arch', async () => {
    built.hello = await buildApk(dir, { name: 'hello', version: '2.12.1-r0', fields: { depend: ['so:libc.musl-x86_64.so.1'] } });
    // Same file name as the x86_64 build: apk tells them apart by directory.
    const armDir = join(dir, 'aarch64');
    await fsp.mkdir(armDir, { recursive: true });
    built.helloArm = await buildApk(armDir, { name: 'hello', version: '2.12.1-r0', arch: 'aarch64', files: { 'usr/bin/hello': 'arm build\n' } });
    built.docs = await buildApk(dir, { name: 'hello-doc', version: '2.12.1-r0', arch: 'noarch' });
    for (const b of Object.values(built)) {
      const res = await push(repo, 'alpine/v3.19', b.path);
      expect([b.filename, res.status]).toEqual([b.filename, 201]);
    }
    const key = await h.registry.deps.meta.getSigningKey(repo, 'apk-rsa');
    expect(key?.algorithm).toBe('rsa4096');

    const x86 = await apkUpdate(repo, 'v3.19', 'x86_64');
    const arm = await apkUpdate(repo, 'v3.19', 'aarch64');
    expect(x86.keyName).toBe(arm.keyName);
    expect(x86.keyName).toMatch(/^acme-alpine-[0-9a-f]{8}\.rsa\.pub$/);
    expect(x86.publicKey).toBe(key?.publicKeyArmored);
    expect(x86.records.map((r) => [r.P, r.A, r.C]).sort()).toEqual([
      ['hello', 'x86_64', built.hello.checksum],
      ['hello-doc', 'noarch', built.docs.checksum],
    ]);
    expect(arm.records.map((r) => [r.P, r.A, r.C]).sort()).toEqual([
      ['hello', 'aarch64', built.helloArm.checksum],
      ['hello-doc', 'noarch', built.docs.checksum],
    ]);
    expect(x86.records.find((r) => r.P === 'hello')).toMatchObject({ V: '2.12.1-r0', D: 'so:libc.musl-x86_64.so.1', T: 'test package hello', L: 'MIT' });

    // Every listed file is served byte for byte (apk checks C: and S:; nothing was rewritten).
    for (const [records, want] of [[x86.records, [built.hello, built.docs]], [arm.records, [built.helloArm, built.docs]]] as const) {
      for (const r of records) {
        const bytes = await apkFetch(repo, 'v3.19', r);
        expect(want.some((b) => Buffer.compare(b.bytes, bytes) === 0)).toBe(true);
      }
    }
  });

  it('sees a newer release after the next update, and keeps the old one listed', async () => {
    const before = await apkUpdate(repo, 'v3.19', 'x86_64');
    built.hello2 = await buildApk(dir, { name: 'hello', version: '2.12.2-r0' });
    expect((await push(repo, 'alpine/v3.19', built.hello2.path)).status).toBe(201);
    const after = await apkUpdate(repo, 'v3.19', 'x86_64');
    expect(after.keyName).toBe(before.keyName);
    expect(after.records.filter((r) => r.P === 'hello').map((r) => r.V).sort()).toEqual(['2.12.1-r0', '2.12.2-r0']);
    await apkFetch(repo, 'v3.19', after.records.find((r) => r.V === '2.12.2-r0')!);
  });

  it('keeps branches apart: edge has its own index with the same key', async () => {
    const edge = await buildApk(dir, { name: 'edgy', version: '0.1_git20240101-r0' });
    expect((await push(repo, 'alpine/edge', edge.path)).status).toBe(201);
    const e = await apkUpdate(repo, 'edge', 'x86_64');
    expect(e.records.map((r) => r.P)).toEqual(['edgy']);
    expect(e.keyName).toBe((await apkUpdate(repo, 'v3.19', 'x86_64')).keyName);
    expect((await apkUpdate(repo, 'v3.19', 'x86_64')).records.map((r) => r.P)).not.toContain('edgy');
  });

  it('accepts a package signed by its packager and serves it unchanged', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const signed = await buildApk(dir, { name: 'signed-tool', version: '1.0.0-r0', sign: { privateKeyPem: privateKey, keyName: 'builder@example.invalid-6543' } });
    expect(splitGzipStreams(signed.bytes)).toHaveLength(3);
    expect((await push(repo, 'alpine/v3.19', signed.path)).status).toBe(201);
    const record = (await apkUpdate(repo, 'v3.19', 'x86_64')).records.find((r) => r.P === 'signed-tool')!;
    expect(record.C).toBe(signed.checksum);
    expect(Buffer.compare(await apkFetch(repo, 'v3.19', record), signed.bytes)).toBe(0);
  });

  it('takes .apk files through the presigned path of packyard push', async () => {
    const one = await buildApk(dir, { name: 'cli-apk', version: '3.0.0-r1' });
    const { io, stdout, stderr } = captureIo({ env: { PACKYARD_URL: h.url, PACKYARD_TOKEN: h.admin }, cwd: dir });
    const code = await runCli(['push', `${repo}/alpine/v3.19`, one.filename, '--json'], io);
    expect([code, stderr.text]).toEqual([0, expect.stringContaining('accepted cli-apk 3.0.0-r1 x86_64 -> alpine/v3.19')]);
    expect(JSON.parse(stdout.text)[0]).toMatchObject({ status: 'accepted', package: { name: 'cli-apk', version: '3.0.0-r1', arch: 'x86_64', distribution: 'alpine/v3.19' } });
    await h.registry.idle();
    const record = (await apkUpdate(repo, 'v3.19', 'x86_64')).records.find((r) => r.P === 'cli-apk')!;
    expect(record.C).toBe(one.checksum);
  });

  it('refuses a tampered index: the signature no longer verifies', async () => {
    const indexKey = `${repo}/alpine/v3.19/main/x86_64/APKINDEX.tar.gz`;
    const store = h.registry.deps.packages;
    const original = Buffer.from(await store.getBytes(indexKey));
    const [sig, index] = splitGzipStreams(original);
    const forged = Buffer.from(index);
    forged[4] ^= 0x01; // gzip mtime: still a valid stream, different signed bytes
    await store.put(indexKey, Buffer.concat([sig, forged]), { contentType: 'application/gzip' });
    const fetched = await curl(`${base(repo)}/v3.19/main/x86_64/APKINDEX.tar.gz`);
    const key = (await curl(`${base(repo)}/${(await apkUpdate(repo, 'v3.19', 'aarch64')).keyName}`)).body.toString();
    await expect(checkApkIndex(fetched.body, key, h.tmp)).rejects.toThrow(/Verification failure|exited 1/);
    // A rebuild repairs it from the stored fragments.
    await h.registry.deps.queue.enqueue([{ repo, format: 'apk', scope: 'alpine/v3.19' }]);
    await h.registry.idle();
    expect((await apkUpdate(repo, 'v3.19', 'x86_64')).records.length).toBeGreaterThan(0);
  });
});

describe('an Alpine branch in a private repository', () => {
  const repo = 'acme/alpine-secret';
  let reader: string;

  beforeAll(async () => {
    expect((await h.api.createRepo(repo, 'private')).status).toBe(201);
    const t = await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'apk-reader', grants: { [repo]: ['read'] } });
    expect(t.status).toBe(201);
    reader = t.body.token;
    const apk = await buildApk(dir, { name: 'secret-apk', version: '1.0-r0' });
    expect((await push(repo, 'alpine/v3.20', apk.path)).status).toBe(201);
  });

  it('answers anonymous reads of the index, the key and packages with 401 and WWW-Authenticate: Basic', async () => {
    const key = await h.registry.deps.meta.getSigningKey(repo, 'apk-rsa');
    const keyFile = `${apkKeyName(key!)}.rsa.pub`;
    expect((await curl(`${base(repo)}/${keyFile}`, { user: `${reader}:` })).status).toBe(200);
    for (const path of ['v3.20/main/x86_64/APKINDEX.tar.gz', 'v3.20/main/x86_64/secret-apk-1.0-r0.apk', keyFile]) {
      const res = await curl(`${base(repo)}/${path}`);
      expect(res.status).toBe(401);
      expect(res.headers).toMatch(/www-authenticate: Basic realm=/i);
    }
  });

  it('serves everything to a read token given as the URL user (https://TOKEN:@host/... in /etc/apk/repositories)', async () => {
    const fetched = await apkUpdate(repo, 'v3.20', 'x86_64', `${reader}:`);
    expect(fetched.records.map((r) => r.P)).toEqual(['secret-apk']);
    await apkFetch(repo, 'v3.20', fetched.records[0], `${reader}:`);
  });
});

describe('bad Alpine input', () => {
  const repo = 'acme/alpine-bad';
  let good: BuiltApk;

  beforeAll(async () => {
    expect((await h.api.createRepo(repo)).status).toBe(201);
    good = await buildApk(dir, { name: 'good', version: '1.0-r0' });
    expect((await push(repo, 'alpine/v3.19', good.path)).status).toBe(201);
  });

  const file = async (name: string, bytes: Uint8Array | string) => {
    const path = join(dir, name);
    await fsp.writeFile(path, bytes);
    return path;
  };

  it('rejects each kind of bad package with a clear error and changes nothing', async () => {
    const before = await h.snapshot(repo);
    const keyBefore = await h.registry.deps.meta.getSigningKey(repo, 'apk-rsa');
    const cases: [string, () => Promise<string>, number, string][] = [
      ['truncated', () => file('trunc.apk', good.bytes.subarray(0, Math.floor(good.bytes.length * 0.8))), 400, 'APK_CORRUPT'],
      ['corrupt control stream', async () => {
        const bad = Buffer.from(good.bytes);
        bad[Math.floor(good.control.length / 2)] ^= 0xff;
        return file('corrupt.apk', bad);
      }, 400, 'APK_CORRUPT'],
      ['no .PKGINFO', async () => (await buildApk(dir, { name: 'nopkginfo', version: '1.0-r0', withoutPkgInfo: true })).path, 400, 'APK_NO_PKGINFO'],
      ['path traversal', async () => (await buildApk(dir, { name: 'trav', version: '1.0-r0', dataTar: await craftedTar([{ name: '../../etc/passwd', body: 'x' }]) })).path, 400, 'APK_UNSAFE_PATH'],
      ['symlink escape', async () => (await buildApk(dir, { name: 'esc', version: '1.0-r0', dataTar: await craftedTar([{ name: 'etc', type: 'symlink', linkname: '/' }, { name: 'etc/shadow', body: 'x' }]) })).path, 400, 'APK_UNSAFE_PATH'],
      ['decompression bomb', async () => (await buildApk(dir, { name: 'bomb', version: '1.0-r0', zeroFiles: { 'usr/share/zeros': 80 * 1024 * 1024 } })).path, 400, 'APK_TOO_LARGE'],
      ['invalid version', async () => (await buildApk(dir, { name: 'badver', version: '1.0-rc1', rawPkgInfo: 'pkgname = badver\npkgver = 1.0-rc1\narch = x86_64\n' })).path, 400, 'APK_INVALID_VERSION'],
      ['a .deb', async () => buildDeb(dir, { name: 'debby', version: '1.0-1' }), 400, 'FORMAT_MISMATCH'],
      ['not a package', () => file('text.apk', 'hello, I am not a package\n'), 415, 'UNKNOWN_FORMAT'],
      ['duplicate', async () => good.path, 409, 'PACKAGE_EXISTS'],
    ];
    for (const [what, make, status, code] of cases) {
      const res = await push(repo, 'alpine/v3.19', await make());
      expect([what, res.status, res.body.error?.code]).toEqual([what, status, code]);
      expect(res.body.error?.message.length).toBeGreaterThan(10);
    }
    const unknownBranch = await push(repo, 'alpine/3.19', good.path);
    expect([unknownBranch.status, unknownBranch.body.error?.code]).toEqual([400, 'INVALID_DISTRIBUTION']);
    expect(await h.snapshot(repo)).toEqual(before);
    expect(await h.registry.deps.meta.getSigningKey(repo, 'apk-rsa')).toEqual(keyBefore);
  });

  it('rejects through the presigned path too, with the reason on the upload', async () => {
    const before = await h.snapshot(repo);
    const bad = await file('late.apk', good.bytes.subarray(0, good.bytes.length - 30));
    const { io, stdout } = captureIo({ env: { PACKYARD_URL: h.url, PACKYARD_TOKEN: h.admin }, cwd: dir });
    const code = await runCli(['push', `${repo}/alpine/v3.19`, bad, '--json'], io);
    expect(code).toBe(1);
    expect(JSON.parse(stdout.text)[0]).toMatchObject({ status: 'rejected', error: { code: 'APK_CORRUPT' } });
    await h.registry.idle();
    expect(await h.snapshot(repo)).toEqual(before);
  });

  it('keeps a curl of a missing package a plain 404', async () => {
    const res = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${base(repo)}/v3.19/main/x86_64/nope-1.0-r0.apk`]);
    expect(res.stdout).toBe('404');
  });
});
