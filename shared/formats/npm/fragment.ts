import type { StoredFile } from '../format';
import type { PackageInfo } from './manifest';

/** One version as the packument needs it: package.json, counts, and the tarball's digests. */
export interface NpmFragment extends PackageInfo {
  /** sha1, hex (`dist.shasum`). */
  shasum: string;
  /** `sha512-<base64>` (`dist.integrity`). */
  integrity: string;
}

export const integrityOf = (sha512Hex: string): string => `sha512-${Buffer.from(sha512Hex, 'hex').toString('base64')}`;

export const npmFragment = (info: PackageInfo, file: StoredFile): string =>
  JSON.stringify({ ...info, shasum: file.hashes.sha1, integrity: integrityOf(file.hashes.sha512) } satisfies NpmFragment);

export function readFragment(fragment: string): NpmFragment {
  // Fragments are written only by npmFragment.
  return JSON.parse(fragment) as NpmFragment;
}
