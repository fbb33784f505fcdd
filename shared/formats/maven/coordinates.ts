import { badRequest } from '../../domain/errors';
import { MavenCodes } from './codes';

/** groupId segments, artifactId and version: what Maven and Nexus accept in a repository path. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/;
const VERSION = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,99}$/;
const FILENAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,254}$/;
export const CHECKSUM_EXTENSIONS = ['md5', 'sha1', 'sha256', 'sha512'] as const;
export type ChecksumExtension = (typeof CHECKSUM_EXTENSIONS)[number];
export const METADATA_FILE = 'maven-metadata.xml';
const SNAPSHOT = '-SNAPSHOT';
/** `1.0-20240102.150405-3`: a deployed SNAPSHOT's unique version. */
const TIMESTAMPED = /^(.*)-(\d{8}\.\d{6})-(\d+)$/;

export interface Coordinates {
  groupId: string;
  artifactId: string;
  /** The base version: `1.0` or `1.0-SNAPSHOT`. */
  version: string;
}

export const isSnapshot = (version: string): boolean => version.endsWith(SNAPSHOT);
/** The package name Packyard records a Maven artifact under. */
export const gaName = (c: Pick<Coordinates, 'groupId' | 'artifactId'>): string => `${c.groupId}:${c.artifactId}`;

export function splitGa(name: string): { groupId: string; artifactId: string } {
  const [groupId, artifactId, ...rest] = name.split(':');
  if (!groupId || !artifactId || rest.length) throw badRequest(MavenCodes.BAD_COORDINATES, `a Maven name is groupId:artifactId (got ${JSON.stringify(name)})`);
  checkCoordinates({ groupId, artifactId, version: '0' });
  return { groupId, artifactId };
}

export function checkCoordinates(c: Coordinates): Coordinates {
  if (!c.groupId.split('.').every((s) => SEGMENT.test(s))) throw badRequest(MavenCodes.BAD_COORDINATES, `invalid groupId ${JSON.stringify(c.groupId)}`);
  if (!SEGMENT.test(c.artifactId) || c.artifactId.includes('..')) throw badRequest(MavenCodes.BAD_COORDINATES, `invalid artifactId ${JSON.stringify(c.artifactId)}`);
  if (!VERSION.test(c.version) || c.version.includes('..')) throw badRequest(MavenCodes.BAD_COORDINATES, `invalid version ${JSON.stringify(c.version)}`);
  return c;
}

/** What a file name says, given its artifact and base version: the unique version, classifier and extension. */
export interface ArtifactFile {
  filename: string;
  /** For SNAPSHOT builds: `20240102.150405` and the build number. */
  snapshot?: { timestamp: string; buildNumber: number };
  /** The version in the file name (`1.0`, `1.0-SNAPSHOT` or `1.0-20240102.150405-3`). */
  fileVersion: string;
  classifier?: string;
  extension: string;
}

/**
 * `{artifactId}-{version}[-{classifier}].{extension}`, where a SNAPSHOT's version may be timestamped. The
 * extension may hold dots (`tar.gz`) and a signature (`jar.asc`).
 */
export function parseArtifactFilename(c: Coordinates, filename: string): ArtifactFile {
  if (!FILENAME.test(filename) || filename.includes('..')) throw badRequest(MavenCodes.BAD_PATH, `invalid file name ${JSON.stringify(filename)}`);
  const prefix = `${c.artifactId}-`;
  if (!filename.startsWith(prefix)) {
    throw badRequest(MavenCodes.BAD_PATH, `${filename} is not a file of ${c.artifactId} ${c.version}: its name must start with ${prefix}${c.version}`);
  }
  const rest = filename.slice(prefix.length);
  const candidates: { fileVersion: string; snapshot?: ArtifactFile['snapshot'] }[] = [{ fileVersion: c.version }];
  if (isSnapshot(c.version)) {
    const base = c.version.slice(0, -SNAPSHOT.length);
    const m = new RegExp(`^${escape(base)}-(\\d{8}\\.\\d{6})-(\\d+)(?=[-.])`).exec(rest);
    if (m) candidates.unshift({ fileVersion: `${base}-${m[1]}-${m[2]}`, snapshot: { timestamp: m[1], buildNumber: Number(m[2]) } });
  }
  for (const cand of candidates) {
    if (!rest.startsWith(cand.fileVersion)) continue;
    const tail = rest.slice(cand.fileVersion.length);
    const m = /^(?:-([A-Za-z0-9_][A-Za-z0-9_.-]*?))?\.([A-Za-z0-9_][A-Za-z0-9_.+-]*)$/.exec(tail);
    if (!m) continue;
    return { filename, fileVersion: cand.fileVersion, ...(cand.snapshot ? { snapshot: cand.snapshot } : {}), ...(m[1] ? { classifier: m[1] } : {}), extension: m[2] };
  }
  throw badRequest(MavenCodes.BAD_PATH, `${filename} is not a file of ${c.artifactId} ${c.version}: expected ${prefix}${c.version}[-classifier].extension`);
}

/** A deployed path below the registry: `com/acme/lib/1.0/lib-1.0.jar`, or artifact-level metadata. */
export type MavenPath =
  | { kind: 'artifact'; coordinates: Coordinates; filename: string; checksum?: ChecksumExtension }
  | { kind: 'metadata'; checksum?: ChecksumExtension };

/**
 * Parses a repository path. Maven writes `maven-metadata.xml` at the group, artifact and version levels;
 * Packyard renders those itself, so their exact level does not matter here.
 */
export function parseMavenPath(path: string): MavenPath {
  let parts: string[];
  try {
    parts = path.split('/').map((p) => decodeURIComponent(p));
  } catch {
    throw badRequest(MavenCodes.BAD_PATH, `invalid percent-encoding in ${JSON.stringify(path)}`);
  }
  if (parts.some((p) => p === '' || p === '.' || p === '..' || /[\\/]/.test(p))) throw badRequest(MavenCodes.BAD_PATH, `invalid path ${JSON.stringify(path)}`);
  let filename = parts[parts.length - 1];
  let checksum: ChecksumExtension | undefined;
  const dot = filename.lastIndexOf('.');
  const ext = filename.slice(dot + 1) as ChecksumExtension;
  if (dot > 0 && CHECKSUM_EXTENSIONS.includes(ext)) {
    checksum = ext;
    filename = filename.slice(0, dot);
  }
  if (filename === METADATA_FILE) return { kind: 'metadata', ...(checksum ? { checksum } : {}) };
  if (parts.length < 4) throw badRequest(MavenCodes.BAD_PATH, `${path} is not groupId/artifactId/version/file`);
  const coordinates = checkCoordinates({ groupId: parts.slice(0, -3).join('.'), artifactId: parts[parts.length - 3], version: parts[parts.length - 2] });
  parseArtifactFilename(coordinates, filename);
  return { kind: 'artifact', coordinates, filename, ...(checksum ? { checksum } : {}) };
}

export const groupPath = (groupId: string): string => groupId.split('.').join('/');
export const artifactDir = (repo: string, c: Pick<Coordinates, 'groupId' | 'artifactId'>): string => `${repo}/maven/${groupPath(c.groupId)}/${c.artifactId}/`;
export const artifactKey = (repo: string, c: Coordinates, filename: string): string => `${artifactDir(repo, c)}${c.version}/${filename}`;

/** `yyyyMMddHHmmss` in UTC, as maven-metadata.xml's lastUpdated. */
export const mavenTimestamp = (iso: string): string => iso.replace(/[-:T]/g, '').slice(0, 14);

export { TIMESTAMPED };

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
