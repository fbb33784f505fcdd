/**
 * PEP 440 versions: `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, with the spellings the spec asks tools to
 * accept (case, a leading `v`, `-`/`_`/`.` separators, `alpha`/`beta`/`c`/`pre`/`preview`, `rev`/`r`, implicit
 * numbers, `1.0-1` as a post-release) and its normal form and ordering.
 */
const VERSION = new RegExp(
  '^\\s*v?' +
    '(?:(\\d+)!)?' + // epoch
    '(\\d+(?:\\.\\d+)*)' + // release
    '(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\\d+)?)?' + // pre-release
    '(?:-(\\d+)|[-_.]?(post|rev|r)[-_.]?(\\d+)?)?' + // post-release
    '(?:[-_.]?(dev)[-_.]?(\\d+)?)?' + // development release
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?' + // local label
    '\\s*$',
  'i',
);

export interface Pep440 {
  epoch: string;
  release: string[];
  pre?: { label: 'a' | 'b' | 'rc'; n: string };
  post?: string;
  dev?: string;
  local?: string[];
}

/** Digit strings without leading zeros, so numbers of any size compare exactly. */
const num = (digits: string | undefined): string => (digits ?? '0').replace(/^0+(?=\d)/, '');

const PRE_LABELS: Record<string, 'a' | 'b' | 'rc'> = { a: 'a', alpha: 'a', b: 'b', beta: 'b', c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc' };

export function parseVersion(text: string): Pep440 | undefined {
  const m = VERSION.exec(text);
  if (!m) return undefined;
  const v: Pep440 = { epoch: num(m[1]), release: m[2].split('.').map(num) };
  if (m[3]) v.pre = { label: PRE_LABELS[m[3].toLowerCase()], n: num(m[4]) };
  if (m[5] !== undefined) v.post = num(m[5]);
  else if (m[6]) v.post = num(m[7]);
  if (m[8]) v.dev = num(m[9]);
  if (m[10]) v.local = m[10].toLowerCase().split(/[-_.]/).map((p) => (/^\d+$/.test(p) ? num(p) : p));
  return v;
}

export const isValidVersion = (text: string): boolean => VERSION.test(text);

/** The normal form: `1.0-RC.1` -> `1.0rc1`, `v2.0-1` -> `2.0.post1`, `1!1.0+Ubuntu-1` -> `1!1.0+ubuntu.1`. */
export function formatVersion(v: Pep440): string {
  return (
    (v.epoch !== '0' ? `${v.epoch}!` : '') +
    v.release.join('.') +
    (v.pre ? `${v.pre.label}${v.pre.n}` : '') +
    (v.post !== undefined ? `.post${v.post}` : '') +
    (v.dev !== undefined ? `.dev${v.dev}` : '') +
    (v.local ? `+${v.local.join('.')}` : '')
  );
}

/** The normal form of a valid version; undefined when it is not PEP 440. */
export function normalizeVersion(text: string): string | undefined {
  const v = parseVersion(text);
  return v ? formatVersion(v) : undefined;
}

const compareDigits = (a: string, b: string): number => (a.length !== b.length ? Math.sign(a.length - b.length) : a < b ? -1 : a > b ? 1 : 0);

function compareRelease(a: string[], b: string[]): number {
  // Trailing zeros do not count: 1.0 == 1.0.0.
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = compareDigits(a[i] ?? '0', b[i] ?? '0');
    if (c !== 0) return c;
  }
  return 0;
}

const PRE_RANK = { a: 0, b: 1, rc: 2 } as const;

/** Pre-release position: a dev-only release sorts before every pre-release, a final release after them. */
function comparePre(a: Pep440, b: Pep440): number {
  const rank = (v: Pep440): number => (v.pre ? 0 : v.post === undefined && v.dev !== undefined ? -1 : 1);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return Math.sign(ra - rb);
  if (!a.pre || !b.pre) return 0;
  return Math.sign(PRE_RANK[a.pre.label] - PRE_RANK[b.pre.label]) || compareDigits(a.pre.n, b.pre.n);
}

function compareOptional(a: string | undefined, b: string | undefined, absent: 'low' | 'high'): number {
  if (a === undefined || b === undefined) {
    if (a === b) return 0;
    return (a === undefined) === (absent === 'low') ? -1 : 1;
  }
  return compareDigits(a, b);
}

/** Local labels: numeric segments above alphanumeric ones, a longer label above its own prefix. */
function compareLocal(a: string[] | undefined, b: string[] | undefined): number {
  if (!a || !b) return a === b ? 0 : a ? 1 : -1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const an = /^\d+$/.test(a[i]);
    const bn = /^\d+$/.test(b[i]);
    if (an !== bn) return an ? 1 : -1;
    const c = an ? compareDigits(a[i], b[i]) : a[i] < b[i] ? -1 : a[i] > b[i] ? 1 : 0;
    if (c !== 0) return c;
  }
  return Math.sign(a.length - b.length);
}

/** PEP 440 ordering: 1.0.dev0 < 1.0a1 < 1.0rc1 < 1.0 < 1.0+local < 1.0.post1 < 1!0.1. */
export function comparePep440(a: Pep440, b: Pep440): number {
  return (
    compareDigits(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    comparePre(a, b) ||
    compareOptional(a.post, b.post, 'low') ||
    compareOptional(a.dev, b.dev, 'high') ||
    compareLocal(a.local, b.local)
  );
}

/** A total order for listings: PEP 440 precedence, then the text (invalid versions last). */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (pa && pb) {
    const c = comparePep440(pa, pb);
    if (c !== 0) return c;
  } else if (pa || pb) {
    return pa ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
