import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { zipSync } from 'fflate';
import { run as runCli } from '../../cli/main';
import { captureIo } from '../unit/cli/support/capture-io';
import { tgz } from '../unit/pypi/dists';
import { run, runOk, type RunResult } from '../support/exec';
import { buildPythonProject, isolatedPythonEnv } from '../support/python-packages';
import { startHarness, type Harness } from './support/registry';

let h: Harness;
let work: string;
let env: NodeJS.ProcessEnv;
let writer: string;
let reader: string;
const repo = 'acme/py';
const secret = 'acme/secret';
const built: Record<string, { wheel: string; sdist: string }> = {};

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const base = (r: string) => `${h.url}/${r}/pypi`;

beforeAll(async () => {
  h = await startHarness();
  work = join(h.tmp, 'py');
  await fsp.mkdir(work);
  env = isolatedPythonEnv(work);
  expect((await h.api.createRepo(repo)).status).toBe(201);
  expect((await h.api.createRepo(secret, 'private')).status).toBe(201);
  const token = async (grants: Record<string, string[]>) => (await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'ci', grants })).body.token;
  writer = await token({ [repo]: ['read', 'push', 'yank'], [secret]: ['read', 'push'] });
  reader = await token({ [secret]: ['read'] });
  // One at a time: CPU is shared with the registry starting up.
  for (const version of ['1.0', '1.1', '2.0']) built[version] = await buildPythonProject(work, { name: 'Pyard.Demo', version, module: 'pyard_demo' });
  built.cli = await buildPythonProject(work, { name: 'pyard-cli', version: '0.1', module: 'pyard_cli', requiresPython: '>=3.7, <4' });
}, 180_000);
afterAll(async () => h?.close());

/** twine 4 (Debian) as a user runs it, with the token as __token__'s password. */
function twine(url: string, files: string[], opts: { token?: string; flags?: string[] } = {}): Promise<RunResult> {
  const auth = ['-u', '__token__', '-p', opts.token ?? writer];
  // A wide, colourless terminal keeps twine's messages on one line each.
  return run('twine', ['upload', '--non-interactive', '--disable-progress-bar', '--repository-url', url, ...auth, ...(opts.flags ?? []), ...files], { env: { ...env, COLUMNS: '400', NO_COLOR: '1' } });
}

/** `pip install --target` into a fresh folder; returns the installed version of pyard_demo (or the given module). */
async function pipInstall(index: string, spec: string, module = 'pyard_demo'): Promise<{ result: RunResult; version?: string }> {
  const target = await fsp.mkdtemp(join(work, 'target-'));
  const result = await run('pip', ['install', '--no-cache-dir', '--index-url', index, '--target', target, spec], { env });
  const init = await fsp.readFile(join(target, module, '__init__.py'), 'utf8').catch(() => '');
  return { result, version: /VERSION = "(.*)"/.exec(init)?.[1] };
}

const pipOutput = (r: RunResult) => `${r.stdout}\n${r.stderr}`;

/** Is pip at least major.minor? Debian 12 ships 23.0, which reads JSON pages differently from 23.1 on. */
async function pipAtLeast(major: number, minor: number): Promise<boolean> {
  const m = /^pip (\d+)\.(\d+)/.exec((await runOk('pip', ['--version'], { env })).stdout);
  if (!m) throw new Error('pip --version printed no version');
  return Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor);
}

interface SimpleFile {
  filename: string;
  url: string;
  hashes: { sha256: string };
  'requires-python'?: string;
  'core-metadata'?: { sha256: string };
  'dist-info-metadata'?: unknown;
  yanked: string | boolean;
  size: number;
  'upload-time': string;
}

async function simpleJson(r: string, project: string): Promise<{ name: string; versions: string[]; files: SimpleFile[] }> {
  const res = await fetch(`${base(r)}/simple/${project}/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json', authorization: `Bearer ${writer}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/vnd.pypi.simple.v1+json');
  return res.json() as Promise<{ name: string; versions: string[]; files: SimpleFile[] }>;
}

/** The multipart form twine sends, with overrides, for requests twine itself would refuse to make. */
async function legacyUpload(r: string, file: { name: string; bytes: Uint8Array }, fields: Record<string, string | undefined> = {}, token: string | null = writer) {
  const form = new FormData();
  const all: Record<string, string | undefined> = {
    ':action': 'file_upload',
    protocol_version: '1',
    name: 'Pyard.Demo',
    version: '9.0',
    filetype: file.name.endsWith('.whl') ? 'bdist_wheel' : 'sdist',
    pyversion: file.name.endsWith('.whl') ? 'py3' : 'source',
    metadata_version: '2.1',
    sha256_digest: sha256(file.bytes),
    ...fields,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) form.append(k, v);
  form.append('content', new Blob([file.bytes]), file.name);
  const headers: Record<string, string> = token ? { authorization: 'Basic ' + Buffer.from(`__token__:${token}`).toString('base64') } : {};
  const res = await fetch(`${base(r)}/legacy/`, { method: 'POST', body: form, headers, redirect: 'manual' });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** curl, for the calls PyPI has no client command for (yank). */
async function curl(...args: string[]): Promise<{ status: number; body: string }> {
  const r = await runOk('curl', ['-sS', '-w', '\n%{http_code}', ...args]);
  const lines = r.stdout.trimEnd().split('\n');
  return { status: Number(lines.pop()), body: lines.join('\n').trimEnd() };
}

/** A proxy in front of the registry that asks for HTML only, so pip reads the PEP 503 pages; it logs what it served. */
async function htmlOnlyProxy(): Promise<{ url: string; seen: { path: string; type: string }[]; server: Server }> {
  const seen: { path: string; type: string }[] = [];
  const target = new URL(h.url);
  const server = createServer((req, res) => {
    const headers = { ...req.headers, host: target.host, accept: 'text/html' };
    const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers }, (up) => {
      seen.push({ path: req.url ?? '', type: String(up.headers['content-type'] ?? '') });
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe('twine upload and the Simple Repository API', () => {
  it('uploads a wheel and an sdist; the project list and project page are served as JSON and HTML', async () => {
    const res = await twine(`${base(repo)}/legacy/`, [built['1.0'].wheel, built['1.0'].sdist]);
    expect(res.code).toBe(0);
    expect(pipOutput(res)).toContain('Uploading Pyard.Demo-1.0-py3-none-any.whl');
    await h.registry.idle();

    const listJson = await fetch(`${base(repo)}/simple/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
    expect(listJson.headers.get('content-type')).toBe('application/vnd.pypi.simple.v1+json');
    expect(await listJson.json()).toEqual({ meta: { 'api-version': '1.1' }, projects: [{ name: 'Pyard.Demo' }] });
    const listHtml = await fetch(`${base(repo)}/simple/`, { headers: { accept: 'text/html' } });
    expect(listHtml.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await listHtml.text()).toContain('<a href="pyard-demo/">Pyard.Demo</a>');

    // Any spelling of the name reaches the normalised page; without the slash it is redirected (PEP 503).
    const page = await simpleJson(repo, 'Pyard_Demo');
    expect(page.name).toBe('pyard-demo');
    expect(page.versions).toEqual(['1.0']);
    expect((await fetch(`${base(repo)}/simple/pyard-demo`, { redirect: 'manual' })).status).toBe(301);
    const [wheel, sdist] = page.files;
    expect([wheel.filename, sdist.filename]).toEqual(['Pyard.Demo-1.0-py3-none-any.whl', 'Pyard.Demo-1.0.tar.gz']);
    const wheelBytes = await fsp.readFile(built['1.0'].wheel);
    expect(wheel).toMatchObject({ url: `${h.url}/${repo}/pypi/files/pyard-demo/Pyard.Demo-1.0-py3-none-any.whl`, hashes: { sha256: sha256(wheelBytes) }, size: wheelBytes.length, 'requires-python': '>=3.7', yanked: false });
    expect(wheel['upload-time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(sdist['core-metadata']).toBeUndefined();

    // The file and its PEP 658 metadata, on the same host, matching the advertised hashes.
    const served = Buffer.from(await (await fetch(wheel.url)).arrayBuffer());
    expect(sha256(served)).toBe(sha256(wheelBytes));
    const metadata = Buffer.from(await (await fetch(`${wheel.url}.metadata`)).arrayBuffer());
    expect(metadata.toString()).toMatch(/^Metadata-Version: .*\nName: Pyard\.Demo\nVersion: 1\.0\n/);
    expect(wheel['core-metadata']).toEqual({ sha256: sha256(metadata) });
    expect(wheel['dist-info-metadata']).toBeUndefined(); // pip 22.3-23.0 crash on it (PEP 714)
    expect(sha256(Buffer.from(await (await fetch(sdist.url)).arrayBuffer()))).toBe(sha256(await fsp.readFile(built['1.0'].sdist)));

    const html = await fetch(`${base(repo)}/simple/pyard-demo/`, { headers: { accept: 'text/html' } });
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    const text = await html.text();
    expect(text).toContain(
      `<a href="${wheel.url}#sha256=${wheel.hashes.sha256}" data-requires-python="&gt;=3.7" data-core-metadata="sha256=${sha256(metadata)}" data-dist-info-metadata="sha256=${sha256(metadata)}">Pyard.Demo-1.0-py3-none-any.whl</a>`,
    );
  });

  it('--skip-existing skips files already there (400 "File already exists"); without it twine fails and --verbose shows why', async () => {
    const before = await h.snapshot(repo);
    const skipped = await twine(`${base(repo)}/legacy/`, [built['1.0'].wheel, built['1.0'].sdist], { flags: ['--skip-existing'] });
    expect(skipped.code).toBe(0);
    expect(pipOutput(skipped)).toMatch(/Skipping Pyard\.Demo-1\.0-py3-none-any\.whl because it appears to already exist/);
    expect(pipOutput(skipped)).toMatch(/Skipping Pyard\.Demo-1\.0\.tar\.gz because it appears to already exist/);
    const failed = await twine(`${base(repo)}/legacy/`, [built['1.0'].wheel], { flags: ['--verbose'] });
    expect(failed.code).toBe(1);
    expect(pipOutput(failed)).toMatch(/400 Bad Request/);
    expect(pipOutput(failed)).toMatch(/File already exists: Pyard\.Demo-1\.0-py3-none-any\.whl .*\(PACKAGE_EXISTS\)/);
    expect(await h.snapshot(repo)).toEqual(before);
  });

  it('takes uploads at legacy without the trailing slash too, never redirecting', async () => {
    expect((await twine(`${base(repo)}/legacy`, [built['1.1'].wheel, built['1.1'].sdist])).code).toBe(0);
    expect((await twine(`${base(repo)}/legacy/`, [built['2.0'].wheel, built['2.0'].sdist])).code).toBe(0);
    await h.registry.idle();
    expect((await simpleJson(repo, 'pyard-demo')).versions).toEqual(['1.0', '1.1', '2.0']);
  });
});

describe('pip', () => {
  it('installs the latest version, or the one pinned with ==, reading the JSON pages', async () => {
    const latest = await pipInstall(`${base(repo)}/simple/`, 'Pyard.Demo');
    expect(latest.result.code).toBe(0);
    expect(latest.version).toBe('2.0');
    const pinned = await pipInstall(`${base(repo)}/simple/`, 'pyard_demo==1.0');
    expect(pinned.result.code).toBe(0);
    expect(pinned.version).toBe('1.0');
  });

  it.each(['JSON', 'HTML'] as const)('pip download --no-deps resolves from the PEP 658 .metadata file (%s pages), then downloads the wheel', async (pages) => {
    const proxy = pages === 'HTML' ? await htmlOnlyProxy() : undefined;
    try {
      const dest = await fsp.mkdtemp(join(work, 'download-'));
      const index = `${proxy?.url ?? h.url}/${repo}/pypi/simple/`;
      const res = await runOk('pip', ['download', '--no-cache-dir', '--no-deps', '--index-url', index, '-d', dest, 'Pyard.Demo==1.1'], { env });
      // pip logs where the metadata came from, and checks it against the advertised sha256 before using it.
      // In JSON, pip reads PEP 714's core-metadata from 23.1 on; earlier versions download the wheel instead.
      const line = `Obtaining dependency information for Pyard.Demo==1.1 from ${h.url}/${repo}/pypi/files/pyard-demo/Pyard.Demo-1.1-py3-none-any.whl.metadata`;
      if (pages === 'HTML' || (await pipAtLeast(23, 1))) expect(pipOutput(res)).toContain(line);
      else expect(pipOutput(res)).not.toContain('Obtaining dependency information');
      expect(await fsp.readdir(dest)).toEqual(['Pyard.Demo-1.1-py3-none-any.whl']);
      expect(sha256(await fsp.readFile(join(dest, 'Pyard.Demo-1.1-py3-none-any.whl')))).toBe(sha256(await fsp.readFile(built['1.1'].wheel)));
      if (proxy) expect(proxy.seen).toContainEqual({ path: `/${repo}/pypi/simple/pyard-demo/`, type: 'text/html; charset=utf-8' });
    } finally {
      proxy?.server.close();
    }
  });

  it('installs through the HTML pages when JSON is not asked for', async () => {
    const proxy = await htmlOnlyProxy();
    try {
      const res = await pipInstall(`${proxy.url}/${repo}/pypi/simple/`, 'Pyard.Demo==1.1');
      expect(res.result.code).toBe(0);
      expect(res.version).toBe('1.1');
      expect(proxy.seen).toContainEqual({ path: `/${repo}/pypi/simple/pyard-demo/`, type: 'text/html; charset=utf-8' });
    } finally {
      proxy.server.close();
    }
  });
});

describe('yanking (PEP 592): POST {base}/pypi/yank/{project}/{version}', () => {
  const yankUrl = (what: string) => `${base(repo)}/yank/${what}`;

  it('needs a token with the yank permission, and an existing release', async () => {
    const anonymous = await curl('-X', 'POST', yankUrl('pyard-demo/2.0'), '-D', '-');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatch(/www-authenticate: Basic realm="acme\/py"/i);
    const readOnly = (await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'ro', grants: { [repo]: ['read', 'push'] } })).body.token;
    expect((await curl('-X', 'POST', '-u', `__token__:${readOnly}`, yankUrl('pyard-demo/2.0'))).status).toBe(403);
    const missing = await curl('-X', 'POST', '-u', `__token__:${writer}`, yankUrl('pyard-demo/7.0'));
    expect(missing).toEqual({ status: 404, body: 'pyard-demo 7.0 does not exist in acme/py (PACKAGE_NOT_FOUND)' });
  });

  it('pip skips a yanked release unless it is pinned with ==, and unyank brings it back', async () => {
    const yanked = await curl('-X', 'POST', '-u', `__token__:${writer}`, '--data-urlencode', 'reason=broken <build>', yankUrl('Pyard.Demo/2.0'));
    expect(yanked).toEqual({ status: 200, body: 'Yanked Pyard.Demo-2.0-py3-none-any.whl, Pyard.Demo-2.0.tar.gz' });
    await h.registry.idle();
    const page = await simpleJson(repo, 'pyard-demo');
    expect(page.files.filter((f) => f.yanked !== false).map((f) => [f.filename, f.yanked])).toEqual([
      ['Pyard.Demo-2.0-py3-none-any.whl', 'broken <build>'],
      ['Pyard.Demo-2.0.tar.gz', 'broken <build>'],
    ]);
    expect(page.versions).toContain('2.0');
    const html = await (await fetch(`${base(repo)}/simple/pyard-demo/`, { headers: { accept: 'text/html' } })).text();
    expect(html).toMatch(/data-yanked="broken &lt;build&gt;">Pyard\.Demo-2\.0-py3-none-any\.whl</);

    const latest = await pipInstall(`${base(repo)}/simple/`, 'Pyard.Demo');
    expect(latest.version).toBe('1.1');
    const range = await pipInstall(`${base(repo)}/simple/`, 'Pyard.Demo>=1.5');
    expect(range.result.code).not.toBe(0);
    const pinned = await pipInstall(`${base(repo)}/simple/`, 'Pyard.Demo==2.0');
    expect(pinned.result.code).toBe(0);
    expect(pinned.version).toBe('2.0');
    expect(pipOutput(pinned.result)).toMatch(/yanked version[\s\S]*Reason for being yanked: broken <build>/);
    // The file itself stays where lock files point.
    expect((await fetch(page.files.find((f) => f.filename.endsWith('2.0.tar.gz'))!.url)).status).toBe(200);

    const back = await curl('-X', 'POST', '-u', `__token__:${writer}`, yankUrl('pyard-demo/Pyard.Demo-2.0-py3-none-any.whl').replace('/yank/', '/unyank/'));
    expect(back).toEqual({ status: 200, body: 'Unyanked Pyard.Demo-2.0-py3-none-any.whl' });
    await h.registry.idle();
    expect((await pipInstall(`${base(repo)}/simple/`, 'Pyard.Demo')).version).toBe('2.0');
    const audit = await h.api.call<{ events: { action: string; details?: Record<string, string> }[] }>('GET', `/api/v1/repos/${repo}/events`);
    expect(audit.body.events?.map((e) => e.action)).toEqual(expect.arrayContaining(['package.yanked', 'package.unyanked']));
  });
});

describe('refused uploads leave the repository unchanged and tell twine why', () => {
  const wheelNamed = async (name: string) => ({ name, bytes: await fsp.readFile(built['1.0'].wheel) });
  const handMade = (entries: Record<string, string>) => zipSync(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v)])));
  const metadata = 'Metadata-Version: 2.1\nName: Pyard.Demo\nVersion: 9.0\n\n';
  const wheelInfo = 'Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n';
  /** A zip whose directory declares 2 GB for one member: a bomb's signature, refused before inflating anything. */
  function bomb(): Uint8Array {
    const z = Buffer.from(handMade({ 'Pyard.Demo-9.0.dist-info/METADATA': metadata, 'Pyard.Demo-9.0.dist-info/WHEEL': wheelInfo, 'pyard_demo/zeros': '0'.repeat(1000) }));
    const at = z.lastIndexOf(Buffer.from('pyard_demo/zeros')) - 46;
    z.writeUInt32LE(2_000_000_000, at + 24);
    return z;
  }

  it.each([
    ['a file name that is no distribution', async () => wheelNamed('pyard-demo.whl'), {}, /invalid file name "pyard-demo.whl": a wheel name has 5 or 6 parts.*\(PYPI_INVALID_FILENAME\)/],
    ['a .zip sdist', async () => wheelNamed('Pyard.Demo-9.0.zip'), {}, /\.zip distributions are not accepted.*\(PYPI_UNSUPPORTED_FILE\)/],
    ['a wheel that is no zip', async () => ({ name: 'Pyard.Demo-9.0-py3-none-any.whl', bytes: Buffer.from('MZ not a zip') }), {}, /not a package Packyard recognises \(expected a Python distribution for pypi\) \(UNKNOWN_FORMAT\)/],
    ['a wheel without METADATA', async () => ({ name: 'Pyard.Demo-9.0-py3-none-any.whl', bytes: handMade({ 'Pyard.Demo-9.0.dist-info/WHEEL': wheelInfo }) }), {}, /the wheel has no Pyard\.Demo-9\.0\.dist-info\/METADATA \(PYPI_NO_METADATA\)/],
    ['a wheel whose name disagrees with METADATA', async () => wheelNamed('Other-1.0-py3-none-any.whl'), { name: 'Other', version: '1.0' }, /"Other-1.0-py3-none-any.whl" does not match the metadata, which says Pyard\.Demo 1\.0 \(PYPI_FILENAME_MISMATCH\)/],
    ['a form naming another project', async () => wheelNamed('Pyard.Demo-1.0-py3-none-any.whl'), { name: 'other', version: '1.0' }, /names the project "other", but the file's metadata says "Pyard\.Demo" \(PYPI_NAME_MISMATCH\)/],
    ['a form with another version', async () => wheelNamed('Pyard.Demo-1.0-py3-none-any.whl'), { version: '1.0.1' }, /declares version "1\.0\.1", but the file's metadata says "1\.0" \(PYPI_VERSION_MISMATCH\)/],
    ['a wrong sha256_digest', async () => wheelNamed('Pyard.Demo-1.0-py3-none-any.whl'), { version: '1.0', sha256_digest: 'ab'.repeat(32) }, /sha256 digest is [0-9a-f]{64}, but the upload declared (ab){32}.*\(PYPI_DIGEST_MISMATCH\)/],
    ['a wrong filetype', async () => wheelNamed('Pyard.Demo-1.0-py3-none-any.whl'), { version: '1.0', filetype: 'sdist' }, /filetype "sdist" does not match .* which is a bdist_wheel \(PYPI_FILETYPE_MISMATCH\)/],
    ['a path escaping the install folder', async () => ({ name: 'Pyard.Demo-9.0-py3-none-any.whl', bytes: handMade({ 'Pyard.Demo-9.0.dist-info/METADATA': metadata, 'Pyard.Demo-9.0.dist-info/WHEEL': wheelInfo, '../../evil.pth': 'import os' }) }), {}, /unsafe path "..\/..\/evil.pth".*\(PYPI_UNSAFE_PATH\)/],
    ['a zip bomb', async () => ({ name: 'Pyard.Demo-9.0-py3-none-any.whl', bytes: bomb() }), {}, /the wheel unpacks to more than \d+ bytes \(PYPI_TOO_LARGE\)/],
    ['a zip named as an sdist', async () => ({ name: 'Pyard.Demo-1.0.tar.gz', bytes: await fsp.readFile(built['1.0'].wheel) }), { version: '1.0' }, /the sdist is not gzip-compressed.*\(PYPI_CORRUPT\)/],
    ['an sdist without PKG-INFO', async () => ({ name: 'Pyard.Demo-9.0.tar.gz', bytes: await tgz([{ name: 'Pyard.Demo-9.0/setup.py', body: '' }]) }), {}, /the sdist has no Pyard\.Demo-9\.0\/PKG-INFO .*\(PYPI_NO_METADATA\)/],
    ['an sdist with a link out of its folder', async () => ({ name: 'Pyard.Demo-9.0.tar.gz', bytes: await tgz([{ name: 'Pyard.Demo-9.0/PKG-INFO', body: metadata }, { name: 'Pyard.Demo-9.0/setup.py', type: 'symlink', linkname: '../../../root/.bashrc' }]) }), {}, /symbolic link "Pyard\.Demo-9\.0\/setup\.py" points outside the archive.*\(PYPI_UNSAFE_PATH\)/],
    ['another action', async () => wheelNamed('Pyard.Demo-1.0-py3-none-any.whl'), { ':action': 'remove_pkg' }, /unsupported :action "remove_pkg".*\(PYPI_UNSUPPORTED_ACTION\)/],
  ] as const)('refuses %s', async (_what, file, fields, message) => {
    const before = await h.snapshot(repo);
    const res = await legacyUpload(repo, await file(), fields);
    // 415 only where the bytes are no zip or gzip at all: that is decided before the format looks at them.
    expect({ status: res.status, text: res.text }).toEqual({ status: /UNKNOWN_FORMAT/.test(res.text) ? 415 : 400, text: expect.stringMatching(message) });
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await h.snapshot(repo)).toEqual(before);
  });

  it('twine --verbose prints the reason of a refusal', async () => {
    const renamed = join(work, 'Other-1.0-py3-none-any.whl');
    await fsp.copyFile(built['1.0'].wheel, renamed);
    const before = await h.snapshot(repo);
    const res = await twine(`${base(repo)}/legacy/`, [renamed], { flags: ['--verbose'] });
    expect(res.code).toBe(1);
    expect(pipOutput(res)).toMatch(/HTTPError: 400 Bad Request from http:\/\/127\.0\.0\.1:\d+\/acme\/py\/pypi\/legacy\//);
    expect(pipOutput(res)).toMatch(/the file name "Other-1\.0-py3-none-any\.whl" does not match the metadata, which says Pyard\.Demo 1\.0/);
    expect(await h.snapshot(repo)).toEqual(before);
  });

  it('asks anonymous uploaders for credentials and refuses tokens without push', async () => {
    const before = await h.snapshot(repo);
    const anonymous = await legacyUpload(repo, await wheelNamed('Pyard.Demo-1.0-py3-none-any.whl'), { version: '1.0' }, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="acme/py"');
    const res = await twine(`${base(repo)}/legacy/`, [built['1.0'].wheel], { token: reader, flags: ['--verbose'] });
    expect(res.code).toBe(1);
    expect(pipOutput(res)).toMatch(/403 Forbidden/);
    expect(await h.snapshot(repo)).toEqual(before);
  });
});

describe('a private repository', () => {
  it('takes twine uploads and serves pip with __token__ in the index URL; anonymous readers get 401', async () => {
    expect((await twine(`${base(secret)}/legacy/`, [built['1.0'].wheel, built['1.0'].sdist])).code).toBe(0);
    await h.registry.idle();
    const index = `${base(secret)}/simple/`.replace('http://', `http://__token__:${reader}@`);
    const installed = await pipInstall(index, 'Pyard.Demo');
    expect(installed.result.code).toBe(0);
    expect(installed.version).toBe('1.0');

    for (const path of ['simple/', 'simple/pyard-demo/', 'files/pyard-demo/Pyard.Demo-1.0-py3-none-any.whl', 'files/pyard-demo/Pyard.Demo-1.0-py3-none-any.whl.metadata']) {
      const res = await fetch(`${base(secret)}/${path}`);
      expect([path, res.status]).toEqual([path, 401]);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    }
    const anonymous = await pipInstall(`${base(secret)}/simple/`, 'Pyard.Demo');
    expect(anonymous.result.code).not.toBe(0);
    expect(pipOutput(anonymous.result)).toMatch(/from versions: none/);
  });
});

describe('the presigned and direct upload paths', () => {
  it('accept wheels and sdists (identity from the file), which pip then installs', async () => {
    const direct = await h.api.pushDirect(repo, 'pypi', built.cli.wheel);
    expect(direct.status).toBe(201);
    expect(direct.body).toMatchObject({ name: 'pyard-cli', version: '0.1', arch: 'py3-none-any', filename: basename(built.cli.wheel), blobKey: `${repo}/pypi/files/pyard-cli/${basename(built.cli.wheel)}` });

    const { io, stdout, stderr } = captureIo({ env: { PACKYARD_URL: h.url, PACKYARD_TOKEN: h.admin }, cwd: work });
    const code = await runCli(['push', `${repo}/pypi`, built.cli.sdist, '--json'], io);
    expect({ code, err: stderr.text }).toEqual({ code: 0, err: expect.any(String) });
    expect(JSON.parse(stdout.text)[0]).toMatchObject({ status: 'accepted', package: { name: 'pyard-cli', version: '0.1', arch: 'sdist' } });

    await h.registry.idle();
    const before = await h.snapshot(repo);
    const renamed = join(work, 'pyard_cli-0.2-py3-none-any.whl');
    await fsp.copyFile(built.cli.wheel, renamed);
    const refused = await h.api.pushDirect(repo, 'pypi', renamed);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: 'PYPI_FILENAME_MISMATCH' } });
    expect(await h.snapshot(repo)).toEqual(before);

    const page = await simpleJson(repo, 'pyard-cli');
    expect(page.files.map((f) => [f.filename, f['requires-python']])).toEqual([
      ['pyard-cli-0.1.tar.gz', '<4,>=3.7'],
      ['pyard_cli-0.1-py3-none-any.whl', '<4,>=3.7'],
    ].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    const installed = await pipInstall(`${base(repo)}/simple/`, 'pyard-cli', 'pyard_cli');
    expect(installed.result.code).toBe(0);
    expect(installed.version).toBe('0.1');
  });
});
