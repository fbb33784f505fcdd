import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join, posix } from 'node:path';
import YAML from 'yaml';
import { run as runCli } from '../../cli/main';
import { captureIo } from '../unit/cli/support/capture-io';
import { gzipSync } from 'node:zlib';
import { chart, provenance, tgz } from '../unit/helm/charts';
import { startHarness, type Harness } from './support/registry';

// No helm client can run here: the endpoints are driven the way helm and helm cm-push drive them
// (protocols.md §8.1), and index.yaml is read back as Helm reads it.
let h: Harness;
const repo = 'acme/charts';
const base = () => `${h.url}/${repo}/helm`;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const basic = (token: string) => 'Basic ' + Buffer.from(`ci:${token}`).toString('base64');

beforeAll(async () => {
  h = await startHarness();
  expect((await h.api.createRepo(repo)).status).toBe(201);
});
afterAll(async () => h?.close());

/** What `helm cm-push` sends: a multipart form with the chart (and its .prov) to {repo}/api/charts. */
async function cmPush(bytes: Uint8Array, filename: string, opts: { prov?: string; token?: string; r?: string } = {}) {
  const form = new FormData();
  form.set('chart', new Blob([bytes]), filename);
  if (opts.prov) form.set('prov', new Blob([opts.prov]), `${filename}.prov`);
  const token = opts.token ?? h.admin;
  const res = await fetch(`${h.url}/${opts.r ?? repo}/helm/api/charts`, { method: 'POST', body: form, headers: token ? { authorization: basic(token) } : {} });
  const body = (await res.json()) as Record<string, unknown>;
  await h.registry.idle();
  return { status: res.status, body, headers: res.headers };
}

interface IndexYaml {
  apiVersion: string;
  entries: Record<string, { name: string; version: string; urls: string[]; digest: string; created: string; appVersion?: string }[]>;
  serverInfo?: { contextPath: string };
}
const index = async (headers: Record<string, string> = {}) => {
  const res = await fetch(`${base()}/index.yaml`, { headers });
  return { status: res.status, doc: res.status === 200 ? (YAML.parse(await res.text(), { version: '1.1' }) as IndexYaml) : undefined, headers: res.headers };
};

describe('a Helm chart repository', () => {
  it('serves an empty index.yaml from the start, so helm repo add and cm-push work on a new repository', async () => {
    expect((await h.api.createRepo('acme/charts-new')).status).toBe(201);
    await h.registry.idle();
    const res = await fetch(`${h.url}/acme/charts-new/helm/index.yaml`);
    expect(res.status).toBe(200);
    expect(YAML.parse(await res.text())).toMatchObject({ apiVersion: 'v1', entries: {}, serverInfo: { contextPath: '/acme/charts-new/helm' } });
  });

  it('takes charts through the ChartMuseum API (multipart and raw) and lists them in index.yaml, newest first', async () => {
    const v1 = await chart('web', '1.0.0', 'appVersion: "1.0"\n');
    const v2 = await chart('web', '1.10.0');
    expect(await cmPush(v1, 'web-1.0.0.tgz')).toMatchObject({ status: 201, body: { saved: true } });
    expect((await cmPush(v2, 'web-1.10.0.tgz')).status).toBe(201);
    const raw = await fetch(`${base()}/api/charts`, { method: 'POST', body: await chart('api', '0.1.0'), headers: { authorization: `Bearer ${h.admin}`, 'content-type': 'application/octet-stream' } });
    expect(raw.status).toBe(201);
    await h.registry.idle();

    const { status, doc } = await index();
    expect(status).toBe(200);
    expect(doc?.apiVersion).toBe('v1');
    expect(doc?.serverInfo?.contextPath).toBe(`/${repo}/helm`);
    expect(doc?.entries.web.map((e) => e.version)).toEqual(['1.10.0', '1.0.0']);
    expect(doc?.entries.web[1].appVersion).toBe('1.0');
    for (const e of Object.values(doc!.entries).flat()) {
      // Absolute, on the same host (Helm sends credentials only there), and what the digest says.
      expect(e.urls[0].startsWith(`${base()}/charts/`)).toBe(true);
      const file = await fetch(e.urls[0]);
      expect(file.status).toBe(200);
      expect(sha256(Buffer.from(await file.arrayBuffer()))).toBe(e.digest);
    }
    const listing = (await (await fetch(`${base()}/api/charts`)).json()) as Record<string, unknown[]>;
    expect(Object.keys(listing).sort()).toEqual(['api', 'web']);
  });

  it('is reachable by helm cm-push: the upload URL it derives from serverInfo.contextPath is the ChartMuseum API', async () => {
    // helm-push: u.Path = path.Join(contextPath, "api", strings.TrimPrefix(u.Path, contextPath), "charts").
    const repoUrl = new URL(base());
    const { doc } = await index();
    const contextPath = doc!.serverInfo!.contextPath;
    const upload = new URL(repoUrl.href);
    upload.pathname = posix.join(contextPath, 'api', repoUrl.pathname.startsWith(contextPath) ? repoUrl.pathname.slice(contextPath.length) : repoUrl.pathname, 'charts');
    expect(upload.href).toBe(`${base()}/api/charts`);
    // cm-push names the form file after the path it was given; only the base name counts.
    const form = new FormData();
    form.set('chart', new Blob([await chart('cm', '0.1.0')]), '/tmp/helm-push-123/cm-0.1.0.tgz');
    const res = await fetch(upload, { method: 'POST', body: form, headers: { authorization: basic(h.admin) } });
    expect([res.status, await res.json()]).toEqual([201, { saved: true }]);
    // --force asks ChartMuseum to overwrite; published versions stay immutable here.
    const again = new FormData();
    again.set('chart', new Blob([await chart('cm', '0.1.0', 'description: changed\n')]), 'cm-0.1.0.tgz');
    const forced = await fetch(`${upload.href}?force`, { method: 'POST', body: again, headers: { authorization: basic(h.admin) } });
    expect([forced.status, ((await forced.json()) as { code: string }).code]).toEqual([409, 'HELM_CHART_EXISTS']);
    await h.registry.idle();
    expect((await index()).doc?.entries.cm.map((e) => e.version)).toEqual(['0.1.0']);
  });

  it('serves a version with build metadata at a URL that reaches the file (+ percent-encoded)', async () => {
    const bytes = await chart('meta', '1.0.0+build.7');
    expect((await cmPush(bytes, 'meta-1.0.0+build.7.tgz')).status).toBe(201);
    const entry = (await index()).doc!.entries.meta[0];
    expect([entry.version, entry.urls[0]]).toEqual(['1.0.0+build.7', `${base()}/charts/meta-1.0.0%2Bbuild.7.tgz`]);
    const file = await fetch(entry.urls[0]);
    expect([file.status, sha256(Buffer.from(await file.arrayBuffer()))]).toEqual([200, sha256(bytes)]);
  });

  it('answers ChartMuseum\'s read routes for one chart and one version', async () => {
    const versions = (await (await fetch(`${base()}/api/charts/web`)).json()) as { version: string; digest: string }[];
    expect(versions.map((v) => v.version)).toEqual(['1.10.0', '1.0.0']);
    const one = await fetch(`${base()}/api/charts/web/1.0.0`);
    expect([one.status, one.headers.get('cache-control'), ((await one.json()) as { version: string }).version]).toEqual([200, 'no-store', '1.0.0']);
    const missing = await fetch(`${base()}/api/charts/web/9.9.9`);
    expect([missing.status, ((await missing.json()) as { code: string }).code]).toEqual([404, 'HELM_CHART_NOT_FOUND']);
    expect((await fetch(`${base()}/api/charts/nothing`)).status).toBe(404);
  });

  it('keeps a provenance file that names the chart, and serves it beside the chart', async () => {
    const bytes = await chart('signed', '1.0.0');
    const prov = await provenance('apiVersion: v2\nname: signed\nversion: 1.0.0\n', { 'signed-1.0.0.tgz': `sha256:${sha256(bytes)}` });
    expect((await cmPush(bytes, 'signed-1.0.0.tgz', { prov })).status).toBe(201);
    const served = await fetch(`${base()}/charts/signed-1.0.0.tgz.prov`);
    expect([served.status, await served.text()]).toEqual([200, prov]);
    // What helm install --verify fetches: the chart at urls[0] and urls[0] + ".prov".
    const entry = (await index()).doc!.entries.signed[0];
    expect((await fetch(`${entry.urls[0]}.prov`)).status).toBe(200);
  });

  it('takes a chart through the direct upload path too', async () => {
    const file = join(h.tmp, 'direct-0.2.0.tgz');
    await fsp.writeFile(file, await chart('direct', '0.2.0'));
    const res = await h.api.pushDirect(repo, 'helm', file);
    expect([res.status, res.body]).toEqual([201, expect.objectContaining({ name: 'direct', version: '0.2.0', blobKey: `${repo}/helm/charts/direct-0.2.0.tgz` })]);
    await h.registry.idle();
    expect((await index()).doc?.entries.direct.map((e) => e.version)).toEqual(['0.2.0']);
  });

  const signed = (name: string, version: string, digest: string) => provenance(`apiVersion: v2\nname: ${name}\nversion: ${version}\n`, { [`${name}-${version}.tgz`]: `sha256:${digest}` });
  const good = 'apiVersion: v2\nname: web\nversion: 3.0.0\n';
  it('takes a chart through packyard push (presigned upload), and refuses a broken one there too', async () => {
    const dir = join(h.tmp, 'cli');
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(join(dir, 'pushed-1.0.0.tgz'), await chart('pushed', '1.0.0'));
    await fsp.writeFile(join(dir, 'pushed-2.0.0.tgz'), await chart('pushed', '2.0.1'));
    const packyard = async (...argv: string[]) => {
      const { io, stdout, stderr } = captureIo({ env: { PACKYARD_URL: h.url, PACKYARD_TOKEN: h.admin }, cwd: dir });
      return { code: await runCli(argv, io), out: stdout.text + stderr.text };
    };
    expect((await packyard('push', `${repo}/helm`, 'pushed-1.0.0.tgz')).code).toBe(0);
    await h.registry.idle();
    const before = await h.snapshot(repo);
    const bad = await packyard('push', `${repo}/helm`, 'pushed-2.0.0.tgz');
    expect([bad.code, bad.out]).toEqual([1, expect.stringMatching(/HELM_FILENAME_MISMATCH/)]);
    await h.registry.idle();
    const entry = (await index()).doc!.entries.pushed;
    expect(entry.map((e) => e.version)).toEqual(['1.0.0']);
    expect(sha256(Buffer.from(await (await fetch(entry[0].urls[0])).arrayBuffer()))).toBe(sha256(await fsp.readFile(join(dir, 'pushed-1.0.0.tgz'))));
    const after = await h.snapshot(repo);
    expect(after).toEqual(before);
  });

  it.each([
    ['a duplicate version', async () => ({ bytes: await chart('web', '1.0.0'), name: 'web-1.0.0.tgz' }), 409, 'HELM_CHART_EXISTS'],
    ['a file name that disagrees', async () => ({ bytes: await chart('web', '3.0.0'), name: 'web-3.0.1.tgz' }), 400, 'HELM_FILENAME_MISMATCH'],
    ['a chart without apiVersion', async () => ({ bytes: await tgz([{ name: 'web/Chart.yaml', body: 'name: web\nversion: 3.0.0\n' }]), name: 'web-3.0.0.tgz' }), 400, 'HELM_BAD_CHART_YAML'],
    ['a Chart.yaml field of the wrong type', async () => ({ bytes: await chart('web', '3.0.0', 'keywords: web\n'), name: 'web-3.0.0.tgz' }), 400, 'HELM_BAD_CHART_YAML'],
    ['an apiVersion Helm does not know', async () => ({ bytes: await tgz([{ name: 'web/Chart.yaml', body: 'apiVersion: v3\nname: web\nversion: 3.0.0\n' }]), name: 'web-3.0.0.tgz' }), 400, 'HELM_BAD_CHART_YAML'],
    ['two dependencies with one name', async () => ({ bytes: await chart('web', '3.0.0', 'dependencies:\n  - {name: db}\n  - {name: db}\n'), name: 'web-3.0.0.tgz' }), 400, 'HELM_BAD_CHART_YAML'],
    ['a chart name with a space', async () => ({ bytes: await chart('we b', '3.0.0'), name: 'chart.tgz' }), 400, 'HELM_BAD_NAME'],
    ['more entries than the cap', async () => ({ bytes: await tgz([{ name: 'web/Chart.yaml', body: good }, ...Array.from({ length: 20_001 }, (_, i) => ({ name: `web/t/${i}`, body: '' }))]), name: 'web-3.0.0.tgz' }), 400, 'HELM_TOO_LARGE'],
    ['a chart without Chart.yaml', async () => ({ bytes: await tgz([{ name: 'web/values.yaml', body: '' }]), name: 'web-3.0.0.tgz' }), 400, 'HELM_NO_CHART_YAML'],
    ['a version that is not SemVer', async () => ({ bytes: await chart('web', '3'), name: 'web-3.tgz' }), 400, 'HELM_BAD_VERSION'],
    ['a folder not named after the chart', async () => ({ bytes: await chart('web', '3.0.0', '', 'other'), name: 'web-3.0.0.tgz' }), 400, 'HELM_BAD_NAME'],
    ['a path that climbs out of the chart', async () => ({ bytes: await tgz([{ name: 'web/Chart.yaml', body: good }, { name: 'web/../../evil', body: 'x' }]), name: 'web-3.0.0.tgz' }), 400, 'HELM_UNSAFE_PATH'],
    ['an absolute path', async () => ({ bytes: await tgz([{ name: 'web/Chart.yaml', body: good }, { name: '/etc/cron.d/x', body: 'x' }]), name: 'web-3.0.0.tgz' }), 400, 'HELM_UNSAFE_PATH'],
    ['a symbolic link', async () => ({ bytes: await tgz([{ name: 'web/Chart.yaml', body: good }, { name: 'web/l', type: 'symlink', linkname: '/etc/passwd' }]), name: 'web-3.0.0.tgz' }), 400, 'HELM_UNSAFE_PATH'],
    // 300 MB of zeros: a few hundred KB on the wire, stopped at the 256 MB cap while decompressing.
    ['a decompression bomb', async () => ({ bytes: await tgz([{ name: 'web/Chart.yaml', body: good }, { name: 'web/big', body: '\0'.repeat(300 * 1024 * 1024) }]), name: 'web-3.0.0.tgz' }), 400, 'HELM_TOO_LARGE'],
    ['a gzip that is not a tar', async () => ({ bytes: gzipSync(Buffer.from('not a tar archive at all'.repeat(40))), name: 'web-3.0.0.tgz' }), 400, 'HELM_CORRUPT'],
    ['an unsigned provenance file', async () => ({ bytes: await chart('web', '4.0.0'), name: 'web-4.0.0.tgz', prov: 'files:\n  web-4.0.0.tgz: sha256:' + '0'.repeat(64) + '\n' }), 400, 'HELM_BAD_PROVENANCE'],
    ['a provenance file for other bytes', async () => ({ bytes: await chart('web', '4.0.0'), name: 'web-4.0.0.tgz', prov: await signed('web', '4.0.0', '0'.repeat(64)) }), 400, 'HELM_BAD_PROVENANCE'],
    ['a provenance file signing another chart name', async () => {
      const bytes = await tgz([{ name: 'api/Chart.yaml', body: 'apiVersion: v2\nname: api\nversion: 4.0.0\n' }]);
      return { bytes, name: 'web-4.0.0.tgz', prov: await signed('web', '4.0.0', sha256(bytes)) };
    }, 400, 'HELM_BAD_PROVENANCE'],
    ['not a chart at all', async () => ({ bytes: Buffer.from('just text'), name: 'web-5.0.0.tgz' }), 415, 'UNKNOWN_FORMAT'],
  ])('refuses %s and leaves the repository unchanged', async (_what, make, status, code) => {
    const before = await h.snapshot(repo);
    const { bytes, name, prov } = (await make()) as { bytes: Uint8Array; name: string; prov?: string };
    const res = await cmPush(bytes, name, { prov });
    expect([res.status, res.body]).toEqual([status, expect.objectContaining({ error: expect.any(String), code })]);
    expect(await h.snapshot(repo)).toEqual(before);
  });
});

describe('a private Helm repository', () => {
  const secret = 'acme/charts-private';

  it('answers anonymous reads with 401 and a Basic challenge, and admits helm repo add --username/--password', async () => {
    expect((await h.api.createRepo(secret, 'private')).status).toBe(201);
    const token = (await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'helm-ci', grants: { [secret]: ['read', 'push'] } })).body.token;
    expect((await cmPush(await chart('hidden', '1.0.0'), 'hidden-1.0.0.tgz', { token, r: secret })).status).toBe(201);
    const anonymous = await fetch(`${h.url}/${secret}/helm/index.yaml`);
    expect([anonymous.status, anonymous.headers.get('www-authenticate')]).toEqual([401, `Basic realm="${secret}"`]);
    const listed = await fetch(`${h.url}/${secret}/helm/api/charts`);
    expect([listed.status, listed.headers.get('www-authenticate')]).toEqual([401, `Basic realm="${secret}"`]);
    const res = await fetch(`${h.url}/${secret}/helm/index.yaml`, { headers: { authorization: basic(token) } });
    expect(res.status).toBe(200);
    const doc = YAML.parse(await res.text(), { version: '1.1' }) as IndexYaml;
    const file = await fetch(doc.entries.hidden[0].urls[0], { headers: { authorization: basic(token) } });
    expect(file.status).toBe(200);
  });

  it('refuses uploads without a token (401) or without push (403)', async () => {
    const bytes = await chart('hidden', '2.0.0');
    const anon = await cmPush(bytes, 'hidden-2.0.0.tgz', { token: '', r: secret });
    expect([anon.status, anon.headers.get('www-authenticate')]).toEqual([401, `Basic realm="${secret}"`]);
    const reader = (await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'helm-ro', grants: { [secret]: ['read'] } })).body.token;
    expect((await cmPush(bytes, 'hidden-2.0.0.tgz', { token: reader, r: secret })).status).toBe(403);
  });
});
