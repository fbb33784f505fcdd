import { Codes, conflict, isPackyardError, notFound } from '../../domain/errors';
import type { PackageRecord } from '../../domain/package';
import { CARGO_SEGMENT, cargoFormat, crateVersion } from '../../formats/cargo';
import { CargoCodes } from '../../formats/cargo/codes';
import { canonicalCrateName, checkCrateName } from '../../formats/cargo/name';
import { registryConfig } from '../../formats/cargo/paths';
import { decodePublishBody } from '../../formats/cargo/publish-body';
import { checkCrateVersion, compareCrateVersions, identityVersion } from '../../formats/cargo/version';
import { actorOf, audit } from '../audit';
import type { AppDeps } from '../deps';
import { ingestPackage, rebuildRequests } from '../ingest';
import { nativePrincipal, nativeReader, type NativeCaller } from '../native';
import { loadRepo } from '../repos';

/** config.json: where crates download from and where the API is; private repositories require auth everywhere. */
export async function cargoConfig(deps: AppDeps, caller: NativeCaller, repo: string, registryBase: string): Promise<Record<string, string | boolean>> {
  const record = await loadRepo(deps, repo);
  await nativeReader(deps, caller, repo);
  return registryConfig(registryBase, record.visibility === 'private');
}

/**
 * `cargo publish`: the JSON metadata names the crate, the .crate is ingested like any upload (its Cargo.toml
 * is what the index line is made from, and must agree with the JSON). One crate keeps one spelling: a name
 * differing only in case or `-`/`_` from an existing crate is refused.
 */
export async function publishCrate(deps: AppDeps, caller: NativeCaller, repo: string, body: Uint8Array): Promise<PackageRecord> {
  const principal = await nativePrincipal(deps, caller, repo, 'push');
  let filename = 'cargo publish';
  try {
    const { metadata, crate } = decodePublishBody(body);
    const name = checkCrateName(metadata.name);
    const vers = checkCrateVersion(metadata.vers);
    filename = `${name}-${vers}.crate`;
    const existing = await deps.meta.listScope(repo, cargoFormat.id, canonicalCrateName(name));
    const other = existing.find((m) => m.name !== name);
    if (other) {
      throw conflict(CargoCodes.NAME_TAKEN, `crate \`${name}\` conflicts with the existing crate \`${other.name}\` in ${repo}: crate names may not differ only in case or in "-" versus "_"`);
    }
    // The store's identity ignores build metadata too; checking here gives Cargo users the better message.
    const same = existing.find((m) => m.version === identityVersion(vers));
    if (same) {
      const previous = crateVersion(same);
      const why = previous === vers ? '' : ` as ${previous} (versions must differ in more than build metadata)`;
      throw conflict(CargoCodes.VERSION_EXISTS, `crate version \`${name}@${vers}\` is already uploaded${why}`);
    }
    return await ingestPackage(deps, {
      repo,
      distribution: CARGO_SEGMENT,
      bytes: crate,
      filename,
      declared: { name, version: vers },
      actor: principal.user,
      sourceIp: caller.sourceIp,
    });
  } catch (e) {
    if (isPackyardError(e) && e.expose && e.code !== Codes.REPO_NOT_FOUND) {
      await audit(deps, actorOf(principal), repo, 'package.rejected', filename, { code: e.code });
    }
    throw e;
  }
}

/** `cargo yank [--undo]`: the version stays in the index, marked; idempotent like crates.io. */
export async function setCrateYanked(deps: AppDeps, caller: NativeCaller, repo: string, name: string, vers: string, yanked: boolean): Promise<void> {
  const principal = await nativePrincipal(deps, caller, repo, 'yank');
  const members = await deps.meta.listScope(repo, cargoFormat.id, canonicalCrateName(name));
  if (members.length === 0) throw notFound(CargoCodes.CRATE_NOT_FOUND, `crate \`${name}\` does not exist in ${repo}`);
  // A version given with build metadata must match it exactly; one without matches its single build.
  const target = members.find((m) => m.version === identityVersion(vers) && (!vers.includes('+') || crateVersion(m) === vers));
  if (!target) throw notFound(CargoCodes.VERSION_NOT_FOUND, `crate \`${members[0].name}\` has no version \`${vers}\` in ${repo}`);
  if ((target.yanked !== undefined) === yanked) return;
  await deps.meta.updatePackage(repo, target.id, { yanked: yanked ? { at: deps.clock.now().toISOString() } : null });
  await deps.queue.enqueue(rebuildRequests(repo, cargoFormat, target.scope));
  await audit(deps, actorOf(principal), repo, yanked ? 'package.yanked' : 'package.unyanked', target.id, { name: target.name, version: crateVersion(target) });
}

export interface CrateSearchResult {
  crates: { name: string; max_version: string; description: string | null }[];
  meta: { total: number };
}

/** `cargo search`: crates whose name contains the query (case and `-`/`_` ignored), by name. */
export async function searchCrates(deps: AppDeps, caller: NativeCaller, repo: string, query: string, perPage: number): Promise<CrateSearchResult> {
  await loadRepo(deps, repo);
  await nativeReader(deps, caller, repo);
  const needle = canonicalCrateName(query.trim());
  const byScope = new Map<string, PackageRecord[]>();
  for (const m of await deps.meta.listFormat(repo, cargoFormat.id)) {
    if (m.scope.includes(needle)) byScope.set(m.scope, [...(byScope.get(m.scope) ?? []), m]);
  }
  const crates = [...byScope.values()]
    .map((versions) => {
      // The highest version that is not yanked, as crates.io reports it; a fully yanked crate shows its highest.
      const live = versions.filter((v) => v.yanked === undefined);
      const best = (live.length ? live : versions).reduce((a, b) => (compareCrateVersions(crateVersion(a), crateVersion(b)) >= 0 ? a : b));
      return { name: best.name, max_version: crateVersion(best), description: best.metadata.description ?? null };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { crates: crates.slice(0, perPage), meta: { total: crates.length } };
}
