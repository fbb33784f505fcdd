import type { StoredFile } from '../format';
import { type Field, orderFields, serialiseParagraph } from './control';

/** Fields the repository computes; an upload's own values are never trusted or kept. */
export const FILE_FIELDS = ['Filename', 'Size', 'MD5sum', 'SHA1', 'SHA256', 'SHA512'] as const;
const FILE_FIELD_SET = new Set<string>(FILE_FIELDS.map((f) => f.toLowerCase()));
export const isFileField = (name: string): boolean => FILE_FIELD_SET.has(name.toLowerCase());

/**
 * Field order of a Packages stanza: Package first, then the usual order of binary control fields (as aptly
 * and dpkg write them), the file fields, Description last; unknown fields follow in their original order.
 */
export const PACKAGES_FIELD_ORDER = [
  'Package', 'Essential', 'Protected', 'Status', 'Priority', 'Section', 'Installed-Size', 'Maintainer',
  'Original-Maintainer', 'Architecture', 'Multi-Arch', 'Source', 'Version', 'Replaces', 'Provides', 'Depends',
  'Pre-Depends', 'Recommends', 'Suggests', 'Conflicts', 'Breaks', 'Enhances', 'Built-Using', 'Static-Built-Using',
  'Conffiles', 'Filename', 'Size', 'MD5sum', 'SHA1', 'SHA256', 'SHA512', 'Homepage', 'Description', 'Description-md5',
] as const;

/** The Packages stanza of one stored file: its control fields plus where it is and its checksums. */
export function packagesStanza(control: readonly Field[], poolPath: string, file: StoredFile): string {
  const fields: Field[] = [
    ...control.filter((f) => !isFileField(f.name)),
    { name: 'Filename', value: poolPath },
    { name: 'Size', value: String(file.size) },
    { name: 'MD5sum', value: file.hashes.md5 },
    { name: 'SHA1', value: file.hashes.sha1 },
    { name: 'SHA256', value: file.hashes.sha256 },
    { name: 'SHA512', value: file.hashes.sha512 },
  ];
  return serialiseParagraph(orderFields(fields, PACKAGES_FIELD_ORDER));
}
