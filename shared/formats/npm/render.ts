import { CACHE_REVALIDATE, requireBaseUrl, type RenderedIndex, type RenderInput } from '../format';
import { abbreviatedPackument, fullPackument, effectiveTags, type PackumentInput } from './packument';
import { abbreviatedKey, distTagsKey, packumentKey } from './paths';

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

/** A package's three mutable files: full and abbreviated packuments, and its dist-tags. Nothing is signed. */
export async function renderNpm(input: RenderInput): Promise<RenderedIndex> {
  const p: PackumentInput = {
    repo: input.repo,
    name: input.scope,
    baseUrl: requireBaseUrl(input),
    members: input.members,
    tags: input.attributes ?? {},
    now: input.now,
  };
  const live = input.members.filter((m) => !m.yanked).map((m) => m.version);
  return {
    content: [],
    top: [
      { key: packumentKey(p.repo, p.name), body: json(fullPackument(p)), contentType: 'application/json', cacheControl: CACHE_REVALIDATE },
      { key: abbreviatedKey(p.repo, p.name), body: json(abbreviatedPackument(p)), contentType: 'application/vnd.npm.install-v1+json', cacheControl: CACHE_REVALIDATE },
      { key: distTagsKey(p.repo, p.name), body: json(effectiveTags(p.tags, live)), contentType: 'application/json', cacheControl: CACHE_REVALIDATE },
    ],
    byHashPrefixes: [],
  };
}
