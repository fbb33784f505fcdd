export interface ArchiveLimits {
  /** Entries in a wheel or an sdist. */
  maxEntries: number;
  /** Unpacked bytes (a wheel's declared sizes, an sdist's decompressed tar): stops a bomb. */
  maxUnpackedBytes: number;
  /** METADATA / PKG-INFO, kept whole for the `.metadata` file; the description makes it long. */
  maxMetadataBytes: number;
}

/** Generous for real distributions (large wheels hold tens of thousands of files), finite for bombs. */
export const ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 100_000,
  maxUnpackedBytes: 1024 * 1024 * 1024,
  maxMetadataBytes: 8 * 1024 * 1024,
};

/** Archive member names that could write outside the folder they are unpacked into. */
export function unsafeMemberName(name: string): boolean {
  return name.includes('\0') || /^[/\\]/.test(name) || /^[A-Za-z]:/.test(name) || name.split(/[/\\]/).includes('..');
}

/** `./a//b/` -> `a/b`, for comparisons only. */
export const memberPath = (name: string): string =>
  name
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
