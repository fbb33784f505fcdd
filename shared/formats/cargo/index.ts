import type { Distribution } from '../../domain/distribution';
import type { Format, ParsedPackage } from '../format';
import { cargoFragment } from './index-line';
import type { CrateManifest } from './manifest';
import { canonicalCrateName } from './name';
import { parseCrate } from './package-file';
import { crateKey } from './paths';
import { renderCargoIndex } from './render';

export const CARGO_SEGMENT = 'cargo';

/** The full version (with build metadata), which the identity leaves out. */
export const crateVersion = (pkg: Pick<ParsedPackage, 'version' | 'metadata'>): string => pkg.metadata.vers ?? pkg.version;

// control is written only by parseCrate.
const manifestOf = (pkg: ParsedPackage): CrateManifest => JSON.parse(pkg.control ?? '') as CrateManifest;

/**
 * Cargo crates and their sparse index. Identity: the crate name as spelled, the version without build
 * metadata (so `1.0.0+a` and `1.0.0+b` collide in the store's conditional write); the scope is the
 * canonical name, so every spelling of one crate meets in one scope.
 */
export const cargoFormat = {
  id: 'cargo',
  label: 'Cargo crate',
  servesDistribution: (d: Distribution) => d.distro === CARGO_SEGMENT && d.release === '',
  // A .crate is a plain tar.gz: no magic of its own.
  detect: (_head: Uint8Array) => false,
  claims: (head: Uint8Array) => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b,
  parse: (bytes, ctx) => parseCrate(bytes, ctx),
  scope: (_d: Distribution, pkg: ParsedPackage) => canonicalCrateName(pkg.name),
  filename: (pkg: ParsedPackage) => `${pkg.name}-${crateVersion(pkg)}.crate`,
  blobKey: (repo: string, _d: Distribution, pkg: ParsedPackage) => crateKey(repo, pkg.name, crateVersion(pkg)),
  fragment: (_repo, _d, pkg, file) => cargoFragment(manifestOf(pkg), file.hashes.sha256),
  render: (input, _signer) => renderCargoIndex(input),
} satisfies Format;
