import type { FormatId, YankState } from '../formats/format';

export interface FileHashes {
  md5: string;
  sha1: string;
  sha256: string;
  sha512: string;
}

/** One accepted package file in one distribution of one repository. */
export interface PackageRecord {
  /** Opaque, stable, URL-safe id. */
  id: string;
  repo: string;
  format: FormatId;
  /** e.g. `debian/bookworm`. */
  distribution: string;
  /** The index scope the package belongs to (for deb, the distribution); packages of a scope are indexed together. */
  scope: string;
  name: string;
  version: string;
  /** Architecture or platform; '' where the format has none. */
  arch: string;
  /** Key of the file in the packages bucket (the URL path without the leading slash). */
  blobKey: string;
  /** Canonical file name (derived from the metadata, never from the upload). */
  filename: string;
  size: number;
  hashes: FileHashes;
  /** Pre-rendered index fragment (a Debian stanza, an rpm primary entry...), so rebuilds never re-read files. */
  fragment: string;
  /** Format-specific metadata shown by the API. */
  metadata: Record<string, string>;
  uploadedAt: string;
  uploadedBy: string;
  /** Set when the version was yanked; it stays recorded (its number is burned) but indexes leave it out or mark it. */
  yanked?: YankState;
  /** npm's deprecation message. */
  deprecated?: string;
}

/** What may change on a package after it was accepted; null clears. */
export interface PackageChanges {
  yanked?: YankState | null;
  deprecated?: string | null;
}

export type PackageSummary = Omit<PackageRecord, 'fragment'>;

export const toSummary = ({ fragment: _fragment, ...rest }: PackageRecord): PackageSummary => rest;

/** Sort key of a package item: its identity within a repository. */
export const packageSortKey = (format: string, scope: string, name: string, version: string, arch: string): string =>
  `PKG#${format}#${scope}#${name}#${version}#${arch}`;

/** The package id is its sort key, URL-safe: lookups by id need no index. */
export const packageId = (format: string, scope: string, name: string, version: string, arch: string): string =>
  Buffer.from(packageSortKey(format, scope, name, version, arch).slice(4), 'utf8').toString('base64url');

/** The sort key an id stands for; only the canonical encoding of five identity fields is accepted. */
export const sortKeyFromPackageId = (id: string): string | undefined => {
  if (!/^[A-Za-z0-9_-]{1,700}$/.test(id)) return undefined;
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  if (decoded.split('#').length !== 5 || Buffer.from(decoded, 'utf8').toString('base64url') !== id) return undefined;
  return `PKG#${decoded}`;
};

/** Immutable files (pool, by-hash) may be cached for a year; indexes change on every publish. */
export const CACHE_IMMUTABLE = 'max-age=31536000, immutable';
export const CACHE_INDEX = 'max-age=60';
