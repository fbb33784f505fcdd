import { zipSync } from 'fflate';

export interface NupkgSpec {
  id: string;
  version: string;
  description?: string;
  tags?: string;
  /** `<dependencies>` inner XML. */
  dependencies?: string;
  /** Further or replacing zip entries. */
  entries?: Record<string, string | Uint8Array>;
  /** Leave out the .nuspec. */
  noNuspec?: boolean;
}

export const nuspec = (s: Pick<NupkgSpec, 'id' | 'version' | 'description' | 'tags' | 'dependencies'>) => `<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>${s.id}</id>
    <version>${s.version}</version>
    <authors>Acme</authors>
    <description>${s.description ?? `The ${s.id} library`}</description>
    ${s.tags ? `<tags>${s.tags}</tags>` : ''}
    ${s.dependencies ? `<dependencies>${s.dependencies}</dependencies>` : ''}
  </metadata>
</package>
`;

/** A .nupkg as `dotnet pack` lays it out: the .nuspec at the root, OPC parts, a lib folder. */
export function nupkg(s: NupkgSpec): Buffer {
  const entries: Record<string, Uint8Array> = {
    '[Content_Types].xml': Buffer.from('<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="nuspec" ContentType="application/octet" /><Default Extension="dll" ContentType="application/octet" /></Types>'),
    '_rels/.rels': Buffer.from('<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships" />'),
    [`lib/net8.0/${s.id}.dll`]: Buffer.from('MZ placeholder'),
  };
  if (!s.noNuspec) entries[`${s.id}.nuspec`] = Buffer.from(nuspec(s));
  for (const [k, v] of Object.entries(s.entries ?? {})) entries[k] = typeof v === 'string' ? Buffer.from(v) : v;
  return Buffer.from(zipSync(entries, { mtime: new Date('2024-01-01T00:00:00Z') }));
}
