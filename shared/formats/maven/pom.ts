import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { unzipSync } from 'fflate';
import { badRequest } from '../../domain/errors';
import { MavenCodes } from './codes';
import type { Coordinates } from './coordinates';

const MAX_POM_BYTES = 1024 * 1024;
const parser = new XMLParser({ ignoreAttributes: true, processEntities: false, parseTagValue: false, trimValues: true });

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** groupId, artifactId and version of a pom, inheriting groupId and version from `<parent>` as Maven does. */
export function pomCoordinates(bytes: Uint8Array): Coordinates & { packaging: string } {
  if (bytes.length > MAX_POM_BYTES) throw badRequest(MavenCodes.BAD_POM, `the pom is larger than ${MAX_POM_BYTES} bytes`);
  const xml = Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, '');
  // DOCTYPE declarations are what entity-expansion bombs need; a pom never has one.
  if (/<!DOCTYPE/i.test(xml)) throw badRequest(MavenCodes.BAD_POM, 'the pom declares a DOCTYPE, which Packyard refuses');
  if (XMLValidator.validate(xml) !== true) throw badRequest(MavenCodes.BAD_POM, 'the pom is not well-formed XML');
  const doc = parser.parse(xml) as { project?: Record<string, unknown> };
  const project = doc.project;
  if (!project || typeof project !== 'object') throw badRequest(MavenCodes.BAD_POM, 'the pom has no <project> element');
  const parent = (project.parent && typeof project.parent === 'object' ? project.parent : {}) as Record<string, unknown>;
  const raw = {
    groupId: text(project.groupId) ?? text(parent.groupId),
    artifactId: text(project.artifactId),
    version: text(project.version) ?? text(parent.version),
  };
  if (!raw.groupId || !raw.artifactId || !raw.version) throw badRequest(MavenCodes.BAD_POM, 'the pom must give groupId, artifactId and version (directly or through <parent>)');
  const props: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(project.properties && typeof project.properties === 'object' ? project.properties : {})) {
    // An empty property is '' (CI-friendly `${changelist}` for releases).
    if (typeof v === 'string') props[k] = v.trim();
  }
  for (const [k, v] of Object.entries(raw)) props[`project.${k}`] = props[`pom.${k}`] = v!;
  for (const k of ['groupId', 'artifactId', 'version']) {
    if (text(parent[k])) props[`project.parent.${k}`] = props[`parent.${k}`] = text(parent[k])!;
  }
  const resolve = (v: string) => interpolate(v, props);
  return { groupId: resolve(raw.groupId), artifactId: resolve(raw.artifactId), version: resolve(raw.version), packaging: text(project.packaging) ?? 'jar' };
}

/**
 * Resolves `${name}` from what the pom itself defines (CI-friendly `${revision}` in <properties>, project.*,
 * parent.*); a reference defined elsewhere (a parent's properties, the command line) stays as written.
 */
function interpolate(value: string, props: Record<string, string>): string {
  let out = value;
  // A few rounds for properties that refer to properties; a cycle simply stays unresolved.
  for (let round = 0; round < 5 && out.includes('${'); round++) {
    out = out.replace(/\$\{([^}]+)\}/g, (ref: string, name: string) => props[name] ?? ref);
  }
  return out;
}

/** A pom's value agrees with the path's, or is a property the pom cannot resolve by itself (so not checked). */
export const pomAgrees = (pomValue: string, pathValue: string): boolean => pomValue === pathValue || pomValue.includes('${');

/** Java archives are zips; reading the central directory finds a truncated or damaged one. */
const ZIP_EXTENSIONS = new Set(['jar', 'war', 'ear', 'aar', 'zip']);
export const isZipExtension = (extension: string): boolean => ZIP_EXTENSIONS.has(extension);

/** The entries of a zip, without inflating any; throws MAVEN_BAD_ARCHIVE for anything that is not a whole zip. */
export function zipEntries(bytes: Uint8Array, what: string, read: (name: string) => boolean = () => false): Record<string, Uint8Array> {
  const names: string[] = [];
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        names.push(f.name);
        if (f.name.split('/').includes('..') || f.name.startsWith('/')) throw new Error(`entry ${f.name} escapes the archive`);
        return read(f.name) && f.originalSize <= MAX_POM_BYTES;
      },
    });
  } catch (e) {
    throw badRequest(MavenCodes.BAD_ARCHIVE, `${what} is not a valid zip archive (${e instanceof Error ? e.message : String(e)})`);
  }
  if (names.length === 0) throw badRequest(MavenCodes.BAD_ARCHIVE, `${what} is an empty archive`);
  return files;
}

/** A jar built by Maven carries `META-INF/maven/{groupId}/{artifactId}/pom.properties` with its coordinates. */
export function jarCoordinates(bytes: Uint8Array, what: string): Coordinates | undefined {
  const files = zipEntries(bytes, what, (name) => /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(name));
  const found = Object.values(files).map((b) => {
    const props: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const line of Buffer.from(b).toString('utf8').split(/\r?\n/)) {
      const m = /^\s*([A-Za-z]+)\s*[=:]\s*(.*?)\s*$/.exec(line);
      if (m && !line.trimStart().startsWith('#')) props[m[1]] = m[2];
    }
    return props;
  });
  if (found.length !== 1) return undefined;
  const { groupId, artifactId, version } = found[0];
  return groupId && artifactId && version ? { groupId, artifactId, version } : undefined;
}
