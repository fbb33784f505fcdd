import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { run as runCli } from '../../cli/main';
import { captureIo } from '../unit/cli/support/capture-io';
import { buildDeb } from '../support/debs';
import { runOk } from '../support/exec';
import { startHarness, type Harness } from './support/registry';

let h: Harness;
let dir: string;

beforeAll(async () => {
  h = await startHarness();
  dir = join(h.tmp, 'files');
  await fsp.mkdir(dir);
});
afterAll(async () => h?.close());

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface Curled {
  status: number;
  body: Buffer;
  headers: Record<string, string>;
}

/** curl with its own flags; the body lands in a file, headers are parsed from -D. */
async function curl(url: string, ...flags: string[]): Promise<Curled> {
  const out = join(h.tmp, `curl-${randomBytes(6).toString('hex')}`);
  const r = await runOk('curl', ['-sS', '-o', out, '-D', `${out}.h`, '-w', '%{http_code}', ...flags, url]);
  const body = await fsp.readFile(out).catch(() => Buffer.alloc(0));
  const headers: Record<string, string> = {};
  for (const line of (await fsp.readFile(`${out}.h`, 'utf8')).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  await fsp.rm(out, { force: true });
  await fsp.rm(`${out}.h`, { force: true });
  return { status: Number(r.stdout.trim()), body, headers };
}

/** The packyard CLI in-process against the local registry. */
async function packyard(...argv: string[]) {
  const { io, stdout, stderr } = captureIo({ env: { PACKYARD_URL: h.url, PACKYARD_TOKEN: h.admin }, cwd: dir });
  const code = await runCli(argv, io);
  await h.registry.idle();
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Direct upload with the form fields a client may send (name, version). */
async function pushDirect(repo: string, path: string, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set('distribution', 'files');
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('file', new Blob([await fsp.readFile(path)]), path.split('/').pop());
  const res = await h.api.call<{ name?: string; version?: string; arch?: string; blobKey?: string; error?: { code: string; message: string } }>('POST', `/api/v1/repos/${repo}/packages`, form);
  await h.registry.idle();
  return res;
}

async function write(name: string, bytes: Buffer | string): Promise<string> {
  const path = join(dir, name);
  await fsp.writeFile(path, bytes);
  return path;
}

interface FileIndex {
  name: string;
  latest?: string;
  versions: { version: string; files: { filename: string; size: number; sha256: string; uploadedAt: string; path: string }[] }[];
}


describe('generic files in a public repository', () => {
  const repo = 'acme/tools';
  const linux = randomBytes(300_000);
  const darwin = randomBytes(120_000);

  beforeAll(async () => {
    expect((await h.api.createRepo(repo)).status).toBe(201);
  });

  it('pushes files per platform with packyard push --name --version, served by curl with matching checksums', async () => {
    await write('tool-1.2.3-linux-amd64.tar.gz', linux);
    await write('tool-1.2.3-darwin-arm64.tar.gz', darwin);
    const res = await packyard('push', `${repo}/files`, './tool-1.2.3-linux-amd64.tar.gz', './tool-1.2.3-darwin-arm64.tar.gz', '--name', 'tool', '--version', '1.2.3', '--json');
    expect(res.code).toBe(0);
    const results = JSON.parse(res.stdout) as { status: string; package: { name: string; version: string; arch: string; distribution: string } }[];
    expect(results.map((r) => [r.status, r.package.name, r.package.version, r.package.arch, r.package.distribution]).sort()).toEqual([
      ['accepted', 'tool', '1.2.3', 'tool-1.2.3-darwin-arm64.tar.gz', 'files'],
      ['accepted', 'tool', '1.2.3', 'tool-1.2.3-linux-amd64.tar.gz', 'files'],
    ]);

    const got = await curl(`${h.url}/${repo}/files/tool/1.2.3/tool-1.2.3-linux-amd64.tar.gz`);
    expect(got.status).toBe(200);
    expect(sha256(got.body)).toBe(sha256(linux));
    expect(got.headers['content-length']).toBe(String(linux.length));
    expect(got.headers['accept-ranges']).toBe('bytes');
    expect(got.headers.etag).toBeTruthy();
    const other = await curl(`${h.url}/${repo}/files/tool/1.2.3/tool-1.2.3-darwin-arm64.tar.gz`);
    expect(sha256(other.body)).toBe(sha256(darwin));
  });

  it('serves byte ranges (curl -r, resumed downloads) and conditional requests', async () => {
    const url = `${h.url}/${repo}/files/tool/1.2.3/tool-1.2.3-linux-amd64.tar.gz`;
    const part = await curl(url, '-r', '1000-1999');
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-1999/${linux.length}`);
    expect(Buffer.compare(part.body, linux.subarray(1000, 2000))).toBe(0);
    const rest = await curl(url, '-r', '299000-');
    expect(rest.status).toBe(206);
    expect(Buffer.compare(rest.body, linux.subarray(299_000))).toBe(0);

    // curl -C - resumes a cut download into the same file.
    const partial = join(h.tmp, 'resume.bin');
    await fsp.writeFile(partial, linux.subarray(0, 123_456));
    await runOk('curl', ['-sS', '-C', '-', '-o', partial, url]);
    expect(sha256(await fsp.readFile(partial))).toBe(sha256(linux));

    const etag = (await curl(url, '-I')).headers.etag;
    expect((await curl(url, '-H', `If-None-Match: ${etag}`)).status).toBe(304);
  });

  it('reads name and version from a file name that carries a semantic version', async () => {
    const bytes = randomBytes(5000);
    await write('tool-1.10.0-linux-amd64.tar.gz', bytes);
    const res = await packyard('push', `${repo}/files`, 'tool-1.10.0-linux-amd64.tar.gz', '--json');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)[0].package).toMatchObject({ name: 'tool', version: '1.10.0' });
    const direct = await pushDirect(repo, await write('tool-1.9.0-linux-amd64.tar.gz', randomBytes(10)));
    expect(direct.status).toBe(201);
    expect(direct.body).toMatchObject({ name: 'tool', version: '1.9.0', arch: 'tool-1.9.0-linux-amd64.tar.gz', blobKey: `${repo}/files/tool/1.9.0/tool-1.9.0-linux-amd64.tar.gz` });
    const pre = await pushDirect(repo, await write('setup.sh', '#!/bin/sh\n'), { name: 'tool', version: '2.0.0-rc.1' });
    expect(pre.status).toBe(201);
    expect((await curl(`${h.url}/${repo}/files/tool/1.10.0/tool-1.10.0-linux-amd64.tar.gz`)).body.equals(bytes)).toBe(true);
  });

  it('lists versions by semantic version in index.json, with filename, size, sha256 and upload time', async () => {
    const res = await curl(`${h.url}/${repo}/files/tool/index.json`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const index = JSON.parse(res.body.toString('utf8')) as FileIndex;
    expect(index.name).toBe('tool');
    expect(index.latest).toBe('1.10.0');
    expect(index.versions.map((v) => v.version)).toEqual(['1.2.3', '1.9.0', '1.10.0', '2.0.0-rc.1']);
    const v123 = index.versions[0];
    expect(v123.files.map((f) => f.filename)).toEqual(['tool-1.2.3-darwin-arm64.tar.gz', 'tool-1.2.3-linux-amd64.tar.gz']);
    expect(v123.files[1]).toMatchObject({ size: linux.length, sha256: sha256(linux), path: `/${repo}/files/tool/1.2.3/tool-1.2.3-linux-amd64.tar.gz` });
    expect(Date.parse(v123.files[1].uploadedAt)).toBeGreaterThan(Date.now() - 10 * 60_000);
    // Every listed path downloads to the listed checksum.
    for (const v of index.versions) {
      for (const f of v.files) {
        const got = await curl(`${h.url}${f.path}`);
        expect([f.path, got.status, sha256(got.body), got.body.length]).toEqual([f.path, 200, f.sha256, f.size]);
      }
    }
  });

  it('takes any file, even a .deb, as a generic file', async () => {
    const deb = await buildDeb(dir, { name: 'hello', version: '1.0-1' });
    const res = await pushDirect(repo, deb, { name: 'hello-deb', version: '1.0.0' });
    expect(res.status).toBe(201);
    const got = await curl(`${h.url}/${repo}/files/hello-deb/1.0.0/hello_1.0-1_amd64.deb`);
    expect(got.body.equals(await fsp.readFile(deb))).toBe(true);
  });

  it('rejects bad input with a clear error and changes nothing', async () => {
    const before = await h.snapshot(repo);
    const cases: [string, () => Promise<Awaited<ReturnType<typeof pushDirect>>>, number, string][] = [
      ['no version', async () => pushDirect(repo, await write('notes.txt', 'n'), { name: 'notes' }), 400, 'FILE_MISSING_VERSION'],
      ['no name', async () => pushDirect(repo, await write('notes.txt', 'n')), 400, 'FILE_MISSING_NAME'],
      ['not semver', async () => pushDirect(repo, await write('tool.tgz', 't'), { name: 'tool', version: '1.2' }), 400, 'FILE_INVALID_VERSION'],
      ['v prefix', async () => pushDirect(repo, await write('tool.tgz', 't'), { name: 'tool', version: 'v1.2.3' }), 400, 'FILE_INVALID_VERSION'],
      ['bad name', async () => pushDirect(repo, await write('tool.tgz', 't'), { name: '../etc', version: '1.0.0' }), 400, 'FILE_INVALID_NAME'],
      ['bad file name', async () => pushDirect(repo, await write('tool#1.tgz', 't'), { name: 'tool', version: '1.0.0' }), 400, 'FILE_INVALID_FILENAME'],
      ['empty', async () => pushDirect(repo, await write('tool-9.9.9.tgz', ''), {}), 400, 'EMPTY_FILE'],
      ['duplicate', async () => pushDirect(repo, await write('tool-1.2.3-linux-amd64.tar.gz', randomBytes(10)), { name: 'tool', version: '1.2.3' }), 409, 'PACKAGE_EXISTS'],
    ];
    for (const [what, make, status, code] of cases) {
      const res = await make();
      expect([what, res.status, res.body.error?.code]).toEqual([what, status, code]);
      expect(res.body.error?.message.length).toBeGreaterThan(10);
    }
    const viaCli = await packyard('push', `${repo}/files`, 'notes.txt', '--json');
    expect(viaCli.code).toBe(1);
    expect(JSON.parse(viaCli.stdout)[0]).toMatchObject({ status: 'rejected', error: { code: 'FILE_MISSING_NAME' } });
    expect(await h.snapshot(repo)).toEqual(before);
  });
});

describe('generic files in a private repository', () => {
  const repo = 'acme/private-files';
  const bytes = randomBytes(70_000);
  let reader: string;

  beforeAll(async () => {
    expect((await h.api.createRepo(repo, 'private')).status).toBe(201);
    const t = await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'files-reader', grants: { [repo]: ['read'] } });
    expect(t.status).toBe(201);
    reader = t.body.token;
    await write('secret-0.1.0.bin', bytes);
    expect((await packyard('push', `${repo}/files`, 'secret-0.1.0.bin')).code).toBe(0);
  });

  it('answers anonymous downloads and listings with 401 and WWW-Authenticate: Basic', async () => {
    for (const path of ['files/secret/0.1.0/secret-0.1.0.bin', 'files/secret/index.json']) {
      const res = await curl(`${h.url}/${repo}/${path}`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm=/);
    }
  });

  it('serves a read token given to curl -u TOKEN:, with the right checksum and ranges', async () => {
    const url = `${h.url}/${repo}/files/secret/0.1.0/secret-0.1.0.bin`;
    const got = await curl(url, '-u', `${reader}:`);
    expect(got.status).toBe(200);
    expect(sha256(got.body)).toBe(sha256(bytes));
    const part = await curl(url, '-u', `${reader}:`, '-r', '10-19');
    expect(part.status).toBe(206);
    expect(part.body.equals(bytes.subarray(10, 20))).toBe(true);
    const index = JSON.parse((await curl(`${h.url}/${repo}/files/secret/index.json`, '-u', `${reader}:`)).body.toString()) as FileIndex;
    expect(index.versions[0].files[0]).toMatchObject({ filename: 'secret-0.1.0.bin', sha256: sha256(bytes), size: bytes.length });
    expect((await curl(url, '-u', 'pky_not-a-real-token:')).status).toBe(401);
  });
});
