import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { run, runOk, type RunResult } from '../support/exec';
import { buildGem, dataTarGz, gemEnv, packTar, repackGem } from '../support/gems';
import { startHarness, type Harness } from './support/registry';

let h: Harness;
let dir: string;
/** An empty folder to run clients in: `gem install` in a folder holding the .gem installs that file. */
let work: string;
let env: NodeJS.ProcessEnv;
let token: string;
const repo = 'acme/rubies';
let base: string;
const files: Record<string, string> = {};

const md5 = (b: Uint8Array | string) => createHash('md5').update(b).digest('hex');

beforeAll(async () => {
  h = await startHarness();
  dir = join(h.tmp, 'gems');
  work = join(h.tmp, 'work');
  await fsp.mkdir(work, { recursive: true });
  env = gemEnv(join(h.tmp, 'gem-home'));
  base = `${h.url}/${repo}/gems`;
  expect((await h.api.createRepo(repo)).status).toBe(201);
  const t = await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'ci', grants: { [repo]: ['read', 'push', 'yank'] } });
  token = t.body.token;
  const build = (key: string, opts: Parameters<typeof buildGem>[2]) => buildGem(dir, env, opts).then((f) => (files[key] = f));
  await fsp.mkdir(dir, { recursive: true });
  for (const [key, opts] of [
    ['alpha1', { name: 'alpha', version: '1.0.0' }],
    ['alpha11', { name: 'alpha', version: '1.1.0' }],
    ['beta', { name: 'beta', version: '0.1.0', dependencies: [['alpha', '~> 1.0']] }],
    ['gamma', { name: 'gamma', version: '2.0.0.pre1', requiredRuby: '>= 2.5' }],
    ['native', { name: 'gamma', version: '2.0.0.pre1', platform: 'x86_64-linux' }],
  ] as const) {
    await build(key, opts as Parameters<typeof buildGem>[2]);
  }
});
afterAll(async () => h?.close());

/** `gem` with its own HOME and gem dirs, from the empty work folder. */
const gem = (args: string[], extra: Record<string, string> = {}, cwd = work): Promise<RunResult> => run('gem', args, { cwd, env: { ...env, ...extra }, input: '' });

async function push(file: string, key = token, host = base): Promise<RunResult> {
  const r = await gem(['push', '--host', host, file], { GEM_HOST_API_KEY: key });
  await h.registry.idle();
  return r;
}

async function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await fetch(`${base}/${path}`, { method, headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** A raw `gem push` request, for files the gem client refuses to send (it verifies a .gem before pushing). */
async function rawPush(body: Uint8Array, authorization = token) {
  const res = await fetch(`${base}/api/v1/gems`, { method: 'POST', headers: { authorization, 'content-type': 'application/octet-stream' }, body });
  await h.registry.idle();
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Every /versions checksum of a name is the MD5 of its current /info body. */
async function expectConsistentIndex(): Promise<string> {
  const versions = await get('versions');
  expect(versions.status).toBe(200);
  expect(versions.headers.get('etag')).toBe(`"${md5(versions.body)}"`);
  const last = new Map<string, string>();
  for (const line of versions.body.toString('utf8').split('\n').slice(2).filter(Boolean)) {
    const [name, , checksum] = line.split(' ');
    last.set(name, checksum);
  }
  for (const [name, checksum] of last) {
    const info = await get(`info/${name}`);
    expect(info.status).toBe(200);
    expect(md5(info.body)).toBe(checksum);
  }
  return versions.body.toString('utf8');
}

describe('gem and bundle against a public repository', () => {
  it('publishes with gem push (raw API key) and answers with the text gem prints', async () => {
    const r = await push(files.alpha1);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Successfully registered gem: alpha (1.0.0)');
    // A trailing slash on --host makes gem send `gems//api/v1/gems`.
    const b = await push(files.beta, token, `${base}/`);
    expect(b.stdout).toContain('Successfully registered gem: beta (0.1.0)');
    const n = await push(files.native);
    expect(n.stdout).toContain('Successfully registered gem: gamma (2.0.0.pre1-x86_64-linux)');
  });

  it('serves the compact index as text with ETag = MD5 and the checksum of every /info body', async () => {
    const versions = await get('versions');
    expect(versions.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(versions.headers.get('accept-ranges')).toBe('bytes');
    expect(versions.headers.get('content-encoding')).toBeNull();
    const text = await expectConsistentIndex();
    expect(text).toMatch(/^created_at: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n---\nalpha 1\.0\.0 [0-9a-f]{32}\nbeta 0\.1\.0 [0-9a-f]{32}\ngamma 2\.0\.0\.pre1-x86_64-linux [0-9a-f]{32}\n$/);
    const info = (await get('info/beta')).body.toString('utf8');
    const sha = createHash('sha256').update(await fsp.readFile(files.beta)).digest('hex');
    expect(info).toBe(`---\n0.1.0 alpha:~> 1.0|checksum:${sha}\n`);
    expect((await get('names')).body.toString('utf8')).toBe('---\nalpha\nbeta\ngamma\n');
    // `gem install` probes the source's root, which the edge maps to /versions.
    expect((await fetch(`${base}/`, { method: 'HEAD' })).status).toBe(200);
    const etag = versions.headers.get('etag')!;
    expect((await get('versions', { 'if-none-match': etag })).status).toBe(304);
  });

  it('installs with gem install (compact index + quick gemspec) and fetches with gem fetch', async () => {
    const r = await gem(['install', '--verbose', '--clear-sources', '--source', `${base}/`, '--no-document', 'beta']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Successfully installed alpha-1.0.0');
    expect(r.stdout).toContain('Successfully installed beta-0.1.0');
    // --verbose lists the requests: the probe of the source (200: compact index), /info, then each chosen
    // version's quick gemspec, then the .gem.
    // (Downloads run in parallel, so a request's status line may come later; every one is 200 OK.)
    const requests = r.stdout.split('\n').filter((l) => /^(GET|HEAD) /.test(l));
    expect(requests.sort()).toEqual(
      [`HEAD ${base}/`, ...['info/beta', 'info/alpha', 'quick/Marshal.4.8/beta-0.1.0.gemspec.rz', 'quick/Marshal.4.8/alpha-1.0.0.gemspec.rz', 'gems/alpha-1.0.0.gem', 'gems/beta-0.1.0.gem'].map((p) => `GET ${base}/${p}`)].sort(),
    );
    expect(r.stdout.split('\n').filter((l) => /^\d{3} /.test(l))).toEqual(requests.map(() => '200 OK'));
    const loaded = await runOk('ruby', ['-e', 'require "alpha"; require "beta"; puts Alpha.version, Beta.version'], { env, cwd: work });
    expect(loaded.stdout).toBe('1.0.0\n0.1.0\n');

    const fetchDir = join(h.tmp, 'fetch');
    await fsp.mkdir(fetchDir);
    const f = await gem(['fetch', '--clear-sources', '--source', `${base}/`, 'alpha'], {}, fetchDir);
    expect(f.code).toBe(0);
    expect(f.stdout).toContain('Downloaded alpha-1.0.0');
    expect(md5(await fsp.readFile(join(fetchDir, 'alpha-1.0.0.gem')))).toBe(md5(await fsp.readFile(files.alpha1)));
  });

  it('resolves with bundle install, then fetches only the appended part of /versions after a new release', async () => {
    const app = join(h.tmp, 'app');
    await fsp.mkdir(app);
    await fsp.writeFile(join(app, 'Gemfile'), `source "${base}/"\ngem "beta"\n`);
    const benv = { ...env, BUNDLE_PATH: join(app, 'vendor'), BUNDLE_GEMFILE: join(app, 'Gemfile') };
    const first = await run('bundle', ['install'], { cwd: app, env: benv });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Fetching gem metadata from');
    const lock = await fsp.readFile(join(app, 'Gemfile.lock'), 'utf8');
    expect(lock).toContain('    alpha (1.0.0)');
    expect(lock).toContain('    beta (0.1.0)\n      alpha (~> 1.0)');

    // Bundler keeps /versions in its cache; the next run sends Range: bytes={size-1}- and If-None-Match.
    const cacheRoot = join(env.BUNDLE_USER_CACHE!, 'compact_index');
    const [slug] = await fsp.readdir(cacheRoot);
    const cachedVersions = await fsp.readFile(join(cacheRoot, slug, 'versions'));
    expect(cachedVersions.toString('utf8')).toBe((await get('versions')).body.toString('utf8'));

    expect((await push(files.alpha11)).stdout).toContain('Successfully registered gem: alpha (1.1.0)');
    // Bundler's request, checked as its updater checks it: the 206 tail appended to the old file has the ETag's MD5.
    const partial = await get('versions', { range: `bytes=${cachedVersions.length - 1}-`, 'if-none-match': `"${md5(cachedVersions)}"` });
    expect(partial.status).toBe(206);
    const assembled = Buffer.concat([cachedVersions, partial.body.subarray(1)]);
    expect(`"${md5(assembled)}"`).toBe(partial.headers.get('etag'));
    expect(assembled.toString('utf8').slice(cachedVersions.length)).toMatch(/^alpha 1\.1\.0 [0-9a-f]{32}\n$/);

    const update = await run('bundle', ['update', 'alpha', '--verbose'], { cwd: app, env: benv });
    expect(update.code).toBe(0);
    // --verbose logs each response: /versions came back as a 206 with just the new line.
    expect(update.stdout).toContain(`HTTP 206 Partial Content ${base}/versions`);
    expect(await fsp.readFile(join(app, 'Gemfile.lock'), 'utf8')).toContain('    alpha (1.1.0)');
    expect((await fsp.readFile(join(cacheRoot, slug, 'versions'))).equals((await get('versions')).body)).toBe(true);
    expect((await fsp.readFile(join(cacheRoot, slug, 'info', 'alpha'))).equals((await get('info/alpha')).body)).toBe(true);
    await expectConsistentIndex();
  });

  it('serves the legacy Marshal indexes that gem search and old clients read', async () => {
    const r = await gem(['search', '--remote', '--all', '--clear-sources', '--source', `${base}/`, 'alpha']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('alpha (1.1.0, 1.0.0)');
    const pre = await gem(['search', '--remote', '--prerelease', '--clear-sources', '--source', `${base}/`, 'gamma']);
    expect(pre.stdout).toContain('gamma (2.0.0.pre1 x86_64-linux)');
    for (const f of ['specs.4.8.gz', 'latest_specs.4.8.gz', 'prerelease_specs.4.8.gz']) {
      const res = await get(f);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBeNull();
    }
  });

  it('accepts a .gem through the direct upload path, installable with gem install', async () => {
    const res = await h.api.pushDirect(repo, 'gems', files.gamma);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'gamma', version: '2.0.0.pre1', arch: '', filename: 'gamma-2.0.0.pre1.gem', blobKey: `${repo}/gems/gems/gamma-2.0.0.pre1.gem` });
    await h.registry.idle();
    const r = await gem(['install', '--clear-sources', '--source', `${base}/`, '--no-document', '--prerelease', 'gamma', '--platform', 'ruby']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Successfully installed gamma-2.0.0.pre1');
    expect((await get('info/gamma')).body.toString('utf8')).toMatch(/^---\n2\.0\.0\.pre1-x86_64-linux \|checksum:[0-9a-f]{64},rubygems:> 1\.3\.1\n2\.0\.0\.pre1 \|checksum:[0-9a-f]{64},ruby:>= 2\.5,rubygems:> 1\.3\.1\n$/);
    await expectConsistentIndex();
  });

  it('yanks with gem yank: gone from /info and the legacy indexes, logged with "-" in /versions', async () => {
    const r = await gem(['yank', 'alpha', '-v', '1.0.0', '--host', base], { GEM_HOST_API_KEY: token });
    await h.registry.idle();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Successfully deleted gem: alpha (1.0.0)');
    const info = (await get('info/alpha')).body.toString('utf8');
    expect(info).not.toMatch(/^1\.0\.0 /m);
    expect(info).toMatch(/^1\.1\.0 /m);
    const versions = await expectConsistentIndex();
    expect(versions.trimEnd().split('\n').at(-1)).toMatch(/^alpha -1\.0\.0 [0-9a-f]{32}$/);
    // gem revalidates its cached specs.4.8 with If-Modified-Since from the cache file's mtime, to the second: a
    // yank published within the second of an earlier search is (rightly, by HTTP dates) 304. A fresh cache shows
    // what the registry serves.
    const search = await gem(['search', '--remote', '--all', '--clear-sources', '--source', `${base}/`, 'alpha'], { GEM_SPEC_CACHE: join(h.tmp, 'spec-cache-after-yank') });
    expect(search.stdout).toContain('alpha (1.1.0)');
    const install = await gem(['install', '--clear-sources', '--source', `${base}/`, '--no-document', 'alpha', '-v', '1.0.0'], { GEM_HOME: join(h.tmp, 'other-gems') });
    expect(install.code).not.toBe(0);
    expect(install.stderr).toMatch(/Could not find a valid gem 'alpha' \(= 1\.0\.0\)/);

    const before = await h.snapshot(repo);
    // gem yank prints the answer whatever its status.
    const again = await gem(['yank', 'alpha', '-v', '1.0.0', '--host', base], { GEM_HOST_API_KEY: token });
    expect(again.stdout).toContain('alpha (1.0.0) has already been yanked');
    const missing = await gem(['yank', 'alpha', '-v', '9.9.9', '--host', base], { GEM_HOST_API_KEY: token });
    expect(missing.stdout).toContain(`alpha (9.9.9) does not exist in ${repo}`);
    const platform = await gem(['yank', 'gamma', '-v', '2.0.0.pre1', '--platform', 'x86_64-linux', '--host', base], { GEM_HOST_API_KEY: token });
    await h.registry.idle();
    expect(platform.stdout).toContain('Successfully deleted gem: gamma (2.0.0.pre1-x86_64-linux)');
    expect((await get('info/gamma')).body.toString('utf8')).toMatch(/^---\n2\.0\.0\.pre1 \|/);
    // A yanked number stays taken.
    const repush = await push(files.alpha1);
    expect(repush.code).not.toBe(0);
    expect(repush.stdout).toContain('alpha 1.0.0 already exists');
    expect((await h.snapshot(repo)).ids).toEqual(before.ids);
  });
});

describe('gem push refusals leave the repository unchanged', () => {
  let before: Awaited<ReturnType<Harness['snapshot']>>;
  beforeEach(async () => {
    await h.registry.idle();
    before = await h.snapshot(repo);
  });
  afterEach(async () => {
    expect(await h.snapshot(repo)).toEqual(before);
  });

  it('refuses a duplicate with 409, as gem push prints it', async () => {
    const r = await push(files.beta);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`beta 0.1.0 already exists in ${repo} beta`);
  });

  it('refuses an invalid token with 401 and a Basic challenge, without asking for a one-time code', async () => {
    const r = await push(files.alpha11, 'pky_not-a-token');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('the token is invalid, revoked or expired');
    expect(r.stdout).not.toMatch(/code|otp/i);
    const raw = await rawPush(await fsp.readFile(files.alpha11), 'pky_not-a-token');
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).toBe(`Basic realm="${repo}"`);
  });

  it('refuses a token without push with 403', async () => {
    const t = await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'reader', grants: { [repo]: ['read'] } });
    const r = await push(files.alpha11, t.body.token);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`the token may not push ${repo}`);
    const y = await gem(['yank', 'beta', '-v', '0.1.0', '--host', base], { GEM_HOST_API_KEY: t.body.token });
    expect(y.stdout).toContain(`the token may not yank ${repo}`);
  });

  it('refuses a gemspec breaking the name rules, sent by gem push', async () => {
    const bad = await repackGem(await fsp.readFile(files.alpha11), (_m, y) => (y.text = y.text.replace('name: alpha', 'name: "2024"')));
    const file = join(dir, '2024-1.1.0.gem');
    await fsp.writeFile(file, bad);
    const r = await push(file);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('invalid gem name "2024": it must include at least one letter');
  });

  // The gem client verifies a .gem before sending it, so these go as raw requests.
  it.each<[string, () => Promise<Uint8Array>, RegExp, number?]>([
    ['a file that is not a gem', async () => Buffer.from('hello'.repeat(200)), /^the file is not a package Packyard recognises/, 415],
    ['a checksum mismatch', async () => repackGem(await fsp.readFile(files.alpha11), (m) => m.set('data.tar.gz', gzipSync(Buffer.alloc(2048))), { keepChecksums: true }), /^SHA256 checksum mismatch for data\.tar\.gz/],
    ['a missing data.tar.gz', async () => repackGem(await fsp.readFile(files.alpha11), (m) => m.delete('data.tar.gz')), /^the \.gem has no data\.tar\.gz/],
    ['a path traversal in data.tar.gz', async () => {
      const data = await dataTarGz([{ name: '../../etc/profile.d/x.sh', body: Buffer.from('echo owned\n') }]);
      return repackGem(await fsp.readFile(files.alpha11), (m) => m.set('data.tar.gz', data));
    }, /^data\.tar\.gz holds an unsafe path "\.\.\/\.\.\/etc\/profile\.d\/x\.sh"/],
    ['a metadata.gz bomb', async () => repackGem(await fsp.readFile(files.alpha11), (m) => m.set('metadata.gz', gzipSync(Buffer.alloc(9 * 1024 * 1024, 0x20)))), /decompresses to more than 8388608 bytes/],
    ['a member path in the gem tar', async () => packTar([{ name: 'x/../../metadata.gz', body: Buffer.from('x') }]), /^the \.gem holds an unexpected entry/],
  ])('refuses %s with a plain-text reason', async (_what, make, message, status = 400) => {
    const res = await rawPush(await make());
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.text).toMatch(message);
  });
});

describe('gem and bundle against a private repository', () => {
  const secret = 'acme/gems-private';
  let reader: string;
  let sbase: string;
  let authBase: string;

  beforeAll(async () => {
    expect((await h.api.createRepo(secret, 'private')).status).toBe(201);
    const t = await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'writer', grants: { [secret]: ['read', 'push'] } });
    const r = await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'reader', grants: { [secret]: ['read'] } });
    reader = r.body.token;
    sbase = `${h.url}/${secret}/gems`;
    authBase = sbase.replace('http://', `http://${reader}:@`);
    expect((await push(files.alpha11, t.body.token, sbase)).stdout).toContain('Successfully registered gem: alpha (1.1.0)');
  });

  it('answers anonymous reads with 401 and a Basic challenge', async () => {
    for (const path of ['versions', 'info/alpha', 'gems/alpha-1.1.0.gem', 'api/v1/dependencies?gems=alpha']) {
      const res = await fetch(`${sbase}/${path}`);
      expect([path, res.status]).toEqual([path, 401]);
      expect(res.headers.get('www-authenticate')).toBe(`Basic realm="${secret}"`);
    }
    const r = await gem(['install', '--clear-sources', '--source', `${sbase}/`, '--no-document', 'alpha'], { GEM_HOME: join(h.tmp, 'anon-gems') });
    expect(r.code).not.toBe(0);
  });

  it('installs with the token in the source URL (gem) and in bundle config (bundle)', async () => {
    const r = await gem(['install', '--clear-sources', '--source', `${authBase}/`, '--no-document', 'alpha'], { GEM_HOME: join(h.tmp, 'private-gems') });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Successfully installed alpha-1.1.0');

    const app = join(h.tmp, 'private-app');
    await fsp.mkdir(app);
    await fsp.writeFile(join(app, 'Gemfile'), `source "${sbase}/"\ngem "alpha"\n`);
    const benv = { ...env, BUNDLE_PATH: join(app, 'vendor'), BUNDLE_GEMFILE: join(app, 'Gemfile'), BUNDLE_USER_CACHE: join(app, 'cache') };
    const denied = await run('bundle', ['install'], { cwd: app, env: benv });
    expect(denied.code).not.toBe(0);
    expect(denied.stdout + denied.stderr).toMatch(/credentials|Authentication is required/i);
    await runOk('bundle', ['config', 'set', '--local', `${sbase}/`, `${reader}:`], { cwd: app, env: benv });
    const ok = await run('bundle', ['install'], { cwd: app, env: benv });
    expect(ok.code).toBe(0);
    expect(await fsp.readFile(join(app, 'Gemfile.lock'), 'utf8')).toContain('    alpha (1.1.0)');
  });
});
