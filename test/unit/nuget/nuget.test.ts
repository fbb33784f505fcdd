import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPackyardError } from '../../../shared/domain/errors';
import type { IndexMember } from '../../../shared/formats/format';
import { nugetFormat } from '../../../shared/formats/nuget';
import { serviceIndex } from '../../../shared/formats/nuget/paths';
import { renderNuget } from '../../../shared/formats/nuget/render';
import { compareNugetVersions, parseNugetVersion } from '../../../shared/formats/nuget/version';
import { nupkg, nuspec } from './nupkgs';

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
    ['an absolute path', nupkg({ id: 'A', version: '1.0.0', entries: { '/etc/evil': 'x' } }), 'NUGET_UNSAFE_PATH'],
    ['a backslash path with ..', nupkg({ id: 'A', version: '1.0.0', entries: { 'lib\\..\\..\\evil.dll': 'x' } }), 'NUGET_UNSAFE_PATH'],
    ['a nuspec without <id>', nupkg({ id: 'A', version: '1.0.0', noNuspec: true, entries: { 'A.nuspec': '<package><metadata><version>1.0.0</version></metadata></package>' } }), 'NUGET_BAD_ID'],
    ['an id longer than 100 characters', nupkg({ id: 'A'.repeat(101), version: '1.0.0' }), 'NUGET_BAD_ID'],
    ['an id with a double dot', nupkg({ id: 'Acme..Widgets', version: '1.0.0' }), 'NUGET_BAD_ID'],
    ['a nuspec without <metadata>', nupkg({ id: 'A', version: '1.0.0', noNuspec: true, entries: { 'A.nuspec': '<package/>' } }), 'NUGET_BAD_NUSPEC'],
    ['a zip cut short', nupkg({ id: 'A', version: '1.0.0' }).subarray(0, 200), 'NUGET_BAD_ARCHIVE'],
    // 2 MB of blanks deflate to a few KB: refused from the size the zip declares, before inflating.
    ['a nuspec over 1 MB unpacked', nupkg({ id: 'A', version: '1.0.0', noNuspec: true, entries: { 'A.nuspec': nuspec({ id: 'A', version: '1.0.0' }).replace('<metadata>', '<metadata>' + ' '.repeat(2 * 1024 * 1024)) } }), 'NUGET_TOO_LARGE'],
  ])('refuses %s', async (_what, bytes, code) => {
    expect(await codeOf(nugetFormat.parse(bytes, {}))).toBe(code);
  });

  it('refuses a zip listing the root .nuspec twice (one name, two entries)', async () => {
    const zip = nupkg({ id: 'A', version: '1.0.0', entries: { 'B.nuspec': nuspec({ id: 'B', version: '1.0.0' }) } });
    const twice = Buffer.from(zip.toString('latin1').split('B.nuspec').join('A.nuspec'), 'latin1');
    expect(await codeOf(nugetFormat.parse(twice, {}))).toBe('NUGET_NO_NUSPEC');
  });

  it('refuses more entries than the cap', async () => {
    const entries = Object.fromEntries(Array.from({ length: 50_001 }, (_, i) => [`content/${i}`, new Uint8Array(0)]));
    expect(await codeOf(nugetFormat.parse(nupkg({ id: 'A', version: '1.0.0', entries }), {}))).toBe('NUGET_TOO_LARGE');
  }, 60_000);

  it('never inflates the nuspec past the size its zip entry declares (a lying header cannot grow it)', async () => {
    const big = nuspec({ id: 'A', version: '1.0.0' }).replace('<metadata>', '<metadata>' + ' '.repeat(4 * 1024 * 1024));
    const zip = Buffer.from(nupkg({ id: 'A', version: '1.0.0', noNuspec: true, entries: { 'A.nuspec': big } }));
    // Central directory record of A.nuspec: signature PK\1\2, uncompressed size at +24.
    for (let at = zip.indexOf('PK\x01\x02', 0, 'latin1'); at >= 0; at = zip.indexOf('PK\x01\x02', at + 4, 'latin1')) {
      const nameLength = zip.readUInt16LE(at + 28);
      if (zip.toString('latin1', at + 46, at + 46 + nameLength) === 'A.nuspec') zip.writeUInt32LE(100, at + 24);
    }
    expect(await codeOf(nugetFormat.parse(zip, {}))).toBe('NUGET_BAD_NUSPEC');
  });

  it('keeps package types, an SPDX license expression (not a license file) and omits empty dependency ranges', async () => {
    const xml = nuspec({ id: 'Acme.Tool', version: '1.0.0', dependencies: '<group targetFramework="net8.0"><dependency id="Any.Version" /></group>' }).replace(
      '<authors>',
      '<packageTypes><packageType name="DotnetTool" /></packageTypes><license type="expression">MIT OR Apache-2.0</license><requireLicenseAcceptance>true</requireLicenseAcceptance><authors>',
    );
    const p = await nugetFormat.parse(nupkg({ id: 'Acme.Tool', version: '1.0.0', noNuspec: true, entries: { 'Acme.Tool.nuspec': xml } }), {});
    const md = JSON.parse(p.control!).metadata;
    expect(md).toMatchObject({ packageTypes: ['DotnetTool'], license: 'MIT OR Apache-2.0', requireLicenseAcceptance: true });
    const out = await renderNuget({ repo: 'acme/dotnet', scope: 'acme.tool', members: [{ name: p.name, version: p.version, arch: '', uploadedAt: '2024-01-01T00:00:00.000Z', fragment: p.control! }], now: new Date(), baseUrl: 'https://h' });
    const reg = JSON.parse(Buffer.from(out.top.find((f) => f.key.endsWith('registration/acme.tool/index.json'))!.body).toString());
    expect(reg.items[0].items[0].catalogEntry).toMatchObject({ licenseExpression: 'MIT OR Apache-2.0', requireLicenseAcceptance: true, dependencyGroups: [{ targetFramework: 'net8.0', dependencies: [{ id: 'Any.Version' }] }] });

    const file = xml.replace('<license type="expression">MIT OR Apache-2.0</license>', '<license type="file">LICENSE.txt</license>');
    const q = await nugetFormat.parse(nupkg({ id: 'Acme.Tool', version: '1.0.0', noNuspec: true, entries: { 'Acme.Tool.nuspec': file } }), {});
    expect(JSON.parse(q.control!).metadata.license).toBeUndefined();
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
