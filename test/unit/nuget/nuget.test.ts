import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPackyardError } from '../../../shared/domain/errors';
import type { IndexMember } from '../../../shared/formats/format';
import { nugetFormat } from '../../../shared/formats/nuget';
import { serviceIndex } from '../../../shared/formats/nuget/paths';
import { renderNuget } from '../../../shared/formats/nuget/render';
import { compareNugetVersions, parseNugetVersion } from '../../../shared/formats/nuget/version';
import { nupkg } from '../../support/nupkgs';

const FIXTURES = join(__dirname, '../../fixtures/nuget');
const golden = (name: string, value: unknown) => {
  const file = join(FIXTURES, name);
  const text = JSON.stringify(value, null, 2) + '\n';
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
};
const codeOf = async (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => (isPackyardError(e) ? e.code : String(e)));

describe('NuGet versions', () => {
  it.each([
    ['1.01.1', '1.1.1'], ['1.0.0.0', '1.0.0'], ['1.0.0+git', '1.0.0'], ['1.0', '1.0.0'], ['1.2.3.4', '1.2.3.4'], ['01.0.0-Beta.01', '1.0.0-Beta.01'],
  ])('normalises %s to %s', (raw, normalized) => expect(parseNugetVersion(raw).normalized).toBe(normalized));

  it('orders numerically, pre-releases before their release, labels as SemVer 2', () => {
    const sorted = ['1.10.0', '1.2.0', '1.2.0-beta.2', '1.2.0-beta.10', '1.2.0-alpha', '1.2.0.1', '0.9.0'].sort(compareNugetVersions);
    expect(sorted).toEqual(['0.9.0', '1.2.0-alpha', '1.2.0-beta.2', '1.2.0-beta.10', '1.2.0', '1.2.0.1', '1.10.0']);
  });

  it.each(['1', 'a.b', '1.0.0-', '1.0.0-beta..1', '1.0.0#x'])('refuses %s', (raw) => expect(() => parseNugetVersion(raw)).toThrow(/not a NuGet version/));
});

describe('.nupkg parsing', () => {
  it('reads the nuspec; identity is the lower-cased id and normalised version', async () => {
    const p = await nugetFormat.parse(nupkg({ id: 'Acme.Widgets', version: '1.02.0-RC.1', dependencies: '<group targetFramework="net8.0"><dependency id="Newtonsoft.Json" version="[13.0.1, )" /></group>' }), {});
    expect(p).toMatchObject({ name: 'acme.widgets', version: '1.2.0-rc.1', arch: '', metadata: { id: 'Acme.Widgets', version: '1.2.0-RC.1' } });
    expect(JSON.parse(p.control!).metadata.dependencyGroups).toEqual([{ targetFramework: 'net8.0', dependencies: [{ id: 'Newtonsoft.Json', range: '[13.0.1, )' }] }]);
    expect(Buffer.from(p.extras!.nuspec).toString()).toContain('<id>Acme.Widgets</id>');
  });

  it.each([
    ['not a zip', Buffer.from('hello'), 'NUGET_BAD_ARCHIVE'],
    ['no nuspec', nupkg({ id: 'A', version: '1.0.0', noNuspec: true }), 'NUGET_NO_NUSPEC'],
    ['two nuspecs', nupkg({ id: 'A', version: '1.0.0', entries: { 'B.nuspec': '<package/>' } }), 'NUGET_NO_NUSPEC'],
    ['a nuspec only in a folder', nupkg({ id: 'A', version: '1.0.0', noNuspec: true, entries: { 'sub/A.nuspec': '<package/>' } }), 'NUGET_NO_NUSPEC'],
    ['an invalid id', nupkg({ id: 'bad id', version: '1.0.0' }), 'NUGET_BAD_ID'],
    ['an invalid version', nupkg({ id: 'A', version: 'one' }), 'NUGET_BAD_VERSION'],
    ['malformed XML', nupkg({ id: 'A', version: '1.0.0', noNuspec: true, entries: { 'A.nuspec': '<package><metadata>' } }), 'NUGET_BAD_NUSPEC'],
    ['a DOCTYPE', nupkg({ id: 'A', version: '1.0.0', noNuspec: true, entries: { 'A.nuspec': '<!DOCTYPE x [<!ENTITY a "b">]><package/>' } }), 'NUGET_BAD_NUSPEC'],
    ['a path with ..', nupkg({ id: 'A', version: '1.0.0', entries: { '../evil.dll': 'x' } }), 'NUGET_UNSAFE_PATH'],
  ])('refuses %s', async (_what, bytes, code) => {
    expect(await codeOf(nugetFormat.parse(bytes, {}))).toBe(code);
  });
});

describe('NuGet documents (golden files)', () => {
  const member = async (id: string, version: string, uploadedAt: string, yanked = false): Promise<IndexMember> => {
    const p = await nugetFormat.parse(nupkg({ id, version, tags: 'widgets ui' }), {});
    return { name: p.name, version: p.version, arch: '', uploadedAt, fragment: p.control!, ...(yanked ? { yanked: { at: uploadedAt } } : {}) };
  };

  it('renders the service index with the resource types clients look for', () => {
    const doc = serviceIndex('https://pkgs.example.com/acme/dotnet/nuget');
    golden('index.json', doc);
    const types = (doc.resources as { '@type': string }[]).map((r) => r['@type']);
    expect(types).toEqual(expect.arrayContaining(['PackagePublish/2.0.0', 'PackageBaseAddress/3.0.0', 'RegistrationsBaseUrl/3.6.0', 'SearchQueryService/3.5.0']));
  });

  it('renders the flat container version list and the registration index, unlisted versions marked', async () => {
    const members = [await member('Acme.Widgets', '1.10.0', '2024-01-03T00:00:00.000Z'), await member('Acme.Widgets', '1.2.0', '2024-01-01T00:00:00.000Z'), await member('Acme.Widgets', '1.3.0-beta', '2024-01-02T00:00:00.000Z', true)];
    const out = await renderNuget({ repo: 'acme/dotnet', scope: 'acme.widgets', members, now: new Date(), baseUrl: 'https://pkgs.example.com' });
    const byKey = new Map(out.top.map((f) => [f.key, JSON.parse(Buffer.from(f.body).toString())]));
    expect(byKey.get('acme/dotnet/nuget/v3/flatcontainer/acme.widgets/index.json')).toEqual({ versions: ['1.2.0', '1.3.0-beta', '1.10.0'] });
    const reg = byKey.get('acme/dotnet/nuget/v3/registration/acme.widgets/index.json');
    golden('registration.json', reg);
    expect(reg.items[0]).toMatchObject({ lower: '1.2.0', upper: '1.10.0', count: 3 });
    expect(reg.items[0].items.map((l: { catalogEntry: { listed: boolean } }) => l.catalogEntry.listed)).toEqual([true, false, true]);
    expect(reg.items[0].items[0].packageContent).toBe('https://pkgs.example.com/acme/dotnet/nuget/v3/flatcontainer/acme.widgets/1.2.0/acme.widgets.1.2.0.nupkg');
    expect(byKey.get('acme/dotnet/nuget/v3/registration/acme.widgets/1.3.0-beta.json')).toMatchObject({ listed: false });
  });
});
