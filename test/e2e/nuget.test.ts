import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { run as runCli } from '../../cli/main';
import { captureIo } from '../unit/cli/support/capture-io';
import { nupkg, nuspec } from '../unit/nuget/nupkgs';
import { startHarness, type Harness } from './support/registry';

// No NuGet v3 client can run here (only mono's v2 nuget 2.8): the feed is driven the way dotnet nuget push
// and restore drive it (protocols.md §9), starting from the service index as clients do.
let h: Harness;
const repo = 'acme/dotnet';
const feed = () => `${h.url}/${repo}/nuget`;

beforeAll(async () => {
  h = await startHarness();
  expect((await h.api.createRepo(repo)).status).toBe(201);
});
afterAll(async () => h?.close());

/**
 * What `dotnet nuget push` sends: a multipart PUT of the package (part `package`, file `package.nupkg`), the key
 * in X-NuGet-ApiKey, to the PackagePublish URL with a trailing slash (NuGet's EnsureTrailingSlash).
 */
async function push(bytes: Uint8Array, opts: { key?: string; r?: string; name?: string; slash?: boolean } = {}) {
  const form = new FormData();
  form.set('package', new Blob([bytes]), opts.name ?? 'package.nupkg');
  const key = opts.key ?? h.admin;
  const url = `${h.url}/${opts.r ?? repo}/nuget/api/v2/package${opts.slash === false ? '' : '/'}`;
  const res = await fetch(url, { method: 'PUT', body: form, headers: key ? { 'x-nuget-apikey': key } : {} });
  const text = await res.text();
  await h.registry.idle();
  return { status: res.status, text, headers: res.headers };
}
const getJson = async <T = Record<string, unknown>>(url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (res.status === 200 ? await res.json() : undefined) as T, headers: res.headers };
};
interface ServiceIndex {
  resources: { '@id': string; '@type': string }[];
}
const resource = (index: ServiceIndex, type: string) => index.resources.find((r) => r['@type'] === type)!['@id'];

describe('a NuGet v3 feed', () => {
  it('pushes with X-NuGet-ApiKey and serves what restore reads, reached from the service index', async () => {
    expect((await push(nupkg({ id: 'Acme.Widgets', version: '1.0.0' }))).status).toBe(201);
    expect((await push(nupkg({ id: 'Acme.Widgets', version: '1.10.0', dependencies: '<group targetFramework="net8.0"><dependency id="Acme.Core" version="[2.0.0, )" /></group>' }), { slash: false })).status).toBe(201);
    expect((await push(nupkg({ id: 'Acme.Widgets', version: '2.0.0-beta.1' }))).status).toBe(201);

    const index = await getJson<ServiceIndex>(`${feed()}/v3/index.json`);
    expect([index.status, index.headers.get('cache-control')]).toEqual([200, 'no-store']);
    expect(resource(index.body, 'PackagePublish/2.0.0')).toBe(`${feed()}/api/v2/package`);
    for (const r of index.body.resources) expect(r['@id']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const flat = resource(index.body, 'PackageBaseAddress/3.0.0');
    const versions = await getJson<{ versions: string[] }>(`${flat}acme.widgets/index.json`);
    expect(versions.body.versions).toEqual(['1.0.0', '1.10.0', '2.0.0-beta.1']);
    const bytes = nupkg({ id: 'Acme.Widgets', version: '1.0.0' });
    const file = await fetch(`${flat}acme.widgets/1.0.0/acme.widgets.1.0.0.nupkg`);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(bytes);
    const nuspec = await fetch(`${flat}acme.widgets/1.10.0/acme.widgets.nuspec`);
    expect(await nuspec.text()).toContain('<id>Acme.Widgets</id>');

    const registration = await getJson<{ items: { items: { catalogEntry: { version: string; dependencyGroups: unknown[] }; packageContent: string }[] }[] }>(
      `${resource(index.body, 'RegistrationsBaseUrl/3.6.0')}acme.widgets/index.json`,
    );
    const leaves = registration.body.items[0].items;
    expect(leaves.map((l) => l.catalogEntry.version)).toEqual(['1.0.0', '1.10.0', '2.0.0-beta.1']);
    expect(leaves[1].catalogEntry.dependencyGroups).toEqual([{ targetFramework: 'net8.0', dependencies: [{ id: 'Acme.Core', range: '[2.0.0, )' }] }]);
    expect((await fetch(leaves[0].packageContent)).status).toBe(200);
  });

  it('searches listed packages, with pre-releases only when asked', async () => {
    const search = (q: string) => getJson<{ totalHits: number; data: { id: string; version: string; versions: { version: string }[] }[] }>(`${feed()}/v3/search?${q}`);
    const plain = await search('q=widgets');
    expect(plain.body.totalHits).toBe(1);
    expect(plain.body.data[0]).toMatchObject({ id: 'Acme.Widgets', version: '1.10.0' });
    expect((await search('q=widgets&prerelease=true')).body.data[0].version).toBe('2.0.0-beta.1');
    expect((await search('q=nothing-like-this')).body.totalHits).toBe(0);
    // NuGet asks for one id with packageid: (any case); SearchQueryService/3.5.0 filters by package type.
    expect((await search('q=packageid:ACME.WIDGETS')).body.data.map((d) => d.id)).toEqual(['Acme.Widgets']);
    expect((await search('q=packageid:acme.widget')).body.totalHits).toBe(0);
    expect((await search('q=&packageType=Dependency')).body.data.map((d) => d.id)).toContain('Acme.Widgets');
    expect((await search('q=&packageType=DotnetTool')).body.totalHits).toBe(0);
  });

  it('unlists (DELETE) and relists (POST): hidden from search, still restorable', async () => {
    // The id in any case and the version in any spelling that normalises to the same (1.10.0.0 -> 1.10.0).
    const del = await fetch(`${feed()}/api/v2/package/ACME.widgets/1.10.0.0`, { method: 'DELETE', headers: { 'x-nuget-apikey': h.admin } });
    expect(del.status).toBe(204);
    await h.registry.idle();
    const reg = await getJson<{ items: { items: { catalogEntry: { version: string; listed: boolean } }[] }[] }>(`${feed()}/v3/registration/acme.widgets/index.json`);
    expect(reg.body.items[0].items.find((l) => l.catalogEntry.version === '1.10.0')?.catalogEntry.listed).toBe(false);
    expect((await fetch(`${feed()}/v3/flatcontainer/acme.widgets/1.10.0/acme.widgets.1.10.0.nupkg`)).status).toBe(200);
    expect((await getJson<{ data: { version: string }[] }>(`${feed()}/v3/search?q=widgets`)).body.data[0].version).toBe('1.0.0');
    expect((await fetch(`${feed()}/api/v2/package/acme.widgets/1.10.0`, { method: 'POST', headers: { 'x-nuget-apikey': h.admin } })).status).toBe(200);
    await h.registry.idle();
    expect((await getJson<{ data: { version: string }[] }>(`${feed()}/v3/search?q=widgets`)).body.data[0].version).toBe('1.10.0');
    expect((await fetch(`${feed()}/api/v2/package/Acme.Widgets/9.9.9`, { method: 'DELETE', headers: { 'x-nuget-apikey': h.admin } })).status).toBe(404);
  });

  it('takes a package through the direct upload path too', async () => {
    const file = join(h.tmp, 'direct.nupkg');
    await fsp.writeFile(file, nupkg({ id: 'Acme.Direct', version: '0.1.0' }));
    const res = await h.api.pushDirect(repo, 'nuget', file);
    expect([res.status, res.body]).toEqual([201, expect.objectContaining({ name: 'acme.direct', version: '0.1.0' })]);
    await h.registry.idle();
    expect((await getJson<{ versions: string[] }>(`${feed()}/v3/flatcontainer/acme.direct/index.json`)).body.versions).toEqual(['0.1.0']);
  });

  it('takes a package through packyard push (presigned upload), and refuses a broken one there too', async () => {
    const dir = join(h.tmp, 'cli');
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(join(dir, 'Acme.Cli.1.0.0.nupkg'), nupkg({ id: 'Acme.Cli', version: '1.0.0' }));
    await fsp.writeFile(join(dir, 'broken.nupkg'), nupkg({ id: 'Acme.Cli', version: '2.0.0', noNuspec: true }));
    const packyard = async (...argv: string[]) => {
      const { io, stdout, stderr } = captureIo({ env: { PACKYARD_URL: h.url, PACKYARD_TOKEN: h.admin }, cwd: dir });
      return { code: await runCli(argv, io), out: stdout.text + stderr.text };
    };
    expect((await packyard('push', `${repo}/nuget`, 'Acme.Cli.1.0.0.nupkg')).code).toBe(0);
    await h.registry.idle();
    const before = await h.snapshot(repo);
    expect(await packyard('push', `${repo}/nuget`, 'broken.nupkg')).toEqual({ code: 1, out: expect.stringMatching(/NUGET_NO_NUSPEC/) });
    await h.registry.idle();
    expect(await h.snapshot(repo)).toEqual(before);
    const file = await fetch(`${feed()}/v3/flatcontainer/acme.cli/1.0.0/acme.cli.1.0.0.nupkg`);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(nupkg({ id: 'Acme.Cli', version: '1.0.0' }));
  });

  const bigNuspec = () => nuspec({ id: 'Acme.Bad', version: '1.0.0' }).replace('<metadata>', '<metadata>' + ' '.repeat(2 * 1024 * 1024));
  it.each([
    ['a duplicate', () => nupkg({ id: 'Acme.Widgets', version: '1.0.0' }), 409, /NUGET_PACKAGE_EXISTS/],
    ['a duplicate differing only in id case and version spelling', () => nupkg({ id: 'ACME.widgets', version: '1.00.0.0' }), 409, /NUGET_PACKAGE_EXISTS/],
    ['a zip without a nuspec', () => nupkg({ id: 'Acme.Bad', version: '1.0.0', noNuspec: true }), 400, /NUGET_NO_NUSPEC/],
    ['an invalid id', () => nupkg({ id: 'Acme Bad', version: '1.0.0' }), 400, /NUGET_BAD_ID/],
    ['an invalid version', () => nupkg({ id: 'Acme.Bad', version: 'latest' }), 400, /NUGET_BAD_VERSION/],
    ['a path that climbs out', () => nupkg({ id: 'Acme.Bad', version: '1.0.0', entries: { 'lib/../../x.dll': 'x' } }), 400, /NUGET_UNSAFE_PATH/],
    ['an absolute path', () => nupkg({ id: 'Acme.Bad', version: '1.0.0', entries: { '/etc/x.dll': 'x' } }), 400, /NUGET_UNSAFE_PATH/],
    ['two nuspecs at the root', () => nupkg({ id: 'Acme.Bad', version: '1.0.0', entries: { 'Other.nuspec': nuspec({ id: 'Other', version: '1.0.0' }) } }), 400, /NUGET_NO_NUSPEC/],
    ['a nuspec that is not XML', () => nupkg({ id: 'Acme.Bad', version: '1.0.0', noNuspec: true, entries: { 'Acme.Bad.nuspec': '<package><metadata><id>Acme.Bad</id>' } }), 400, /NUGET_BAD_NUSPEC/],
    ['a nuspec with a DOCTYPE (entity expansion)', () => nupkg({ id: 'Acme.Bad', version: '1.0.0', noNuspec: true, entries: { 'Acme.Bad.nuspec': '<!DOCTYPE p [<!ENTITY a "aaaa">]>' + nuspec({ id: 'Acme.Bad', version: '1.0.0' }).replace(/^<\?xml[^>]*>/, '') } }), 400, /NUGET_BAD_NUSPEC/],
    ['a nuspec that unpacks past 1 MB (bomb)', () => nupkg({ id: 'Acme.Bad', version: '1.0.0', noNuspec: true, entries: { 'Acme.Bad.nuspec': bigNuspec() } }), 400, /NUGET_TOO_LARGE/],
    ['a zip cut short', () => nupkg({ id: 'Acme.Bad', version: '1.0.0' }).subarray(0, 300), 400, /NUGET_BAD_ARCHIVE/],
    ['not a package at all', () => Buffer.from('plain text'), 415, /UNKNOWN_FORMAT/],
  ])('refuses %s and leaves the feed unchanged', async (_what, make, status, code) => {
    const before = await h.snapshot(repo);
    const res = await push(make());
    expect([res.status, res.text]).toEqual([status, expect.stringMatching(code)]);
    expect(await h.snapshot(repo)).toEqual(before);
  });
});

describe('a private NuGet feed', () => {
  const secret = 'acme/dotnet-private';

  it('answers the anonymous first request with 401 and a Basic challenge, then admits the token', async () => {
    expect((await h.api.createRepo(secret, 'private')).status).toBe(201);
    const token = (await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'nuget-ci', grants: { [secret]: ['read', 'push'] } })).body.token;
    expect((await push(nupkg({ id: 'Secret.Lib', version: '1.0.0' }), { key: token, r: secret })).status).toBe(201);
    const basic = { authorization: 'Basic ' + Buffer.from(`ci:${token}`).toString('base64') };
    for (const path of ['v3/index.json', 'v3/search?q=secret', 'v3/flatcontainer/secret.lib/index.json', 'v3/registration/secret.lib/index.json']) {
      const anonymous = await fetch(`${h.url}/${secret}/nuget/${path}`);
      expect([path, anonymous.status, anonymous.headers.get('www-authenticate')]).toEqual([path, 401, `Basic realm="${secret}"`]);
      expect([path, (await fetch(`${h.url}/${secret}/nuget/${path}`, { headers: basic })).status]).toEqual([path, 200]);
    }
  });

  it('refuses pushes without a key (401) or without push permission (403), and unlisting without yank (403)', async () => {
    const bytes = nupkg({ id: 'Secret.Lib', version: '2.0.0' });
    const anon = await push(bytes, { key: '', r: secret });
    expect([anon.status, anon.headers.get('www-authenticate')]).toEqual([401, `Basic realm="${secret}"`]);
    const reader = (await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'nuget-ro', grants: { [secret]: ['read', 'push'] } })).body.token;
    expect((await fetch(`${h.url}/${secret}/nuget/api/v2/package/Secret.Lib/1.0.0`, { method: 'DELETE', headers: { 'x-nuget-apikey': reader } })).status).toBe(403);
    const readOnly = (await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'nuget-r', grants: { [secret]: ['read'] } })).body.token;
    expect((await push(bytes, { key: readOnly, r: secret })).status).toBe(403);
  });
});
