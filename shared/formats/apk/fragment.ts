import type { StoredFile } from '../format';
import { joined, type PkgInfo, single } from './pkginfo';

/**
 * What the index needs from `.PKGINFO`, under the index's own letters, in apk-tools' order
 * (`apk_pkg_write_index_entry`): C, P, V, A, S, I, T, U, L, o, m, t, c, k, D, p, i.
 */
export const INDEX_FIELDS = [
  ['T', 'pkgdesc'],
  ['U', 'url'],
  ['L', 'license'],
  ['o', 'origin'],
  ['m', 'maintainer'],
  ['t', 'builddate'],
  ['c', 'commit'],
  ['k', 'provider_priority'],
  ['D', 'depend'],
  ['p', 'provides'],
  ['i', 'install_if'],
] as const;

/** Keys whose values repeat in .PKGINFO and are joined with spaces in the index. */
const LISTS = new Set(['depend', 'provides', 'install_if']);

/** The metadata kept for a package: its `.PKGINFO` fields (lists joined) plus the apk checksum. */
export function apkMetadata(info: PkgInfo, checksum: string): Record<string, string> {
  const out: Record<string, string> = { checksum };
  for (const key of info.keys()) {
    const value = LISTS.has(key) ? joined(info, key) : single(info, key);
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

/** One APKINDEX record (no trailing blank line): `X:value` lines. */
export function indexRecord(metadata: Readonly<Record<string, string>>, file: Pick<StoredFile, 'size'>): string {
  const lines = [
    `C:${metadata.checksum}`,
    `P:${metadata.pkgname}`,
    `V:${metadata.pkgver}`,
    `A:${metadata.arch}`,
    `S:${file.size}`,
    `I:${metadata.size ?? '0'}`,
  ];
  for (const [letter, key] of INDEX_FIELDS) {
    const value = metadata[key];
    if (value !== undefined && value !== '') lines.push(`${letter}:${value}`);
  }
  return lines.join('\n') + '\n';
}
