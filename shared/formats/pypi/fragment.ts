import type { StoredFile } from '../format';

/** One file as a project page lists it; stored as the fragment, so a rebuild reads no distribution. */
export interface DistFragment {
  filename: string;
  /** The project name as the metadata spells it. */
  name: string;
  /** The version as the metadata spells it. */
  version: string;
  size: number;
  sha256: string;
  requiresPython?: string;
  /** sha256 of the PEP 658 `.metadata` file (wheels only). */
  metadataSha256?: string;
}

export const distFragment = (
  info: { filename: string; displayName: string; versionText: string; requiresPython?: string },
  file: StoredFile,
  metadataSha256: string | undefined,
): string =>
  JSON.stringify({
    filename: info.filename,
    name: info.displayName,
    version: info.versionText,
    size: file.size,
    sha256: file.hashes.sha256,
    ...(info.requiresPython ? { requiresPython: info.requiresPython } : {}),
    ...(metadataSha256 ? { metadataSha256 } : {}),
  } satisfies DistFragment);

export function readFragment(fragment: string): DistFragment {
  // Fragments are written only by distFragment.
  return JSON.parse(fragment) as DistFragment;
}
