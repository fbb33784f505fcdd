import { badRequest } from '../../domain/errors';
import type { Distribution } from '../../domain/distribution';
import type { Format, ParseContext, ParsedPackage, PublishedFile } from '../format';
import { MavenCodes } from './codes';
import {
  artifactKey,
  CHECKSUM_EXTENSIONS,
  checkCoordinates,
  type Coordinates,
  gaName,
  isSnapshot,
  parseArtifactFilename,
  splitGa,
} from './coordinates';
import { mavenFragment } from './fragment';
import { isZipExtension, jarCoordinates, pomAgrees, pomCoordinates, zipEntries } from './pom';
import { renderMaven } from './render';

export const MAVEN_SEGMENT = 'maven';

const coordinatesOf = (pkg: ParsedPackage): Coordinates => ({ ...splitGa(pkg.name), version: pkg.version });

/** Where the coordinates come from: what the client declared (mvn's path), else the file itself. */
function coordinates(bytes: Uint8Array, ctx: ParseContext): Coordinates {
  const { name, version } = ctx.declared ?? {};
  if (name && version) return checkCoordinates({ ...splitGa(name), version });
  const filename = ctx.filename ?? '';
  const fromFile = filename.endsWith('.pom') ? pomCoordinates(bytes) : isZipExtension(extensionOf(filename)) ? jarCoordinates(bytes, filename) : undefined;
  if (!fromFile) {
    throw badRequest(MavenCodes.BAD_COORDINATES, `Packyard cannot tell the coordinates of ${filename || 'the file'}: give them (packyard push --name groupId:artifactId --version V), or push a .pom or a jar with META-INF/maven/.../pom.properties`);
  }
  return checkCoordinates({ groupId: fromFile.groupId, artifactId: fromFile.artifactId, version: fromFile.version });
}

const extensionOf = (filename: string) => filename.slice(filename.lastIndexOf('.') + 1);

/**
 * Maven artifacts: every deployed file is a package, named groupId:artifactId, at its base version (`1.0`,
 * `1.0-SNAPSHOT`), identified by its file name; the scope is the artifact, whose maven-metadata.xml the
 * rebuild renders.
 */
export const mavenFormat = {
  id: 'maven',
  label: 'Maven artifact',
  servesDistribution: (d: Distribution) => d.distro === MAVEN_SEGMENT && d.release === '',
  // A repository holds any kind of file (jars, poms, tarballs, signatures): nothing is recognised by magic.
  detect: (_head: Uint8Array) => false,
  claims: (_head: Uint8Array) => true,
  async parse(bytes: Uint8Array, ctx: ParseContext): Promise<ParsedPackage> {
    const c = coordinates(bytes, ctx);
    let filename = ctx.filename ?? '';
    let file;
    try {
      file = parseArtifactFilename(c, filename);
    } catch (e) {
      // The presigned path takes files under any local name; a release's jar or pom gets its canonical one.
      if (ctx.declared?.name || isSnapshot(c.version) || !/\.(pom|jar|war|ear|aar)$/.test(filename)) throw e;
      filename = `${c.artifactId}-${c.version}.${extensionOf(filename)}`;
      file = parseArtifactFilename(c, filename);
    }
    if (isSnapshot(c.version) && !file.snapshot) {
      throw badRequest(MavenCodes.BAD_PATH, `${filename}: SNAPSHOT files are stored with their build's timestamp (${c.artifactId}-${c.version.replace(/-SNAPSHOT$/, '')}-yyyyMMdd.HHmmss-N...), as mvn deploy names them`);
    }
    if (file.extension === 'pom') {
      const pom = pomCoordinates(bytes);
      if (!pomAgrees(pom.groupId, c.groupId) || !pomAgrees(pom.artifactId, c.artifactId) || !pomAgrees(pom.version, c.version)) {
        throw badRequest(MavenCodes.POM_MISMATCH, `the pom says ${pom.groupId}:${pom.artifactId}:${pom.version}, the path ${c.groupId}:${c.artifactId}:${c.version}`);
      }
    } else if (isZipExtension(file.extension)) {
      // Only a whole zip is checked: a jar's own pom.properties may name other coordinates when a third-party
      // jar is deployed under in-house ones (mvn deploy-file), which repositories allow.
      zipEntries(bytes, filename);
    } else if (file.extension.endsWith('.asc') && !Buffer.from(bytes.subarray(0, 64)).toString('latin1').includes('-----BEGIN PGP SIGNATURE-----')) {
      throw badRequest(MavenCodes.BAD_ARCHIVE, `${filename} is not an armored OpenPGP signature`);
    }
    return {
      name: gaName(c),
      version: c.version,
      arch: filename,
      metadata: {
        groupId: c.groupId,
        artifactId: c.artifactId,
        ...(file.classifier ? { classifier: file.classifier } : {}),
        extension: file.extension,
        ...(file.snapshot ? { snapshotVersion: file.fileVersion } : {}),
      },
    };
  },
  scope: (_d: Distribution, pkg: ParsedPackage) => pkg.name,
  filename: (pkg: ParsedPackage) => pkg.arch,
  blobKey: (repo: string, _d: Distribution, pkg: ParsedPackage) => artifactKey(repo, coordinatesOf(pkg), pkg.arch),
  fragment: (_repo, _d, pkg, file) => mavenFragment(parseArtifactFilename(coordinatesOf(pkg), pkg.arch), file),
  /** Every artifact file gets all four checksum sidecars, whatever the client uploaded. */
  companions: (_repo, _d, _pkg, file): PublishedFile[] =>
    CHECKSUM_EXTENSIONS.map((ext) => ({ key: `${file.blobKey}.${ext}`, body: Buffer.from(file.hashes[ext]), contentType: 'text/plain' })),
  render: (input, _signer) => renderMaven(input),
} satisfies Format;
