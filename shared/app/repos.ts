import { KEY_PURPOSE } from '../config';
import { CATALOG_SCOPE } from '../formats/format';
import { FORMATS } from '../formats/registry';
import { badRequest, Codes, conflict, forbidden, notFound } from '../domain/errors';
import { parseRepoName, type RepoRecord, type SigningKeyType, type Visibility } from '../domain/repo';
import { allows } from '../domain/token';
import type { StoredSigningKey } from '../ports/metadata-store';
import { sealPrivateKey } from '../signing/envelope';
import { dearmorPublicKey, generateSigningKey } from '../signing/openpgp';
import type { Principal } from './auth';
import { requirePermission, withRepoAccess } from './auth';
import { actorOf, audit } from './audit';
import { issueMasterToken } from './install-tokens';
import type { TokenView } from './tokens';
import type { AppDeps } from './deps';

export const SIGNING_KEY_KIND = 'openpgp';

/** Binds a wrapped key to its repository: KMS refuses to unwrap it for any other. */
export const keyContext = (repo: string): Record<string, string> => ({ repo, purpose: KEY_PURPOSE.signingKey });

export interface CreateRepoInput {
  name?: unknown;
  visibility?: unknown;
  description?: unknown;
  signingKey?: unknown;
}

/** What creating a repository answers: the record and its default master token, shown once. */
export type CreatedRepo = RepoRecord & { masterToken: TokenView & { token: string } };

export async function createRepo(deps: AppDeps, principal: Principal, input: CreateRepoInput): Promise<CreatedRepo> {
  const { name, owner, repo } = parseRepoName(input.name as string);
  // Administrators create anywhere; a user creates under their own name.
  if (!principal.admin && !(principal.kind === 'api' && owner === principal.user && (await deps.meta.getUser(owner)))) {
    throw forbidden(`only an administrator or the user ${owner} may create ${name}`);
  }
  const visibility = (input.visibility ?? 'public') as Visibility;
  if (visibility !== 'public' && visibility !== 'private') {
    throw badRequest(Codes.INVALID_REQUEST, 'visibility must be "public" or "private"');
  }
  const keyType = (input.signingKey ?? 'rsa4096') as SigningKeyType;
  if (keyType !== 'rsa4096' && keyType !== 'ed25519') {
    throw badRequest(Codes.INVALID_REQUEST, 'signingKey must be "rsa4096" or "ed25519"');
  }
  const description = input.description === undefined ? '' : String(input.description).slice(0, 500);
  // Fail fast before the (slow) key generation; the conditional write below is the real guard.
  if (await deps.meta.getRepo(name)) throw conflict(Codes.REPO_EXISTS, `repository ${name} already exists`);

  const now = deps.clock.now().toISOString();
  const key = await generateSigningKey({ type: keyType, name: `Packyard ${name}`, email: `${repo}@${owner}.packyard` });
  const sealed = await sealPrivateKey(deps.keys, key.privateKeyArmored, keyContext(name));
  const record: RepoRecord = {
    name,
    owner,
    repo,
    visibility,
    description,
    createdAt: now,
    createdBy: principal.user,
    signingKeyFingerprint: key.fingerprint,
    signingKeyType: keyType,
    packageCount: 0,
  };
  const stored: StoredSigningKey = {
    repo: name,
    kind: SIGNING_KEY_KIND,
    fingerprint: key.fingerprint,
    algorithm: key.algorithm,
    publicKeyArmored: key.publicKeyArmored,
    ...sealed,
    createdAt: now,
  };
  await deps.meta.createRepo(record, stored);
  await publishPublicKey(deps, name, key.publicKeyArmored);
  const empty = Object.values(FORMATS).filter((f) => f?.catalogFromStart);
  if (empty.length) await deps.queue.enqueue(empty.map((f) => ({ repo: name, format: f!.id, scope: CATALOG_SCOPE })));
  await audit(deps, actorOf(principal), name, 'repo.created', name, { visibility, signingKey: keyType, fingerprint: key.fingerprint });
  const masterToken = await issueMasterToken(deps, principal, name, 'default');
  return { ...record, masterToken };
}

/** `/{owner}/{repo}/gpgkey` (armored) and `gpgkey.gpg` (binary keyring); idempotent, rebuilds repeat it. */
export async function publishPublicKey(deps: Pick<AppDeps, 'packages'>, repo: string, armored: string): Promise<void> {
  const cacheControl = 'max-age=300';
  await deps.packages.put(`${repo}/gpgkey`, armored, { contentType: 'application/pgp-keys', cacheControl });
  await deps.packages.put(`${repo}/gpgkey.gpg`, dearmorPublicKey(armored), { contentType: 'application/octet-stream', cacheControl });
}

export async function getRepo(deps: AppDeps, principal: Principal, nameInput: string): Promise<RepoRecord> {
  const { name } = parseRepoName(nameInput);
  requirePermission(deps, principal, name, 'read');
  return loadRepo(deps, name);
}

export async function loadRepo(deps: Pick<AppDeps, 'meta'>, name: string): Promise<RepoRecord> {
  const repo = await deps.meta.getRepo(name);
  if (!repo) throw notFound(Codes.REPO_NOT_FOUND, `repository ${name} does not exist`);
  return repo;
}

export async function listRepos(deps: AppDeps, principal: Principal): Promise<RepoRecord[]> {
  const all = await deps.meta.listRepos();
  const now = deps.clock.now();
  if (principal.admin) return all;
  const visible: RepoRecord[] = [];
  for (const r of all) if (allows(await withRepoAccess(deps, principal, r.name), r.name, 'read', now)) visible.push(r);
  return visible;
}

export async function deleteRepo(deps: AppDeps, principal: Principal, nameInput: string, force: boolean): Promise<void> {
  const { name } = parseRepoName(nameInput);
  requirePermission(deps, principal, name, 'admin');
  const repo = await loadRepo(deps, name);
  if (repo.packageCount > 0 && !force) {
    throw conflict(Codes.REPO_NOT_EMPTY, `repository ${name} holds ${repo.packageCount} package(s); delete with force=true to remove them too`);
  }
  // Files first: a failure leaves metadata in place, so the delete can simply be retried.
  for (const blob of await deps.packages.list(`${name}/`)) await deps.packages.delete(blob.key);
  await deps.meta.deleteRepo(name);
  await audit(deps, actorOf(principal), name, 'repo.deleted', name, { packages: repo.packageCount, force });
}

export async function updateRepo(deps: AppDeps, principal: Principal, nameInput: string, input: CreateRepoInput): Promise<RepoRecord> {
  const { name } = parseRepoName(nameInput);
  requirePermission(deps, principal, name, 'admin');
  const changes: Partial<Pick<RepoRecord, 'visibility' | 'description'>> = {};
  if (input.visibility !== undefined) {
    if (input.visibility !== 'public' && input.visibility !== 'private') {
      throw badRequest(Codes.INVALID_REQUEST, 'visibility must be "public" or "private"');
    }
    changes.visibility = input.visibility;
  }
  if (input.description !== undefined) changes.description = String(input.description).slice(0, 500);
  await loadRepo(deps, name);
  const updated = await deps.meta.updateRepo(name, changes);
  await audit(deps, actorOf(principal), name, 'repo.updated', name, { ...changes });
  return updated;
}
