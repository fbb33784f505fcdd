import { compare, parse } from 'semver';

/**
 * The version as npm publishes it: strict semver, normalised the way `npm publish` cleans it (no leading
 * "v" or "=", build metadata dropped); undefined when it is not semver.
 */
export function canonicalVersion(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  return parse(v.trim())?.version ?? undefined;
}

/** Lowest first, in semver precedence. */
export const sortVersions = (versions: Iterable<string>): string[] => [...versions].sort(compare);

/** What `latest` defaults to: the highest release, or the highest pre-release when there is nothing else. */
export function defaultLatest(versions: Iterable<string>): string | undefined {
  const sorted = sortVersions(versions);
  const releases = sorted.filter((v) => parse(v)?.prerelease.length === 0);
  return (releases.length ? releases : sorted).at(-1);
}
