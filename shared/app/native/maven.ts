import { badRequest, Codes, conflict, isPackyardError } from '../../domain/errors';
import { fileHashes } from '../../domain/hashes';
import { packageId } from '../../domain/package';
import { MAVEN_SEGMENT, mavenFormat } from '../../formats/maven';
import { MavenCodes } from '../../formats/maven/codes';
import { gaName, parseMavenPath } from '../../formats/maven/coordinates';
import { actorOf, audit } from '../audit';
import type { AppDeps } from '../deps';
import { ingestPackage } from '../ingest';
import { nativePrincipal, type NativeCaller } from '../native';
import { loadRepo } from '../repos';

export type DeployOutcome = 'created' | 'unchanged' | 'checksum-verified' | 'metadata-ignored';

/**
 * One `mvn deploy` PUT. Artifact files are ingested (release files are immutable; the same bytes again are
 * fine); a checksum sidecar must match the stored file it describes; the client's maven-metadata.xml is
 * accepted and ignored, since Packyard renders its own from the records.
 */
export async function deployMavenFile(deps: AppDeps, caller: NativeCaller, repo: string, path: string, body: Uint8Array): Promise<DeployOutcome> {
  const principal = await nativePrincipal(deps, caller, repo, 'push');
  await loadRepo(deps, repo);
  try {
    const target = parseMavenPath(path);
    if (target.kind === 'metadata') return 'metadata-ignored';
    const { coordinates: c, filename } = target;
    const name = gaName(c);
    const id = packageId(mavenFormat.id, name, name, c.version, filename);
    if (target.checksum) {
      const stored = await deps.meta.getPackage(repo, id);
      if (!stored) throw badRequest(MavenCodes.NO_SUCH_FILE, `${filename}.${target.checksum} describes ${filename}, which was not deployed`);
      const sent = Buffer.from(body).toString('utf8').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
      if (sent !== stored.hashes[target.checksum]) {
        throw badRequest(MavenCodes.CHECKSUM_MISMATCH, `the ${target.checksum} of ${filename} is ${stored.hashes[target.checksum]}, not ${sent || 'empty'}`);
      }
      return 'checksum-verified';
    }
    try {
      await ingestPackage(deps, {
        repo,
        distribution: MAVEN_SEGMENT,
        bytes: body,
        filename,
        declared: { name, version: c.version },
        actor: principal.user,
        sourceIp: caller.sourceIp,
      });
      return 'created';
    } catch (e) {
      if (!isPackyardError(e) || e.code !== Codes.PACKAGE_EXISTS) throw e;
      const existing = await deps.meta.getPackage(repo, id);
      if (existing && existing.hashes.sha256 === fileHashes(body).sha256) return 'unchanged';
      throw conflict(MavenCodes.RELEASE_EXISTS, `${name}:${c.version} already has a different ${filename}; released files are immutable (deploy a new version)`);
    }
  } catch (e) {
    if (isPackyardError(e) && e.expose && e.code !== Codes.REPO_NOT_FOUND) {
      await audit(deps, actorOf(principal), repo, 'package.rejected', path.slice(-200), { code: e.code });
    }
    throw e;
  }
}
