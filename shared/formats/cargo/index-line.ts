import type { CrateManifest, IndexDependency } from './manifest';

/** Everything an index line needs except `yanked`, which changes after publication; stored at ingest. */
export interface CargoFragment {
  name: string;
  vers: string;
  deps: IndexDependency[];
  /** sha256 of the .crate, which Cargo checks after downloading. */
  cksum: string;
  features: Record<string, string[]>;
  links: string | null;
  rust_version: string | null;
}

const byDependency = (a: IndexDependency, b: IndexDependency): number => {
  const ka = [a.name, a.kind, a.target ?? '', a.package ?? ''];
  const kb = [b.name, b.kind, b.target ?? '', b.package ?? ''];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return 0;
};

export function cargoFragment(m: CrateManifest, cksum: string): string {
  const fragment: CargoFragment = {
    name: m.name,
    vers: m.vers,
    deps: [...m.deps].sort(byDependency),
    cksum,
    features: m.features,
    links: m.links,
    rust_version: m.rust_version,
  };
  return JSON.stringify(fragment);
}

// Fragments are written only by cargoFragment.
export const readFragment = (fragment: string): CargoFragment => JSON.parse(fragment) as CargoFragment;

/** Features using `dep:` or `?/` must go to `features2` (with `v: 2`) so Cargo older than 1.60 skips them. */
const needsV2 = (values: string[]): boolean => values.some((v) => v.startsWith('dep:') || v.includes('?/'));

const comparableIndexUrl = (url: string): string => url.replace(/^sparse\+/, '').replace(/\/+$/, '').toLowerCase();

/**
 * One line of a sparse index file: the stored fragment, its yank state, and `registry: null` for
 * dependencies on this very registry (its URL as the packaged manifest spelled it).
 */
export function indexLine(f: CargoFragment, yanked: boolean, ownIndex: string): string {
  const own = comparableIndexUrl(ownIndex);
  const sorted = Object.keys(f.features).sort();
  const features = Object.fromEntries(sorted.filter((k) => !needsV2(f.features[k])).map((k) => [k, f.features[k]]));
  const features2 = Object.fromEntries(sorted.filter((k) => needsV2(f.features[k])).map((k) => [k, f.features[k]]));
  const v2 = Object.keys(features2).length > 0;
  return JSON.stringify({
    name: f.name,
    vers: f.vers,
    deps: f.deps.map((d) => ({
      name: d.name,
      req: d.req,
      features: d.features,
      optional: d.optional,
      default_features: d.default_features,
      target: d.target,
      kind: d.kind,
      registry: d.registry !== null && comparableIndexUrl(d.registry) === own ? null : d.registry,
      package: d.package,
    })),
    cksum: f.cksum,
    features,
    ...(v2 ? { features2 } : {}),
    yanked,
    links: f.links,
    ...(f.rust_version ? { rust_version: f.rust_version } : {}),
    ...(v2 ? { v: 2 } : {}),
  });
}
