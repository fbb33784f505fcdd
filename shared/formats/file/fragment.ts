import type { StoredFile } from '../format';

/** One file of a version as index.json lists it; stored as the fragment. */
export interface FileEntry {
  filename: string;
  size: number;
  sha256: string;
}

export const fileFragment = (filename: string, file: StoredFile): string =>
  JSON.stringify({ filename, size: file.size, sha256: file.hashes.sha256 } satisfies FileEntry);

export function readFragment(fragment: string): FileEntry {
  // Fragments are written only by fileFragment.
  return JSON.parse(fragment) as FileEntry;
}
