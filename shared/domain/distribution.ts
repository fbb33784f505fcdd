import { badRequest, Codes } from './errors';

/** A target such as `debian/bookworm`, `ubuntu/jammy`, `any/any` (Packagecloud's naming). */
export interface Distribution {
  distro: string;
  release: string;
}

const PART = /^[a-z0-9][a-z0-9.+_-]{0,39}$/;

export function parseDistribution(value: unknown): Distribution {
  const parts = typeof value === 'string' ? value.split('/') : [];
  if (parts.length !== 2 || !parts.every((p) => PART.test(p) && !p.includes('..'))) {
    throw badRequest(
      Codes.INVALID_DISTRIBUTION,
      `distribution must look like "debian/bookworm", "ubuntu/jammy" or "any/any" (got ${JSON.stringify(value)})`,
    );
  }
  return { distro: parts[0], release: parts[1] };
}

export const distributionName = (d: Distribution): string => `${d.distro}/${d.release}`;
