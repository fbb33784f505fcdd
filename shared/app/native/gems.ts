import { Codes, notFound, PackyardError } from '../../domain/errors';
import { packageId, type PackageRecord, type PackageSummary } from '../../domain/package';
import { GemCodes } from '../../formats/gem/codes';
import { GEMS, gemFormat } from '../../formats/gem';
import { RUBY } from '../../formats/gem/platform';
import { actorOf, audit } from '../audit';
import type { AppDeps } from '../deps';
import { rebuildRequests } from '../ingest';
import { nativePrincipal, type NativeCaller } from '../native';
import { uploadPackage } from '../packages';

/** `gem push`: the .gem body goes through the same ingest as every upload, answered synchronously. */
export async function pushGem(deps: AppDeps, caller: NativeCaller, repo: string, bytes: Uint8Array): Promise<PackageSummary> {
  const principal = await nativePrincipal(deps, caller, repo, 'push');
  return uploadPackage(deps, principal, repo, { bytes, distribution: GEMS });
}

export interface GemYank {
  name: string;
  version: string;
  /** `ruby` or empty for pure-Ruby gems. */
  platform?: string;
}

/**
 * `gem yank`: the version stays recorded (its number cannot be pushed again) but leaves /info, /versions
 * and the legacy indexes; its .gem file stays downloadable for lockfiles that pin it, as on rubygems.org.
 */
export async function yankGem(deps: AppDeps, caller: NativeCaller, repo: string, input: GemYank): Promise<PackageRecord> {
  const principal = await nativePrincipal(deps, caller, repo, 'yank');
  const platform = input.platform && input.platform !== RUBY ? input.platform : '';
  const label = `${input.name} (${input.version}${platform ? `-${platform}` : ''})`;
  const id = packageId(gemFormat.id, input.name, input.name, input.version, platform);
  const pkg = [input.name, input.version, platform].some((p) => p.includes('#')) ? undefined : await deps.meta.getPackage(repo, id);
  if (!pkg) throw notFound(Codes.PACKAGE_NOT_FOUND, `${label} does not exist in ${repo}`);
  if (pkg.yanked) throw new PackyardError(422, GemCodes.ALREADY_YANKED, `${label} has already been yanked`);
  const updated = await deps.meta.updatePackage(repo, id, { yanked: { at: deps.clock.now().toISOString() } });
  await deps.queue.enqueue(rebuildRequests(repo, gemFormat, pkg.scope));
  await audit(deps, actorOf(principal), repo, 'package.yanked', id, { name: pkg.name, version: pkg.version, platform: platform || RUBY });
  return updated;
}
