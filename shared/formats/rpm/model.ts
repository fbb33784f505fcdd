import type { Evr } from './evr';

/** Comparison of a versioned dependency, as repodata spells it. */
export type DepFlag = 'LT' | 'GT' | 'EQ' | 'LE' | 'GE';

/** One `<rpm:entry>`: unversioned entries carry only a name. */
export interface RpmDependency {
  name: string;
  flags?: DepFlag;
  epoch?: string;
  ver?: string;
  rel?: string;
  /** Requires only: needed before install scripts run (Requires(pre)/(post), PreReq). */
  pre?: boolean;
}

export const DEPENDENCY_KINDS = ['provides', 'requires', 'conflicts', 'obsoletes', 'suggests', 'enhances', 'recommends', 'supplements'] as const;
export type DependencyKind = (typeof DEPENDENCY_KINDS)[number];
export type RpmDependencies = Record<DependencyKind, RpmDependency[]>;

export interface RpmFileEntry {
  path: string;
  type?: 'dir' | 'ghost';
}

export interface RpmChangelog {
  author: string;
  /** Unix seconds. */
  date: number;
  text: string;
}

/**
 * Everything the three repodata files say about one package, read from its headers at ingest. It travels
 * from parse to fragment as ParsedPackage.control (JSON), so the rebuild never needs the .rpm again.
 */
export interface RpmPackageInfo extends Evr {
  name: string;
  rel: string;
  /** As repodata writes it: the header's arch, or `src` for source packages. */
  arch: string;
  /** Source package: `.src.rpm`, or `.nosrc.rpm` when its sources are not included. */
  source?: 'src' | 'nosrc';
  summary: string;
  description: string;
  packager: string;
  url: string;
  license: string;
  vendor: string;
  group: string;
  buildhost: string;
  sourcerpm: string;
  buildTime: number;
  installedSize: number;
  archiveSize: number;
  /** Byte range of the main header in the file (rpm:header-range), used by partial downloads. */
  headerStart: number;
  headerEnd: number;
  payloadCompressor: string;
  deps: RpmDependencies;
  files: RpmFileEntry[];
  /** Oldest first, as other.xml lists them. */
  changelogs: RpmChangelog[];
}
