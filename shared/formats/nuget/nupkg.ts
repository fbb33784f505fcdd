import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { unzipSync } from 'fflate';
import { badRequest, isPackyardError } from '../../domain/errors';
import { NugetCodes } from './codes';
import { checkNugetId, parseNugetVersion } from './version';

const MAX_NUSPEC_BYTES = 1024 * 1024;
// Generous for any real package, and below 65,535 so a plain (non-ZIP64) directory can reach it.
const MAX_ENTRIES = 50_000;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', processEntities: false, parseTagValue: false, trimValues: true, isArray: (name) => ['group', 'dependency', 'packageType'].includes(name) });

export interface DependencyGroup {
  targetFramework?: string;
  dependencies: { id: string; range: string }[];
}

/** What the feed shows of a package: the nuspec's metadata, id and version as the author wrote them. */
export interface NuspecMetadata {
  id: string;
  version: string;
  authors: string;
  description: string;
  title?: string;
  summary?: string;
  tags?: string;
  projectUrl?: string;
  licenseUrl?: string;
  /** An SPDX expression (`<license type="expression">`); a license file has none. */
  license?: string;
  iconUrl?: string;
  requireLicenseAcceptance?: boolean;
  /** `<packageTypes>` (`DotnetTool`, `Template`...); none means a plain dependency package. */
  packageTypes?: string[];
  dependencyGroups: DependencyGroup[];
}

const text = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v.trim() || undefined;
  if (v && typeof v === 'object' && '#text' in v) return text((v as Record<string, unknown>)['#text']);
  return undefined;
};

/**
 * The one `.nuspec` at the root of a .nupkg (a zip). Nothing else is inflated, and the nuspec is inflated
 * into a buffer of its declared size, so a lying header cannot make it grow (fflate stops at the buffer).
 */
export function readNupkg(bytes: Uint8Array): { nuspec: Uint8Array; metadata: NuspecMetadata } {
  const names: string[] = [];
  const roots: string[] = [];
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        names.push(f.name);
        if (names.length > MAX_ENTRIES) throw badRequest(NugetCodes.TOO_LARGE, `the package holds more than ${MAX_ENTRIES} entries`);
        const root = !/[/\\]/.test(f.name) && f.name.toLowerCase().endsWith('.nuspec');
        if (root && f.originalSize > MAX_NUSPEC_BYTES) throw badRequest(NugetCodes.TOO_LARGE, `${f.name} is ${f.originalSize} bytes unpacked, more than the ${MAX_NUSPEC_BYTES}-byte limit`);
        if (root) roots.push(f.name);
        return root;
      },
    });
  } catch (e) {
    if (isPackyardError(e)) throw e;
    throw badRequest(NugetCodes.BAD_ARCHIVE, `the package is not a valid .nupkg (zip) archive (${e instanceof Error ? e.message : String(e)})`);
  }
  const unsafe = names.find((n) => /^[/\\]/.test(n) || /^[A-Za-z]:/.test(n) || n.split(/[/\\]/).includes('..') || n.includes('\0'));
  if (unsafe) throw badRequest(NugetCodes.UNSAFE_PATH, `the package holds an unsafe path ${JSON.stringify(unsafe)} (absolute, or with "..")`);
  // Counted from the directory, not the result: a name listed twice would otherwise collapse into one.
  if (roots.length !== 1) {
    throw badRequest(NugetCodes.NO_NUSPEC, `a .nupkg holds exactly one .nuspec at its root; this one holds ${roots.length}${roots.length ? ` (${roots.join(', ')})` : ''}`);
  }
  const nuspec = files[roots[0]];
  return { nuspec, metadata: parseNuspec(nuspec) };
}

export function parseNuspec(bytes: Uint8Array): NuspecMetadata {
  const xml = Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, '');
  if (/<!DOCTYPE/i.test(xml)) throw badRequest(NugetCodes.BAD_NUSPEC, 'the .nuspec declares a DOCTYPE, which Packyard refuses');
  if (XMLValidator.validate(xml) !== true) throw badRequest(NugetCodes.BAD_NUSPEC, 'the .nuspec is not well-formed XML');
  const doc = parser.parse(xml) as { package?: { metadata?: Record<string, unknown> } };
  const m = doc.package?.metadata;
  if (!m || typeof m !== 'object') throw badRequest(NugetCodes.BAD_NUSPEC, 'the .nuspec has no <package><metadata>');
  const id = text(m.id);
  const version = text(m.version);
  if (!id) throw badRequest(NugetCodes.BAD_ID, 'the .nuspec has no <id>');
  if (!version) throw badRequest(NugetCodes.BAD_VERSION, 'the .nuspec has no <version>');
  checkNugetId(id);
  parseNugetVersion(version);
  const deps = (m.dependencies && typeof m.dependencies === 'object' ? m.dependencies : {}) as { group?: Record<string, unknown>[]; dependency?: Record<string, unknown>[] };
  const toDeps = (list: Record<string, unknown>[] | undefined) => (list ?? []).map((d) => ({ id: String(d.id ?? '').trim(), range: String(d.version ?? '').trim() })).filter((d) => d.id);
  const dependencyGroups: DependencyGroup[] = deps.group
    ? deps.group.map((g) => ({ ...(g.targetFramework ? { targetFramework: String(g.targetFramework) } : {}), dependencies: toDeps(g.dependency as Record<string, unknown>[] | undefined) }))
    : deps.dependency
      ? [{ dependencies: toDeps(deps.dependency) }]
      : [];
  const optional = (k: string) => (text(m[k]) ? { [k]: text(m[k]) } : {});
  const license = m.license && typeof m.license === 'object' ? (m.license as Record<string, unknown>) : undefined;
  const types = m.packageTypes && typeof m.packageTypes === 'object' ? ((m.packageTypes as { packageType?: Record<string, unknown>[] }).packageType ?? []) : [];
  const packageTypes = types.map((t) => String(t.name ?? '').trim()).filter(Boolean);
  return {
    id,
    version,
    authors: text(m.authors) ?? '',
    description: text(m.description) ?? '',
    ...optional('title'),
    ...optional('summary'),
    ...optional('tags'),
    ...optional('projectUrl'),
    ...optional('licenseUrl'),
    ...(license?.type === 'expression' && text(license) ? { license: text(license) } : {}),
    ...optional('iconUrl'),
    ...(text(m.requireLicenseAcceptance) === 'true' ? { requireLicenseAcceptance: true } : {}),
    ...(packageTypes.length ? { packageTypes } : {}),
    dependencyGroups,
  } as NuspecMetadata;
}
