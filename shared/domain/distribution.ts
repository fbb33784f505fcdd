import { badRequest, Codes } from './errors';

/**
 * A target such as `debian/bookworm`, `ubuntu/jammy`, `any/any` (Packagecloud's naming), or a single word for
 * formats without distributions: `files` (generic files) and the language registries (`npm`, `pypi`, ...),
 * as `{ distro: word, release: '' }`.
 */
export interface Distribution {
  distro: string;
  release: string;
}

const PART = /^[a-z0-9][a-z0-9.+_-]{0,39}$/;
/** Generic files' single-word target. */
export const FILES = 'files';
/**
 * The language registries' targets, which are also the URL segment of each registry under a repository
 * (`/{owner}/{repo}/npm/`).
 */
export const REGISTRY_SEGMENTS = ['npm', 'pypi', 'maven', 'gems', 'cargo', 'helm', 'nuget'] as const;
export type RegistrySegment = (typeof REGISTRY_SEGMENTS)[number];
export const SINGLE_WORD_TARGETS: readonly string[] = [FILES, ...REGISTRY_SEGMENTS];

export function parseDistribution(value: unknown): Distribution {
  if (typeof value === 'string' && SINGLE_WORD_TARGETS.includes(value)) return { distro: value, release: '' };
  const parts = typeof value === 'string' ? value.split('/') : [];
  if (parts.length !== 2 || !parts.every((p) => PART.test(p) && !p.includes('..'))) {
    throw badRequest(
      Codes.INVALID_DISTRIBUTION,
      `distribution must look like "debian/bookworm", "ubuntu/jammy" or "any/any", or be one of ${SINGLE_WORD_TARGETS.join(', ')} (got ${JSON.stringify(value)})`,
    );
  }
  return { distro: parts[0], release: parts[1] };
}

export const distributionName = (d: Distribution): string => (d.release === '' ? d.distro : `${d.distro}/${d.release}`);
