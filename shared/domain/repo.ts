import { badRequest, Codes } from './errors';

export type Visibility = 'public' | 'private';
export type SigningKeyType = 'rsa4096' | 'ed25519';

export interface RepoRecord {
  /** `owner/name`, lower case. */
  name: string;
  owner: string;
  repo: string;
  visibility: Visibility;
  description: string;
  createdAt: string;
  createdBy: string;
  /** OpenPGP fingerprint of the repository's signing key (upper-case hex). */
  signingKeyFingerprint: string;
  signingKeyType: SigningKeyType;
  packageCount: number;
}

const SEGMENT = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;

/** Owner and repository segments: lower-case, URL-safe, no dot-only names, so paths stay unambiguous. */
export function parseRepoName(full: string): { name: string; owner: string; repo: string } {
  const parts = typeof full === 'string' ? full.split('/') : [];
  if (parts.length !== 2 || !parts.every((p) => SEGMENT.test(p) && !p.includes('..'))) {
    throw badRequest(
      Codes.INVALID_REPO_NAME,
      `repository name must be "owner/name" using a-z, 0-9, '.', '_' and '-' (got ${JSON.stringify(full)})`,
    );
  }
  return { name: `${parts[0]}/${parts[1]}`, owner: parts[0], repo: parts[1] };
}
