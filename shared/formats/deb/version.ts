/** A Debian version split into its parts: `[epoch:]upstream[-revision]`. */
export interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

const MAX_EPOCH = 2147483647; // dpkg stores the epoch in an int

/**
 * Splits and validates a version per Debian policy 5.6.12: the epoch is digits; the upstream part starts
 * with a digit and holds alphanumerics and `.+~-` (a hyphen only when a revision follows); the revision
 * holds alphanumerics and `.+~`. Returns a reason instead of throwing so callers choose the error.
 */
export function parseVersion(version: string): DebianVersion | string {
  if (version === '') return 'the version is empty';
  if (/\s/.test(version)) return 'the version contains whitespace';
  let rest = version;
  let epoch = 0;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const e = rest.slice(0, colon);
    if (!/^[0-9]+$/.test(e)) return `the epoch ${JSON.stringify(e)} is not a number`;
    epoch = Number(e);
    if (epoch > MAX_EPOCH) return `the epoch ${e} is too large`;
    rest = rest.slice(colon + 1);
  }
  let revision = '';
  const hyphen = rest.lastIndexOf('-');
  if (hyphen >= 0) {
    revision = rest.slice(hyphen + 1);
    rest = rest.slice(0, hyphen);
    if (revision === '') return 'the Debian revision after the last "-" is empty';
    if (!/^[A-Za-z0-9.+~]+$/.test(revision)) return `the Debian revision ${JSON.stringify(revision)} may only contain letters, digits and ".+~"`;
  }
  if (rest === '') return 'the upstream version is empty';
  if (!/^[0-9]/.test(rest)) return `the upstream version ${JSON.stringify(rest)} does not start with a digit`;
  if (!/^[A-Za-z0-9.+~-]+$/.test(rest)) return `the upstream version ${JSON.stringify(rest)} may only contain letters, digits and ".+~-"`;
  return { epoch, upstream: rest, revision };
}

/** The version without its epoch, as pool file names use it. */
export function versionWithoutEpoch(version: string): string {
  const colon = version.indexOf(':');
  return colon >= 0 ? version.slice(colon + 1) : version;
}

/** dpkg's character weight: '~' sorts before everything, even the end of the part; letters before other symbols. */
function weight(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[0-9]/.test(c)) return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** dpkg's verrevcmp: alternate non-digit runs (by weight) and digit runs (numerically, any length). */
function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const d = weight(isDigit(a[i]) ? undefined : a[i]) - weight(isDigit(b[j]) ? undefined : b[j]);
      if (d !== 0) return Math.sign(d);
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let first = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (first === 0) first = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (first !== 0) return Math.sign(first);
  }
  return 0;
}

/**
 * Orders two versions as `dpkg --compare-versions` does: -1, 0 or 1. Unparsable versions compare by their
 * text after valid ones, so sorting never throws.
 */
export function compareVersions(a: string, b: string): number {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  if (typeof va === 'string' || typeof vb === 'string') {
    if (typeof va !== 'string') return -1;
    if (typeof vb !== 'string') return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (va.epoch !== vb.epoch) return va.epoch < vb.epoch ? -1 : 1;
  return compareFragment(va.upstream, vb.upstream) || compareFragment(va.revision, vb.revision);
}
