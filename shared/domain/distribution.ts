import { badRequest, Codes } from './errors';

/**
 * A target such as `debian/bookworm`, `ubuntu/jammy`, `any/any` (Packagecloud's naming), or the single word
 * `files` for generic files (`{ distro: 'files', release: '' }`).
 */
export interface Distribution {
  distro: string;
  release: string;
}

const PART = /^[a-z0-9][a-z0-9.+_-]{0,39}$/;
/** The one single-word target. */
export const FILES = 'files';

export function parseDistribution(value: unknown): Distribution {
  if (value === FILES) return { distro: FILES, release: '' };
  const parts = typeof value === 'string' ? value.split('/') : [];
  if (parts.length !== 2 || !parts.every((p) => PART.test(p) && !p.includes('..'))) {
    throw badRequest(
      Codes.INVALID_DISTRIBUTION,
      `distribution must look like "debian/bookworm", "ubuntu/jammy" or "any/any", or be "files" (got ${JSON.stringify(value)})`,
    );
  }
  return { distro: parts[0], release: parts[1] };
}

export const distributionName = (d: Distribution): string => (d.release === '' ? d.distro : `${d.distro}/${d.release}`);
