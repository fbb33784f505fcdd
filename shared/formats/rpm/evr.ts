/** Epoch, version, release as repodata writes them (`epoch` is "0" when the package has none). */
export interface Evr {
  epoch: string;
  ver: string;
  rel?: string;
}

/**
 * Characters rpmbuild accepts in Version and Release once macros are expanded (rpmCharCheck), minus `-`,
 * which separates them; `%{}` are left out because they would have to be percent-encoded in every URL.
 */
const EVR_PART = /^[A-Za-z0-9._+~^]+$/;
const HAS_ALNUM = /[A-Za-z0-9]/;

/** Why a version or release is not valid rpm syntax, or undefined when it is. */
export function evrPartProblem(what: 'version' | 'release', value: string): string | undefined {
  if (value === '') return `the ${what} is empty`;
  if (value.includes('-')) return `the ${what} ${JSON.stringify(value)} contains "-", which separates version and release`;
  if (!EVR_PART.test(value)) return `the ${what} ${JSON.stringify(value)} may only contain letters, digits and "._+~^"`;
  if (!HAS_ALNUM.test(value)) return `the ${what} ${JSON.stringify(value)} has no letter or digit`;
  return undefined;
}

/** The version string of a package record: `[epoch:]version-release`, the epoch only when set. */
export const evrString = (e: Evr): string => `${e.epoch !== '0' ? `${e.epoch}:` : ''}${e.ver}${e.rel !== undefined ? `-${e.rel}` : ''}`;

/**
 * Splits a dependency version `[epoch:]version[-release]` as rpm does (the release follows the last `-`).
 * Returns undefined when the epoch is not a number.
 */
export function splitEvr(value: string): Evr | undefined {
  let rest = value;
  let epoch = '0';
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const e = rest.slice(0, colon);
    if (!/^[0-9]*$/.test(e)) return undefined;
    if (e !== '') epoch = String(Number(e));
    rest = rest.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, ver: rest.slice(0, dash), rel: rest.slice(dash + 1) } : { epoch, ver: rest };
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined) => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));

/**
 * rpm's version comparison (rpmvercmp): alternating numeric and alphabetic segments, separators ignored,
 * `~` sorts before everything (even the end), `^` after the end but before anything else.
 */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const separator = (c: string | undefined) => c !== undefined && !isDigit(c) && !isAlpha(c) && c !== '~' && c !== '^';
  while (i < a.length || j < b.length) {
    while (separator(a[i])) i++;
    while (separator(b[j])) j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(a[i]);
    const inSegment = numeric ? isDigit : isAlpha;
    const si = i;
    const sj = j;
    while (inSegment(a[i])) i++;
    while (inSegment(b[j])) j++;
    let x = a.slice(si, i);
    let y = b.slice(sj, j);
    // Segments of different kinds: a number is newer than letters.
    if (y === '') return numeric ? 1 : -1;
    if (numeric) {
      x = x.replace(/^0+/, '');
      y = y.replace(/^0+/, '');
      if (x.length !== y.length) return x.length > y.length ? 1 : -1;
    }
    if (x !== y) return x > y ? 1 : -1;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Orders two EVRs as rpm and dnf do: epoch, then version, then release. */
export function compareEvr(a: Evr, b: Evr): number {
  const ea = Number(a.epoch);
  const eb = Number(b.epoch);
  if (ea !== eb) return ea > eb ? 1 : -1;
  return rpmvercmp(a.ver, b.ver) || rpmvercmp(a.rel ?? '', b.rel ?? '');
}
