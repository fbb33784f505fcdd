import { badRequest, Codes, notFound } from '../domain/errors';
import { parseRepoName, type SigningKeyType } from '../domain/repo';
import type { StoredSigningKey } from '../ports/metadata-store';
import { sealPrivateKey } from '../signing/envelope';
import { armoredKeyring, generateSigningKey } from '../signing/openpgp';
import type { Principal } from './auth';
import { requirePermission } from './auth';
import { actorOf, audit } from './audit';
import type { AppDeps } from './deps';
import { keyContext, loadRepo, publishPublicKey, SIGNING_KEY_KIND } from './repos';

/** Where a rotated-out key waits out its overlap beside the current one. */
export const PREVIOUS_SIGNING_KEY_KIND = 'openpgp-previous';
const DEFAULT_OVERLAP_DAYS = 30;
const MAX_OVERLAP_DAYS = 365;

/** What the API shows of a key: never the private half, not even wrapped. */
export interface SigningKeyView {
  fingerprint: string;
  algorithm: string;
  createdAt: string;
  publicKey: string;
  /** Only on a rotated-out key. */
  retiresAt?: string;
  /** Whether it still signs (a rotated-out key until retiresAt). */
  active: boolean;
}

const view = (k: StoredSigningKey, now: Date): SigningKeyView => ({
  fingerprint: k.fingerprint,
  algorithm: k.algorithm,
  createdAt: k.createdAt,
  publicKey: k.publicKeyArmored,
  ...(k.retiresAt ? { retiresAt: k.retiresAt } : {}),
  active: !k.retiresAt || Date.parse(k.retiresAt) > now.getTime(),
});

/** The keys that sign a repository's indexes now: the current one, and a rotated-out one during its overlap. */
export async function activeSigningKeys(deps: Pick<AppDeps, 'meta' | 'clock'>, repo: string): Promise<StoredSigningKey[]> {
  const current = await deps.meta.getSigningKey(repo, SIGNING_KEY_KIND);
  if (!current) throw new Error(`repository ${repo} has no signing key`);
  const previous = await deps.meta.getSigningKey(repo, PREVIOUS_SIGNING_KEY_KIND);
  const overlapping = previous?.retiresAt && Date.parse(previous.retiresAt) > deps.clock.now().getTime();
  return overlapping ? [current, previous] : [current];
}

/** `gpgkey` lists every active key, so clients that fetch it during an overlap trust both. */
export async function publishSigningKeys(deps: Pick<AppDeps, 'packages'>, repo: string, keys: StoredSigningKey[]): Promise<void> {
  await publishPublicKey(deps, repo, await armoredKeyring(keys.map((k) => k.publicKeyArmored)));
}

export async function listSigningKeys(deps: AppDeps, principal: Principal, repoName: string): Promise<{ current: SigningKeyView; previous?: SigningKeyView }> {
  const { name } = parseRepoName(repoName);
  requirePermission(deps, principal, name, 'read');
  await loadRepo(deps, name);
  const now = deps.clock.now();
  const current = await deps.meta.getSigningKey(name, SIGNING_KEY_KIND);
  if (!current) throw notFound(Codes.REPO_NOT_FOUND, `repository ${name} has no signing key`);
  const previous = await deps.meta.getSigningKey(name, PREVIOUS_SIGNING_KEY_KIND);
  return { current: view(current, now), ...(previous ? { previous: view(previous, now) } : {}) };
}

/**
 * Makes a new signing key the current one; the old key keeps signing beside it for `overlapDays`, and
 * `gpgkey` serves both, so clients that pinned the old key keep working while they fetch the new one. Every
 * published index is re-signed.
 */
export async function rotateSigningKey(
  deps: AppDeps,
  principal: Principal,
  repoName: string,
  input: { overlapDays?: unknown; signingKey?: unknown },
): Promise<{ current: SigningKeyView; previous: SigningKeyView }> {
  const { name, owner, repo: short } = parseRepoName(repoName);
  requirePermission(deps, principal, name, 'admin');
  const repo = await loadRepo(deps, name);
  const overlapDays = input.overlapDays ?? DEFAULT_OVERLAP_DAYS;
  if (typeof overlapDays !== 'number' || !Number.isInteger(overlapDays) || overlapDays < 0 || overlapDays > MAX_OVERLAP_DAYS) {
    throw badRequest(Codes.INVALID_REQUEST, `overlapDays must be a whole number of days from 0 to ${MAX_OVERLAP_DAYS}`);
  }
  const type = (input.signingKey ?? repo.signingKeyType ?? 'rsa4096') as SigningKeyType;
  if (type !== 'rsa4096' && type !== 'ed25519') throw badRequest(Codes.INVALID_REQUEST, 'signingKey must be "rsa4096" or "ed25519"');
  const old = await deps.meta.getSigningKey(name, SIGNING_KEY_KIND);
  if (!old) throw notFound(Codes.REPO_NOT_FOUND, `repository ${name} has no signing key`);

  const now = deps.clock.now();
  const generated = await generateSigningKey({ type, name: `Packyard ${name}`, email: `${short}@${owner}.packyard` });
  const current: StoredSigningKey = {
    repo: name,
    kind: SIGNING_KEY_KIND,
    fingerprint: generated.fingerprint,
    algorithm: generated.algorithm,
    publicKeyArmored: generated.publicKeyArmored,
    ...(await sealPrivateKey(deps.keys, generated.privateKeyArmored, keyContext(name))),
    createdAt: now.toISOString(),
  };
  const retiresAt = new Date(now.getTime() + overlapDays * 86400_000).toISOString();
  const previous: StoredSigningKey = { ...old, kind: PREVIOUS_SIGNING_KEY_KIND, retiresAt };
  await deps.meta.replaceSigningKey(current, old.fingerprint, previous, PREVIOUS_SIGNING_KEY_KIND);
  await republish(deps, name);
  await audit(deps, actorOf(principal), name, 'signing-key.rotated', current.fingerprint, { previous: old.fingerprint, retiresAt });
  return { current: view(current, now), previous: view(previous, now) };
}

/** Ends the overlap now: the rotated-out key stops signing and leaves `gpgkey`. */
export async function retirePreviousSigningKey(deps: AppDeps, principal: Principal, repoName: string): Promise<void> {
  const { name } = parseRepoName(repoName);
  requirePermission(deps, principal, name, 'admin');
  await loadRepo(deps, name);
  const previous = await deps.meta.getSigningKey(name, PREVIOUS_SIGNING_KEY_KIND);
  const current = await deps.meta.getSigningKey(name, SIGNING_KEY_KIND);
  if (!previous || !current) throw notFound('SIGNING_KEY_NOT_FOUND', `${name} has no rotated-out signing key`);
  await deps.meta.replaceSigningKey(current, current.fingerprint, null, PREVIOUS_SIGNING_KEY_KIND);
  await republish(deps, name);
  await audit(deps, actorOf(principal), name, 'signing-key.retired', previous.fingerprint, {});
}

/** The new keyring at once, and a re-signing rebuild of every scope ever published. */
async function republish(deps: AppDeps, repo: string): Promise<void> {
  await publishSigningKeys(deps, repo, await activeSigningKeys(deps, repo));
  const scopes = await deps.meta.listScopeStates(repo);
  if (scopes.length) await deps.queue.enqueue(scopes.map((s) => ({ repo, format: s.format, scope: s.scope })));
}
