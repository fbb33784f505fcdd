import { requireBaseUrl, type IndexMember, type RenderedIndex, type RenderInput } from '../format';
import { indexLine, readFragment } from './index-line';
import { indexKey, ownIndexUrl } from './paths';
import { compareCrateVersions } from './version';

/** Publication order keeps the file append-only as Cargo expects; the version breaks ties. */
const byPublication = (a: { m: IndexMember; vers: string }, b: { m: IndexMember; vers: string }): number => {
  const ta = a.m.uploadedAt ?? '';
  const tb = b.m.uploadedAt ?? '';
  return ta !== tb ? (ta < tb ? -1 : 1) : compareCrateVersions(a.vers, b.vers);
};

/**
 * The sparse index file of a crate: one JSON line per version, yanked versions kept and marked. A scope is
 * a canonical name; publish keeps one spelling per scope, and a stray second spelling still gets its own file.
 */
export async function renderCargoIndex(input: RenderInput): Promise<RenderedIndex> {
  const own = ownIndexUrl(requireBaseUrl(input), input.repo);
  const files = new Map<string, { m: IndexMember; vers: string; fragment: ReturnType<typeof readFragment> }[]>();
  for (const m of input.members) {
    const fragment = readFragment(m.fragment);
    const key = indexKey(input.repo, fragment.name);
    files.set(key, [...(files.get(key) ?? []), { m, vers: fragment.vers, fragment }]);
  }
  const top = [...files.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, entries]) => {
      const lines = entries.sort(byPublication).map((e) => indexLine(e.fragment, e.m.yanked !== undefined, own));
      return { key, body: Buffer.from(lines.join('\n') + '\n', 'utf8'), contentType: 'text/plain; charset=utf-8' };
    });
  return { content: [], top, byHashPrefixes: [] };
}
