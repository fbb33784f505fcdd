/**
 * Gem::Version: its accepted syntax (Gem::Version::ANCHORED_VERSION_PATTERN, without the surrounding blanks),
 * its normal form ("1.0-rc1" is "1.0.pre.rc1") and its ordering, so indexes sort and pick "latest" as the
 * client does.
 */
const PATTERN = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
export const MAX_VERSION = 128;

/** The normal form RubyGems stores, or undefined when the text is not a version. */
export function normaliseVersion(text: string): string | undefined {
  const v = text.trim();
  if (!PATTERN.test(v) || v.length > MAX_VERSION) return undefined;
  return v.replace(/-/g, '.pre.');
}

/** A version with a letter anywhere is a pre-release (Gem::Version#prerelease?). */
export const isPrerelease = (version: string): boolean => /[a-zA-Z]/.test(version);

type Segment = number | string;

/** Gem::Version#canonical_segments: trailing zeros dropped from the numeric part and from the rest. */
function canonicalSegments(version: string): Segment[] {
  const segments: Segment[] = (version.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const firstString = segments.findIndex((s) => typeof s === 'string');
  const numeric = firstString < 0 ? segments : segments.slice(0, firstString);
  const rest = firstString < 0 ? [] : segments.slice(firstString);
  const trim = (xs: Segment[]) => {
    let end = xs.length;
    while (end > 0 && xs[end - 1] === 0) end--;
    return xs.slice(0, end);
  };
  return [...trim(numeric), ...trim(rest)];
}

/** Gem::Version#<=>: numbers compare numerically, letters lexically, and a letter sorts before a number. */
export function compareGemVersions(a: string, b: string): number {
  if (a === b) return 0;
  const l = canonicalSegments(a);
  const r = canonicalSegments(b);
  for (let i = 0; i < Math.max(l.length, r.length); i++) {
    const x = l[i] ?? 0;
    const y = r[i] ?? 0;
    if (x === y) continue;
    if (typeof x === 'string' && typeof y === 'number') return -1;
    if (typeof x === 'number' && typeof y === 'string') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
