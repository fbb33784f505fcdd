import { compareBuild, SemVer } from 'semver';
import { badRequest } from '../../domain/errors';
import { CargoCodes } from './codes';

/** Parses a strict semantic version exactly as written (no `v` prefix, no surrounding blanks, no loose forms). */
export function parseCrateVersion(vers: string): SemVer | undefined {
  let v: SemVer;
  try {
    v = new SemVer(vers);
  } catch {
    return undefined;
  }
  // node-semver drops build metadata from `version` and tolerates `v`/`=` prefixes: insist on the exact text.
  const canonical = v.build.length ? `${v.version}+${v.build.join('.')}` : v.version;
  return canonical === vers ? v : undefined;
}

export function checkCrateVersion(vers: unknown): string {
  if (typeof vers !== 'string' || !parseCrateVersion(vers)) {
    const hint = typeof vers === 'string' && /^v\d/.test(vers) ? ` (drop the leading "v")` : '';
    throw badRequest(
      CargoCodes.INVALID_VERSION,
      `invalid version ${JSON.stringify(vers)}: expected a semantic version MAJOR.MINOR.PATCH[-prerelease][+build] such as 1.2.3${hint}`,
    );
  }
  return vers;
}

/**
 * The version as part of the package identity: without build metadata, because a registry keeps versions
 * unique ignoring `+build` (crates.io's rule), and the store's conditional write then enforces it.
 */
export const identityVersion = (vers: string): string => vers.replace(/\+.*$/, '');

/** Semantic-version order, build metadata last; both must be valid. */
export const compareCrateVersions = (a: string, b: string): number => compareBuild(a, b);
