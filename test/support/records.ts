import type { RepoRecord } from '../../shared/domain/repo';
import type { StoredSigningKey } from '../../shared/ports/metadata-store';

/** Stand-in records for storage tests: complete and valid, with whatever a test needs overridden. */
const NOW = '2025-01-02T03:04:05.000Z';

export function repoRecord(name: string, over: Partial<RepoRecord> = {}): RepoRecord {
  const [owner, repo] = name.split('/');
  return {
    name,
    owner,
    repo,
    visibility: 'private',
    description: '',
    createdAt: NOW,
    createdBy: 'admin',
    signingKeyFingerprint: 'ABCDEF0123456789ABCDEF0123456789ABCDEF01',
    signingKeyType: 'ed25519',
    packageCount: 0,
    ...over,
  };
}

/** A signing key record; the store never looks inside the wrapped fields. */
export function signingKeyRecord(repo: string, over: Partial<StoredSigningKey> = {}): StoredSigningKey {
  return {
    repo,
    kind: 'openpgp',
    fingerprint: 'ABCDEF0123456789ABCDEF0123456789ABCDEF01',
    algorithm: 'ed25519',
    publicKeyArmored: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n...\n',
    wrappedDataKey: 'd3JhcHBlZA==',
    iv: 'aXY=',
    tag: 'dGFn',
    ciphertext: 'Y2lwaGVy',
    createdAt: NOW,
    ...over,
  };
}
