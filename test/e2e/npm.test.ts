import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { run as runCli } from '../../cli/main';
import { captureIo } from '../unit/cli/support/capture-io';
import { Npm, packNpm } from '../support/npm-packages';
import { startHarness, type Harness } from './support/registry';

let h: Harness;
let token: string;
let work: string;

const repo = 'acme/js';
const registryOf = (r: string) => `${h.url}/${r}/npm/`;

beforeAll(async () => {
  h = await startHarness();
  work = join(h.tmp, 'npm');
  await fsp.mkdir(work);
  expect((await h.api.createRepo(repo)).status).toBe(201);
  const t = await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'ci', user: 'ci-bot', grants: { [repo]: ['read', 'push', 'yank'], 'acme/secret': ['read', 'push', 'yank'] } });
  expect(t.status).toBe(201);
  token = t.body.token;
});
afterAll(async () => h?.close());

/** An isolated npm for one scenario, pointed at a repository's registry; `withToken` null for none. */
async function npmFor(name: string, r = repo, withToken: string | null = token): Promise<Npm> {
  const npm = new Npm(join(work, name));
  await fsp.mkdir(npm.dir, { recursive: true });
  await npm.configure(registryOf(r), withToken ?? undefined);
  return npm;
}

const digest = (algo: string, b: Uint8Array, enc: 'hex' | 'base64') => createHash(algo).update(b).digest(enc);

/** A registry read as npm makes it (the edge picks the abbreviated document by Accept). */
async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${h.url}${path}`, { headers });
  const text = await res.text();
  let body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- packuments are free-form JSON
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

/** A raw write to the registry, for what the real client cannot be made to send; `auth` null sends no credentials. */
async function send(method: string, path: string, body?: unknown, auth: string | null = token) {
  const res = await fetch(`${h.url}/${repo}/npm/${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as { error?: string; code?: string; ok?: boolean }, headers: res.headers };
}

/** The document libnpmpublish sends for one tarball, built from its bytes. */
function publishDoc(name: string, version: string, tgz: Buffer, tag = 'latest') {
  return {
    _id: name,
    name,
    'dist-tags': { [tag]: version },
    versions: {
      [version]: {
        name,
        version,
        _id: `${name}@${version}`,
        dist: { integrity: `sha512-${digest('sha512', tgz, 'base64')}`, shasum: digest('sha1', tgz, 'hex'), tarball: `http://elsewhere/${name}.tgz` },
      },
    },
    _attachments: { [`${name}-${version}.tgz`]: { content_type: 'application/octet-stream', data: tgz.toString('base64'), length: tgz.length } },
  };
}

/** A hand-made package tarball, for what npm pack would never produce. */
async function tgz(entries: { name: string; body?: string | Buffer; type?: 'file' | 'symlink' | 'link'; linkname?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type === 'symlink' || e.type === 'link') pack.entry({ name: e.name, type: e.type, linkname: e.linkname });
    else pack.entry({ name: e.name }, e.body ?? '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

const manifest = (name: string, version: string) => JSON.stringify({ name, version });

/** Installs `deps` into a fresh project and returns the installed version of each. */
async function install(npm: Npm, project: string, deps: Record<string, string>) {
  const dir = join(npm.dir, project);
  await fsp.mkdir(dir, { recursive: true });
  await fsp.writeFile(join(dir, 'package.json'), JSON.stringify({ name: project, version: '0.0.0', private: true, dependencies: deps }));
  const r = await npm.run(['install', '--no-package-lock'], dir);
  const versions: Record<string, string> = {};
  if (r.code === 0) {
    for (const name of Object.keys(deps)) {
      versions[name] = (JSON.parse(await fsp.readFile(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    }
  }
  return { ...r, versions };
}

describe('npm publish and install in a public repository', () => {
  let npm: Npm;
  let left100: string;

  beforeAll(async () => {
    npm = await npmFor('public');
  });

  it('publishes a new package and serves its packuments with absolute tarball URLs and integrity', async () => {
    left100 = await packNpm(npm, npm.dir, { name: 'left', version: '1.0.0', fields: { dependencies: {}, bin: 'cli.js' }, files: { 'cli.js': '#!/usr/bin/env node\n', 'README.md': '# left\n' } });
    const r = await npm.run(['publish', left100]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    await h.registry.idle();

    const bytes = await fsp.readFile(left100);
    const full = await get(`/${repo}/npm/left`);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('application/json');
    expect(full.body).toMatchObject({ _id: 'left', name: 'left', description: 'left for tests', 'dist-tags': { latest: '1.0.0' }, readme: '# left\n' });
    expect(full.body._rev).toMatch(/^\d+-[0-9a-f]+$/);
    expect(Object.keys(full.body.time)).toEqual(['created', 'modified', '1.0.0']);
    const v = full.body.versions['1.0.0'];
    expect(v).toMatchObject({ name: 'left', version: '1.0.0', _id: 'left@1.0.0', bin: { left: 'cli.js' } });
    expect(v.dist).toEqual({
      integrity: `sha512-${digest('sha512', bytes, 'base64')}`,
      shasum: digest('sha1', bytes, 'hex'),
      tarball: `${h.url}/${repo}/npm/left/-/left-1.0.0.tgz`,
      fileCount: 4,
      unpackedSize: expect.any(Number),
    });
    const abbrev = await get(`/${repo}/npm/left`, { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*' });
    expect(abbrev.headers.get('content-type')).toBe('application/vnd.npm.install-v1+json');
    expect(Object.keys(abbrev.body).sort()).toEqual(['dist-tags', 'modified', 'name', 'versions']);
    expect(abbrev.body.versions['1.0.0'].dist.tarball).toBe(v.dist.tarball);
    const tarball = await fetch(v.dist.tarball);
    expect(Buffer.from(await tarball.arrayBuffer()).equals(bytes)).toBe(true);

    const view = await npm.runOk(['view', 'left', '--json']);
    expect(JSON.parse(view.stdout)).toMatchObject({ name: 'left', version: '1.0.0', 'dist-tags': { latest: '1.0.0' } });

    const unknown = await get(`/${repo}/npm/nosuch`);
    expect([unknown.status, unknown.body]).toEqual([404, { error: 'not found' }]);
    const missing = await npm.run(['view', '@acme/nosuch']);
    expect(missing.stderr).toMatch(/npm error code E404/);
    expect(missing.stderr).toMatch(/404 Not Found - GET .*\/npm\/@acme%2fnosuch - not found/);
  });

  it('publishes new versions, a scoped package and a pre-release under --tag; npm installs exact, range, latest, tag and scoped', async () => {
    for (const spec of [
      { name: 'left', version: '1.1.0', fields: { bin: 'cli.js' }, files: { 'cli.js': '#!/usr/bin/env node\n' } },
      { name: '@acme/widget', version: '1.0.0', fields: { dependencies: { left: '^1.0.0' } } },
    ]) {
      const r = await npm.run(['publish', await packNpm(npm, npm.dir, spec)]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const beta = await npm.run(['publish', await packNpm(npm, npm.dir, { name: 'left', version: '2.0.0-beta.1' }), '--tag', 'beta']);
    expect(beta.code).toBe(0);
    await h.registry.idle();

    const scoped = await get(`/${repo}/npm/@acme%2fwidget`);
    expect(scoped.body['dist-tags']).toEqual({ latest: '1.0.0' });
    expect(scoped.body.versions['1.0.0'].dist.tarball).toBe(`${h.url}/${repo}/npm/@acme/widget/-/widget-1.0.0.tgz`);
    expect((await get(`/${repo}/npm/@acme/widget`)).body.name).toBe('@acme/widget');
    expect((await get(`/${repo}/npm/left`)).body['dist-tags']).toEqual({ latest: '1.1.0', beta: '2.0.0-beta.1' });

    const exact = await install(npm, 'exact', { left: '1.0.0', '@acme/widget': 'latest' });
    expect(exact.stderr).toBe('');
    expect(exact.versions).toEqual({ left: '1.0.0', '@acme/widget': '1.0.0' });
    expect((await fsp.lstat(join(npm.dir, 'exact', 'node_modules', '.bin', 'left'))).isSymbolicLink()).toBe(true);
    expect((await install(npm, 'range', { left: '^1.0.0' })).versions).toEqual({ left: '1.1.0' });
    expect((await install(npm, 'latest', { left: 'latest' })).versions).toEqual({ left: '1.1.0' });
    expect((await install(npm, 'tagged', { left: 'beta' })).versions).toEqual({ left: '2.0.0-beta.1' });
  });

  it('adds, lists and removes dist-tags; latest cannot be removed', async () => {
    const add = await npm.runOk(['dist-tag', 'add', 'left@1.0.0', 'stable']);
    expect(add.stdout.trim()).toBe('+stable: left@1.0.0');
    await h.registry.idle();
    expect((await npm.runOk(['dist-tag', 'ls', 'left'])).stdout.trim().split('\n')).toEqual(['beta: 2.0.0-beta.1', 'latest: 1.1.0', 'stable: 1.0.0']);
    expect((await install(npm, 'stable', { left: 'stable' })).versions).toEqual({ left: '1.0.0' });

    const rm = await npm.runOk(['dist-tag', 'rm', 'left', 'beta']);
    expect(rm.stdout.trim()).toBe('-beta: left@2.0.0-beta.1');
    await h.registry.idle();
    expect((await npm.runOk(['dist-tag', 'ls', 'left'])).stdout.trim().split('\n')).toEqual(['latest: 1.1.0', 'stable: 1.0.0']);

    const before = await h.snapshot(repo);
    const latest = await npm.run(['dist-tag', 'rm', 'left', 'latest']);
    expect(latest.code).not.toBe(0);
    expect(latest.stderr).toMatch(/400 Bad Request - DELETE .* - the latest tag cannot be removed/);
    const missing = await npm.run(['dist-tag', 'add', 'left@9.9.9', 'stable']);
    expect(missing.stderr).toMatch(/404 Not Found - PUT .* - left@9.9.9 is not published/);
    const range = await send('PUT', '-/package/left/dist-tags/1.x', '"1.0.0"');
    expect(range).toMatchObject({ status: 400, body: { code: 'NPM_INVALID_TAG' } });
    await h.registry.idle();
    expect(await h.snapshot(repo)).toEqual(before);
  });

  it('deprecates and undeprecates with npm deprecate, and npm install warns', async () => {
    await npm.runOk(['deprecate', 'left@1.0.0', 'use left 1.1']);
    await h.registry.idle();
    const full = await get(`/${repo}/npm/left`);
    expect(full.body.versions['1.0.0'].deprecated).toBe('use left 1.1');
    expect(full.body.versions['1.1.0'].deprecated).toBeUndefined();
    const abbrev = await get(`/${repo}/npm/left`, { accept: 'application/vnd.npm.install-v1+json' });
    expect(abbrev.body.versions['1.0.0'].deprecated).toBe('use left 1.1');
    const warned = await install(npm, 'deprecated', { left: '1.0.0' });
    expect(warned.stderr).toMatch(/npm warn deprecated left@1\.0\.0: use left 1\.1/);

    await npm.runOk(['deprecate', 'left@1.0.0', '']);
    await h.registry.idle();
    expect((await get(`/${repo}/npm/left`)).body.versions['1.0.0'].deprecated).toBeUndefined();
  });

  it('refuses to publish over a published version (409), leaving the repository unchanged', async () => {
    const before = await h.snapshot(repo);
    const client = await npm.run(['publish', left100, '--tag', 'again']);
    expect(client.stderr).toMatch(/You cannot publish over the previously published versions: 1\.0\.0/);
    const forced = await npm.run(['publish', left100, '--tag', 'again', '--force']);
    expect(forced.code).not.toBe(0);
    expect(forced.stderr).toMatch(/npm error code E409/);
    expect(forced.stderr).toMatch(/409 Conflict - PUT .*\/left - cannot publish over the previously published version left@1\.0\.0/);
    await h.registry.idle();
    expect(await h.snapshot(repo)).toEqual(before);
  });

  it('unpublishes one version as a yank: gone from the packument, its number burned', async () => {
    const r = await npm.run(['unpublish', 'left@1.0.0']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('- left@1.0.0');
    await h.registry.idle();
    const full = await get(`/${repo}/npm/left`);
    expect(Object.keys(full.body.versions)).toEqual(['1.1.0', '2.0.0-beta.1']);
    expect(full.body.time['1.0.0']).toEqual(expect.any(String));
    // The stable tag pointed at the unpublished version.
    expect(full.body['dist-tags']).toEqual({ latest: '1.1.0' });
    const pkgs = await h.api.call<{ packages: { name: string; version: string; yanked?: { at: string } }[] }>('GET', `/api/v1/repos/${repo}/packages?format=npm`);
    expect(pkgs.body.packages.find((p) => p.name === 'left' && p.version === '1.0.0')?.yanked?.at).toEqual(expect.any(String));
    expect((await install(npm, 'gone', { left: '1.0.0' })).stderr).toMatch(/ETARGET|No matching version/);

    const before = await h.snapshot(repo);
    const again = await npm.run(['publish', left100, '--tag', 'old']);
    expect(again.stderr).toMatch(/409 Conflict - PUT .* - left@1\.0\.0 was unpublished; a version number cannot be used again/);
    await h.registry.idle();
    expect(await h.snapshot(repo)).toEqual(before);
  });
});

describe('npm documents the real client sends after reading the packument', () => {
  it('accepts a whole packument with a new version (npm\'s retry after a 409), never trusting the client\'s dist', async () => {
    const npm = await npmFor('merge');
    const current = (await get(`/${repo}/npm/left?write=true`)).body;
    const bytes = await fsp.readFile(await packNpm(npm, npm.dir, { name: 'left', version: '1.2.0' }));
    const doc = await publishDoc('left', '1.2.0', bytes);
    const ours = current.versions['1.1.0'].dist;
    const merged = {
      ...current,
      versions: { ...current.versions, '1.1.0': { ...current.versions['1.1.0'], dist: { ...ours, tarball: 'http://evil.example/left.tgz', shasum: '0'.repeat(40) } }, ...doc.versions },
      'dist-tags': { ...current['dist-tags'], latest: '1.2.0' },
      _attachments: doc._attachments,
    };
    const put = await send('PUT', 'left', merged);
    expect(put.status).toBe(201);
    await h.registry.idle();
    const after = (await get(`/${repo}/npm/left`)).body;
    expect(after.versions['1.1.0'].dist).toEqual(ours);
    expect(after.versions['1.2.0'].dist.tarball).toBe(`${h.url}/${repo}/npm/left/-/left-1.2.0.tgz`);
    expect(after['dist-tags'].latest).toBe('1.2.0');
  });

  it('refuses to change a published version and a write based on a stale revision (409), leaving the repository unchanged', async () => {
    const before = await h.snapshot(repo);
    const current = (await get(`/${repo}/npm/left?write=true`)).body;
    const changed = { ...current, versions: { ...current.versions, '1.1.0': { ...current.versions['1.1.0'], dependencies: { evil: '*' } } } };
    const put = await send('PUT', 'left', changed);
    expect(put).toMatchObject({ status: 409, body: { code: 'NPM_VERSION_IMMUTABLE', error: expect.stringMatching(/left@1\.1\.0 is published and cannot be changed \(dependencies differ\)/) } });
    const { ['1.1.0']: _gone, ...rest } = current.versions;
    const stale = await send('PUT', 'left/-rev/1-0123456789abcdef', { ...current, versions: rest });
    expect(stale).toMatchObject({ status: 409, body: { code: 'NPM_STALE_REVISION' } });
    const anonymous = await send('PUT', 'left', current, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(`Basic realm="${repo}"`);
    const reader = await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'reader', grants: { [repo]: ['read'] } });
    const deprecate = { ...current, versions: { ...current.versions, '1.1.0': { ...current.versions['1.1.0'], deprecated: 'no' } } };
    expect(await send('PUT', 'left', deprecate, reader.body.token)).toMatchObject({ status: 403, body: { error: `the token may not yank ${repo}` } });
    await h.registry.idle();
    expect(await h.snapshot(repo)).toEqual(before);
  });

  it('unpublishes the last version only with --force; the package keeps its numbers', async () => {
    const npm = await npmFor('solo');
    await npm.runOk(['publish', await packNpm(npm, npm.dir, { name: 'solo', version: '1.0.0' })]);
    await h.registry.idle();
    const refused = await npm.run(['unpublish', 'solo@1.0.0']);
    expect(refused.stderr).toMatch(/Refusing to delete the last version/);
    await npm.runOk(['unpublish', 'solo@1.0.0', '--force']);
    await h.registry.idle();
    const full = (await get(`/${repo}/npm/solo`)).body;
    expect(full.versions).toEqual({});
    expect(full['dist-tags']).toEqual({});
    expect(full.time.unpublished).toMatchObject({ versions: ['1.0.0'] });
    const bytes = await fsp.readFile(join(npm.dir, 'solo-1.0.0.tgz'));
    expect(await send('PUT', 'solo', await publishDoc('solo', '1.0.0', bytes))).toMatchObject({ status: 409, body: { code: 'NPM_VERSION_UNPUBLISHED' } });
  });
});

describe('publish validation: each rule answers in npm\'s envelope and leaves the repository unchanged', () => {
  let good: Buffer;

  beforeAll(async () => {
    good = await tgz([{ name: 'package/package.json', body: manifest('left', '3.0.0') }]);
  });

  const reject = async (name: string, doc: unknown, status: number, code: string, message: RegExp) => {
    const before = await h.snapshot(repo);
    const res = await send('PUT', name, doc);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.body).toMatchObject({ code, error: expect.stringMatching(message) });
    await h.registry.idle();
    expect(await h.snapshot(repo)).toEqual(before);
  };
  const withTarball = async (bytes: Buffer, name = 'left', version = '3.0.0') => publishDoc(name, version, bytes);

  it.each([
    ['not gzip', () => withTarball(Buffer.from('just text, not a tarball')), 'NPM_NOT_GZIP', /not gzip-compressed/],
    ['a gzip that is not a tar', () => withTarball(gzipSync(randomBytes(4096))), 'NPM_CORRUPT', /not a valid gzip-compressed tar/],
    ['no package.json', async () => withTarball(await tgz([{ name: 'package/index.js', body: '1' }])), 'NPM_NO_MANIFEST', /no package\/package.json/],
    ['package.json not JSON', async () => withTarball(await tgz([{ name: 'package/package.json', body: '{name:' }])), 'NPM_BAD_MANIFEST', /not valid JSON/],
    ['another name in package.json', async () => withTarball(await tgz([{ name: 'package/package.json', body: manifest('right', '3.0.0') }])), 'NPM_NAME_MISMATCH', /names "right", but "left" is being published/],
    ['another version in package.json', async () => withTarball(await tgz([{ name: 'package/package.json', body: manifest('left', '3.0.1') }])), 'NPM_VERSION_MISMATCH', /version "3.0.1", but "3.0.0"/],
    ['an invalid name in package.json', async () => withTarball(await tgz([{ name: 'package/package.json', body: manifest('Left', '3.0.0') }])), 'NPM_INVALID_NAME', /must be lower case/],
    ['a version that is not semver in package.json', async () => withTarball(await tgz([{ name: 'package/package.json', body: manifest('left', '3.0') }])), 'NPM_INVALID_VERSION', /invalid version "3.0"/],
    ['a path escaping the package', async () => withTarball(await tgz([{ name: 'package/package.json', body: manifest('left', '3.0.0') }, { name: 'package/../../evil.js', body: 'x' }])), 'NPM_UNSAFE_PATH', /unsafe path/],
    ['a symbolic link out of the package', async () => withTarball(await tgz([{ name: 'package/package.json', body: manifest('left', '3.0.0') }, { name: 'package/passwd', type: 'symlink', linkname: '../../../etc/passwd' }])), 'NPM_UNSAFE_PATH', /points outside the package/],
    ['an attachment length that is wrong', async () => { const d = await withTarball(good); d._attachments['left-3.0.0.tgz'].length += 1; return d; }, 'NPM_LENGTH_MISMATCH', /declares \d+ bytes but holds \d+/],
    ['a sha512 that does not match', async () => { const d = await withTarball(good); d.versions['3.0.0'].dist.integrity = `sha512-${digest('sha512', Buffer.from('other'), 'base64')}`; return d; }, 'NPM_INTEGRITY_MISMATCH', /dist.integrity sha512-.* does not match/],
    ['a sha1 that does not match', async () => { const d = await withTarball(good); d.versions['3.0.0'].dist.shasum = digest('sha1', Buffer.from('other'), 'hex'); return d; }, 'NPM_INTEGRITY_MISMATCH', /dist.shasum .* does not match/],
    ['no sha512', async () => { const d = await withTarball(good); d.versions['3.0.0'].dist.integrity = ''; return d; }, 'NPM_INTEGRITY_MISSING', /sha512/],
    ['a new version without its tarball', async () => ({ ...(await withTarball(good)), _attachments: {} }), 'NPM_MISSING_ATTACHMENT', /left@3.0.0 is new but the document carries no tarball/],
  ] as [string, () => Promise<unknown>, string, RegExp][])('refuses %s', async (_what, make, code, message) => {
    await reject('left', await make(), 400, code, message);
  });

  it('refuses an invalid package name and a version that is not semver in the document', async () => {
    await reject('Left', await publishDoc('Left', '3.0.0', good), 400, 'NPM_INVALID_NAME', /invalid package name "Left": a new package name must be lower case/);
    await reject('left', await publishDoc('left', '3.0', good), 400, 'NPM_INVALID_VERSION', /invalid version "3.0"/);
  });

  it('refuses an archive bomb', async () => {
    const pack = tar.pack();
    const size = 520 * 1024 * 1024;
    const gz = createGzip({ level: 9 });
    const out: Buffer[] = [];
    gz.on('data', (c: Buffer) => out.push(c));
    const done = new Promise((resolve) => gz.on('end', resolve));
    pack.pipe(gz);
    pack.entry({ name: 'package/package.json' }, manifest('left', '3.0.0'));
    const zeros = Buffer.alloc(1024 * 1024);
    const entry = pack.entry({ name: 'package/zeros', size });
    for (let i = 1; i < size / zeros.length; i++) if (!entry.write(zeros)) await new Promise<void>((r) => entry.once('drain', () => r()));
    entry.end(zeros);
    pack.finalize();
    await done;
    const bomb = Buffer.concat(out);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    await reject('left', await publishDoc('left', '3.0.0', bomb), 400, 'NPM_TOO_LARGE', /decompresses to more than/);
  });

  it('takes package.json from whatever the first folder is called', async () => {
    const odd = await tgz([{ name: 'odd/package.json', body: manifest('odd', '1.0.0') }, { name: 'odd/index.js', body: 'module.exports = 1;\n' }]);
    expect((await send('PUT', 'odd', await publishDoc('odd', '1.0.0', odd))).status).toBe(201);
    await h.registry.idle();
    expect((await get(`/${repo}/npm/odd`)).body.versions['1.0.0'].dist.fileCount).toBe(2);
  });
});

describe('a private repository', () => {
  const secret = 'acme/secret';

  beforeAll(async () => {
    expect((await h.api.createRepo(secret, 'private')).status).toBe(201);
  });

  it('publishes and installs with a token; anonymous npm gets 401 (E401)', async () => {
    const npm = await npmFor('private', secret);
    const pub = await npm.run(['publish', await packNpm(npm, npm.dir, { name: '@acme/hidden', version: '1.0.0' })]);
    expect(pub.stderr).toBe('');
    await h.registry.idle();
    expect((await install(npm, 'with-token', { '@acme/hidden': '^1.0.0' })).versions).toEqual({ '@acme/hidden': '1.0.0' });
    expect((await npm.runOk(['whoami'])).stdout.trim()).toBe('ci-bot');
    expect((await npm.run(['ping'])).code).toBe(0);

    const anonymous = await npmFor('anonymous', secret, null);
    const denied = await install(anonymous, 'denied', { '@acme/hidden': '^1.0.0' });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/npm error code E401/);
    const ping = await fetch(`${h.url}/${secret}/npm/-/ping`);
    expect(ping.status).toBe(401);
    expect(ping.headers.get('www-authenticate')).toBe(`Basic realm="${secret}"`);
    expect(await ping.json()).toEqual({ error: 'authentication required', code: 'UNAUTHORIZED' });
  });
});

describe('large tarballs and the presigned path', () => {
  let npm: Npm;

  beforeAll(async () => {
    npm = await npmFor('large');
  });

  /** The packyard CLI in-process against the local registry. */
  async function packyard(...argv: string[]) {
    const { io, stdout, stderr } = captureIo({ env: { PACKYARD_URL: h.url, PACKYARD_TOKEN: h.admin }, cwd: npm.dir });
    const code = await runCli(argv, io);
    await h.registry.idle();
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  it('accepts a tarball pushed directly, which npm then installs', async () => {
    const file = await packNpm(npm, npm.dir, { name: 'direct', version: '0.3.0' });
    const res = await h.api.pushDirect(repo, 'npm', file);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'direct', version: '0.3.0', distribution: 'npm', filename: 'direct-0.3.0.tgz' });
    await h.registry.idle();
    expect((await get(`/${repo}/npm/direct`)).body['dist-tags']).toEqual({ latest: '0.3.0' });
    expect((await install(npm, 'direct', { direct: '*' })).versions).toEqual({ direct: '0.3.0' });
  });

  it('answers a publish over the request limit with 413 naming packyard push, which takes the same tarball', async () => {
    const blob = randomBytes(5_000_000);
    const file = await packNpm(npm, npm.dir, { name: 'big', version: '1.0.0', files: { 'blob.bin': blob } });
    expect((await fsp.stat(file)).size).toBeGreaterThan(4.5 * 1024 * 1024);
    const before = await h.snapshot(repo);
    const pub = await npm.run(['publish', file]);
    expect(pub.code).not.toBe(0);
    expect(pub.stderr).toMatch(/npm error code E413/);
    expect(pub.stderr).toMatch(/413 Payload Too Large - PUT .* - .*upload larger files with the presigned route: packyard push acme\/js\/npm <file>/);
    expect(await h.snapshot(repo)).toEqual(before);

    const pushed = await packyard('push', `${repo}/npm`, `./${file.split('/').pop()}`, '--json');
    expect(pushed.code).toBe(0);
    expect(JSON.parse(pushed.stdout)).toMatchObject([{ status: 'accepted', package: { name: 'big', version: '1.0.0' } }]);
    const installed = await install(npm, 'big', { big: '1.0.0' });
    expect(installed.versions).toEqual({ big: '1.0.0' });
    expect((await fsp.readFile(join(npm.dir, 'big', 'node_modules', 'big', 'blob.bin'))).equals(blob)).toBe(true);
  });
});
