import { parseDistribution } from '../domain/distribution';
import { Codes, isPackyardError, notFound } from '../domain/errors';
import { type PackageRecord, type PackageSummary, toSummary } from '../domain/package';
import { parseRepoName } from '../domain/repo';
import type { Page } from '../ports/metadata-store';
import type { Principal } from './auth';
import { requirePermission } from './auth';
import type { AppDeps } from './deps';
import { actorOf, audit } from './audit';
import { ingestPackage } from './ingest';
import { loadRepo } from './repos';

/** Direct upload of a small file (multipart form): the same ingest, answered synchronously. */
export async function uploadPackage(
  deps: AppDeps,
  principal: Principal,
  repoName: string,
  input: { bytes: Uint8Array; filename?: string; distribution?: string; declared?: { name?: string; version?: string } },
): Promise<PackageSummary> {
  const { name } = parseRepoName(repoName);
  requirePermission(deps, principal, name, 'push');
  try {
    const pkg = await ingestPackage(deps, {
      repo: name,
      distribution: parseDistribution(input.distribution),
      bytes: input.bytes,
      filename: input.filename,
      declared: input.declared,
      actor: principal.user,
      sourceIp: principal.sourceIp,
    });
    return toSummary(pkg);
  } catch (e) {
    if (isPackyardError(e) && e.expose && e.code !== Codes.REPO_NOT_FOUND) {
      await audit(deps, actorOf(principal), name, 'package.rejected', input.filename ?? '', { code: e.code });
    }
    throw e;
  }
}

export async function listPackages(
  deps: AppDeps,
  principal: Principal,
  repoName: string,
  opts: { format?: string; cursor?: string; limit?: number },
): Promise<Page<PackageSummary>> {
  const { name } = parseRepoName(repoName);
  requirePermission(deps, principal, name, 'read');
  await loadRepo(deps, name);
  const page = await deps.meta.listPackages(name, opts);
  return { items: page.items.map(toSummary), next: page.next };
}

export async function getPackage(deps: AppDeps, principal: Principal, repoName: string, id: string): Promise<PackageSummary> {
  const { name } = parseRepoName(repoName);
  requirePermission(deps, principal, name, 'read');
  return toSummary(await loadPackage(deps, name, id));
}

async function loadPackage(deps: AppDeps, repo: string, id: string): Promise<PackageRecord> {
  const pkg = await deps.meta.getPackage(repo, id);
  if (!pkg) throw notFound(Codes.PACKAGE_NOT_FOUND, `package ${id} does not exist in ${repo}`);
  return pkg;
}

/** Adds an accepted file to a further distribution without re-uploading it. */
export async function addDistribution(
  deps: AppDeps,
  principal: Principal,
  repoName: string,
  id: string,
  input: { distribution?: unknown },
): Promise<PackageSummary> {
  const { name } = parseRepoName(repoName);
  requirePermission(deps, principal, name, 'push');
  const source = await loadPackage(deps, name, id);
  const dist = parseDistribution(input.distribution);
  const bytes = await deps.packages.getBytes(source.blobKey);
  const pkg = await ingestPackage(deps, {
    repo: name,
    distribution: dist,
    bytes,
    filename: source.filename,
    actor: principal.user,
    sourceIp: principal.sourceIp,
    expected: { size: source.size, sha256: source.hashes.sha256 },
  });
  await audit(deps, actorOf(principal), name, 'package.distribution-added', pkg.id, { from: source.id, distribution: pkg.distribution });
  return toSummary(pkg);
}
