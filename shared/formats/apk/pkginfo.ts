import { badRequest } from '../../domain/errors';
import { ApkCodes } from './codes';

/** `.PKGINFO` fields in file order; keys such as `depend` and `provides` repeat. */
export type PkgInfo = Map<string, string[]>;

/** Parses `.PKGINFO` as apk-tools does: `key = value` lines, `#` comments; other lines carry nothing. */
export function parsePkgInfo(bytes: Uint8Array): PkgInfo {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badRequest(ApkCodes.BAD_PKGINFO, '.PKGINFO is not valid UTF-8');
  }
  const info: PkgInfo = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf(' = ');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 3);
    if (/[\x00-\x1f\x7f]/.test(value)) {
      throw badRequest(ApkCodes.BAD_PKGINFO, `.PKGINFO field ${JSON.stringify(key)} holds a control character`);
    }
    info.set(key, [...(info.get(key) ?? []), value]);
  }
  return info;
}

/** The last value of a single-valued key (apk-tools keeps the last one too). */
export const single = (info: PkgInfo, key: string): string | undefined => info.get(key)?.at(-1);

/** A repeated key's values joined by spaces, as APKINDEX lists dependencies. */
export const joined = (info: PkgInfo, key: string): string | undefined => {
  const values = (info.get(key) ?? []).flatMap((v) => v.split(/\s+/)).filter(Boolean);
  return values.length > 0 ? values.join(' ') : undefined;
};
