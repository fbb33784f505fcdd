import { CATALOG_SCOPE, type IndexMember, type PublishedFile, type RenderedIndex, type RenderInput } from '../format';
import { infoFile, namesFile, versionsFile, type IndexedGem } from './compact-index';
import { readFragment } from './fragment';
import { legacySpecs } from './legacy-specs';
import { infoKey, namesKey, specsKey, versionsKey } from './paths';

// Bundler and RubyGems read these as text; S3 would otherwise label them binary/octet-stream.
const TEXT = 'text/plain; charset=utf-8';
// Never `Content-Encoding: gzip`: the client would inflate the .gz files and then fail to read them.
const BINARY = 'application/octet-stream';

const indexed = (m: IndexMember): IndexedGem => ({
  fragment: readFragment(m.fragment),
  uploadedAt: m.uploadedAt ?? '',
  ...(m.yanked ? { yankedAt: m.yanked.at } : {}),
});

const text = (key: string, body: string): PublishedFile => ({ key, body: Buffer.from(body, 'utf8'), contentType: TEXT });

/**
 * A gem's scope renders its `/info/{name}`; the catalog renders the repository-wide files: `/versions`
 * (written last, as it carries the MD5 of every /info file), `/names` and the legacy Marshal indexes.
 */
export async function renderGems(input: RenderInput): Promise<RenderedIndex> {
  const gems = input.members.map(indexed);
  if (input.scope !== CATALOG_SCOPE) {
    return { content: [], top: [text(infoKey(input.repo, input.scope), infoFile(gems))], byHashPrefixes: [] };
  }
  const specs = legacySpecs(gems.filter((g) => !g.yankedAt).map((g) => g.fragment));
  return {
    content: [
      { key: specsKey(input.repo, 'specs'), body: specs.specs, contentType: BINARY },
      { key: specsKey(input.repo, 'latest_specs'), body: specs.latest, contentType: BINARY },
      { key: specsKey(input.repo, 'prerelease_specs'), body: specs.prerelease, contentType: BINARY },
      text(namesKey(input.repo), namesFile(gems)),
    ],
    top: [text(versionsKey(input.repo), versionsFile(gems))],
    byHashPrefixes: [],
  };
}
