import { gzipSync } from 'node:zlib';
import type { GemFragment } from './fragment';
import { marshalDump, type RubyValue } from './marshal';
import { RUBY } from './platform';
import { gemVersion } from './quick-spec';
import { compareGemVersions, isPrerelease } from './version';

/** The full index `gem search`, `gem outdated` and clients without the compact index read. */
export interface LegacySpecs {
  specs: Uint8Array;
  latest: Uint8Array;
  prerelease: Uint8Array;
}

function byNameVersionPlatform(a: GemFragment, b: GemFragment): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  const v = compareGemVersions(a.version, b.version);
  if (v !== 0) return v;
  if (a.platform === b.platform) return 0;
  if (a.platform === RUBY) return -1;
  if (b.platform === RUBY) return 1;
  return a.platform < b.platform ? -1 : 1;
}

/** gzip(Marshal.dump([[name, Gem::Version, platform], ...])) */
const specsFile = (gems: GemFragment[]): Uint8Array =>
  gzipSync(marshalDump(gems.map((g): RubyValue => [g.name, gemVersion(g.version), g.platform])));

/**
 * specs.4.8.gz (every release), latest_specs.4.8.gz (the newest release per name and platform) and
 * prerelease_specs.4.8.gz (every pre-release), from the gem files that are not yanked.
 */
export function legacySpecs(live: GemFragment[]): LegacySpecs {
  const sorted = [...live].sort(byNameVersionPlatform);
  const releases = sorted.filter((g) => !isPrerelease(g.version));
  const latest = new Map<string, GemFragment>();
  for (const g of releases) latest.set(`${g.name}\0${g.platform}`, g); // sorted ascending: the last one wins
  return {
    specs: specsFile(releases),
    latest: specsFile([...latest.values()].sort(byNameVersionPlatform)),
    prerelease: specsFile(sorted.filter((g) => isPrerelease(g.version))),
  };
}
