import type { Signer } from '../formats/format';
import { publicKeyKey } from '../formats/apk/paths';
import type { StoredSigningKey } from '../ports/metadata-store';
import { createApkSigner, generateApkKey } from '../signing/apk-rsa';
import { openPrivateKey, sealPrivateKey } from '../signing/envelope';
import type { AppDeps } from './deps';
import { keyContext } from './repos';

/** The StoredSigningKey kind of a repository's Alpine RSA key. */
export const APK_KEY_KIND = 'apk-rsa';

/** `acme-tools-1a2b3c4d`: unique per key, so keys of two registries never collide in /etc/apk/keys. */
export const apkKeyName = (key: Pick<StoredSigningKey, 'repo' | 'fingerprint'>): string =>
  `${key.repo.replace('/', '-')}-${key.fingerprint.slice(0, 8)}`;

/**
 * The repository's Alpine key, made (and its public half published) on first use, so repositories without
 * Alpine packages never pay for an RSA key. When two ingests race, both end up with the stored winner.
 */
export async function ensureApkKey(deps: Pick<AppDeps, 'meta' | 'keys' | 'packages' | 'clock'>, repo: string): Promise<StoredSigningKey> {
  const existing = await deps.meta.getSigningKey(repo, APK_KEY_KIND);
  if (existing) return existing;
  const key = await generateApkKey();
  const sealed = await sealPrivateKey(deps.keys, key.privateKeyPem, keyContext(repo));
  const stored = await deps.meta.putSigningKey({
    repo,
    kind: APK_KEY_KIND,
    fingerprint: key.fingerprint,
    algorithm: 'rsa4096',
    publicKeyArmored: key.publicKeyPem,
    ...sealed,
    createdAt: deps.clock.now().toISOString(),
  });
  await publishApkPublicKey(deps, stored);
  return stored;
}

/** The stored key, for rebuilds: ingest made it before the first package was committed. */
export async function loadApkKey(deps: Pick<AppDeps, 'meta'>, repo: string): Promise<StoredSigningKey> {
  const key = await deps.meta.getSigningKey(repo, APK_KEY_KIND);
  if (!key) throw new Error(`repository ${repo} has no Alpine signing key`);
  return key;
}

/** The apk member of a Signer; the private key is unwrapped into memory only. */
export async function openApkSigner(deps: Pick<AppDeps, 'keys'>, key: StoredSigningKey): Promise<NonNullable<Signer['apk']>> {
  const pem = await openPrivateKey(deps.keys, key, keyContext(key.repo));
  return createApkSigner(pem, apkKeyName(key));
}

/** `/{owner}/{repo}/alpine/{keyName}.rsa.pub` (PEM), what users put in /etc/apk/keys; idempotent. */
export async function publishApkPublicKey(deps: Pick<AppDeps, 'packages'>, key: StoredSigningKey): Promise<void> {
  await deps.packages.put(publicKeyKey(key.repo, apkKeyName(key)), key.publicKeyArmored, {
    contentType: 'application/x-pem-file',
    cacheControl: 'max-age=300',
  });
}
