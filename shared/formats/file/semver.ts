// Semantic Versioning 2.0.0 (semver.org): the spec's own regular expression and its precedence rules
// (section 11). Small enough to keep here rather than add the `semver` package next to the copies in the tree.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export interface SemVer {
  /** Major, minor, patch as digit strings (no leading zeros, so no precision limit). */
  core: [string, string, string];
  prerelease: string[];
  build: string;
}

export function parseSemver(version: string): SemVer | undefined {
  const m = SEMVER.exec(version);
  if (!m) return undefined;
  return { core: [m[1], m[2], m[3]], prerelease: m[4] ? m[4].split('.') : [], build: m[5] ?? '' };
}

export const isSemver = (version: string): boolean => SEMVER.test(version);

const NUMERIC = /^\d+$/;

/** Digit strings without leading zeros compare by length, then lexically. */
const compareDigits = (a: string, b: string) => (a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0);

function compareIdentifiers(a: string, b: string): number {
  const an = NUMERIC.test(a);
  const bn = NUMERIC.test(b);
  if (an && bn) return compareDigits(a, b);
  if (an !== bn) return an ? -1 : 1; // numeric identifiers have lower precedence
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Precedence order; build metadata does not count. Both must be valid. */
export function comparePrecedence(a: SemVer, b: SemVer): number {
  for (let i = 0; i < 3; i++) {
    const c = compareDigits(a.core[i], b.core[i]);
    if (c !== 0) return Math.sign(c);
  }
  const ap = a.prerelease.length;
  const bp = b.prerelease.length;
  if (ap === 0 || bp === 0) return ap === bp ? 0 : ap === 0 ? 1 : -1; // a release ranks above its pre-releases
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i++) {
    const c = compareIdentifiers(a.prerelease[i], b.prerelease[i]);
    if (c !== 0) return Math.sign(c);
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}

/** A total order for listings: precedence, then the full string (1.0.0+a before 1.0.0+b). */
export function compareVersions(a: string, b: string): number {
  const pa = parseSemver(a);
  const pb = parseSemver(b);
  if (pa && pb) {
    const c = comparePrecedence(pa, pb);
    if (c !== 0) return c;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
