import type { PackageChanges, PackageRecord } from '../domain/package';
import type { RepoRecord } from '../domain/repo';
import type { AuditEvent } from '../domain/audit';
import type { CollaboratorRecord, UserRecord } from '../domain/collaborator';
import type { TrustPolicy } from '../domain/jwt';
import type { TokenRecord } from '../domain/token';
import type { UploadRecord } from '../domain/upload';

/** A private signing key, stored only wrapped (envelope-encrypted with a KeyWrapper data key). */
export interface StoredSigningKey {
  repo: string;
  /** 'openpgp' (made with the repository) or 'apk-rsa' (made on the first Alpine upload). */
  kind: string;
  fingerprint: string;
  algorithm: string;
  /** Armored OpenPGP public key, or the PEM public key for 'apk-rsa'. */
  publicKeyArmored: string;
  /** The data key as wrapped by the KeyWrapper (KMS ciphertext blob), base64. */
  wrappedDataKey: string;
  /** AES-256-GCM of the armored private key: iv, tag and ciphertext, base64. */
  iv: string;
  tag: string;
  ciphertext: string;
  createdAt: string;
  /** A rotated-out key: it keeps signing beside its successor until then (the overlap), then is ignored. */
  retiresAt?: string;
}

/** Per-scope publication state, used to keep by-hash files for a grace period. */
export interface ScopeState {
  repo: string;
  format: string;
  scope: string;
  revision: number;
  publishedAt: string;
}

export interface Page<T> {
  items: T[];
  next?: string;
}

/**
 * Everything Packyard remembers besides files. Conditional writes are the adapter's job: a create that
 * finds an existing item throws the PackyardError named in its doc comment.
 */
export interface MetadataStore {
  /** Creates the repository and its wrapped signing key together; REPO_EXISTS (409) if taken. */
  createRepo(repo: RepoRecord, key: StoredSigningKey): Promise<void>;
  getRepo(name: string): Promise<RepoRecord | undefined>;
  /** Changes visibility and/or description; REPO_NOT_FOUND (404) when absent. Returns the new record. */
  updateRepo(name: string, changes: Partial<Pick<RepoRecord, 'visibility' | 'description'>>): Promise<RepoRecord>;
  listRepos(owner?: string): Promise<RepoRecord[]>;
  /** Removes the repository and every item under it (packages, keys, uploads, scope states). */
  deleteRepo(name: string): Promise<void>;
  getSigningKey(repo: string, kind: string): Promise<StoredSigningKey | undefined>;
  /**
   * Replaces the repository's key of `current.kind`, whose fingerprint must still be `expectedFingerprint`
   * (SIGNING_KEY_CHANGED, 409, when another rotation won), and sets or removes (null) the key kept beside it
   * under `previous.kind`; the repository record's fingerprint follows. One transaction.
   */
  replaceSigningKey(current: StoredSigningKey, expectedFingerprint: string, previous: StoredSigningKey | null, previousKind: string): Promise<void>;
  /**
   * Stores a further key of a repository (the Alpine RSA key, made on first use) unless one of that kind
   * exists; returns the stored key, which is the other writer's when two raced. REPO_NOT_FOUND (404).
   */
  putSigningKey(key: StoredSigningKey): Promise<StoredSigningKey>;

  /**
   * Records an accepted package in one transaction: the package item (PACKAGE_EXISTS, 409, if its
   * identity is taken), the repository's package count, and the upload's status when given.
   */
  commitPackage(pkg: PackageRecord, upload?: UploadRecord): Promise<void>;
  getPackage(repo: string, id: string): Promise<PackageRecord | undefined>;
  listPackages(repo: string, opts?: { format?: string; cursor?: string; limit?: number }): Promise<Page<PackageRecord>>;
  /** Every member of one index scope, fragments included. */
  listScope(repo: string, format: string, scope: string): Promise<PackageRecord[]>;
  /** Every package of one format in a repository, fragments included (catalog indexes). */
  listFormat(repo: string, format: string): Promise<PackageRecord[]>;
  /** Yank/unyank, deprecate; PACKAGE_NOT_FOUND (404) when absent. Returns the new record. */
  updatePackage(repo: string, id: string, changes: PackageChanges): Promise<PackageRecord>;
  /** Mutable state of one scope beside its members (npm's dist-tags); empty when never set. */
  getAttributes(repo: string, format: string, scope: string): Promise<Record<string, string>>;
  putAttributes(repo: string, format: string, scope: string, attributes: Record<string, string>): Promise<void>;

  putUpload(upload: UploadRecord): Promise<void>;
  getUpload(repo: string, id: string): Promise<UploadRecord | undefined>;
  /** Looks an upload up by id alone (process-upload only knows the object key). */
  findUpload(id: string): Promise<UploadRecord | undefined>;

  putToken(token: TokenRecord): Promise<void>;
  getTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  /** API tokens (not master or read tokens), optionally of one user. */
  listTokens(user?: string): Promise<TokenRecord[]>;
  getTokenById(id: string): Promise<TokenRecord | undefined>;
  listMasterTokens(repo: string): Promise<TokenRecord[]>;
  listReadTokens(masterId: string): Promise<TokenRecord[]>;
  /** TOKEN_NOT_FOUND (404) when absent. */
  revokeToken(id: string): Promise<void>;

  /** Small deployment-wide settings (e.g. the wrapped edge token key); first writer wins. */
  getConfig(name: string): Promise<Record<string, string> | undefined>;
  /** Stores the value unless one exists; returns the stored value either way. */
  putConfigIfAbsent(name: string, value: Record<string, string>): Promise<Record<string, string>>;

  /** USER_EXISTS (409) if taken. */
  createUser(user: UserRecord): Promise<void>;
  getUser(name: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  putCollaborator(c: CollaboratorRecord): Promise<void>;
  getCollaborator(repo: string, user: string): Promise<CollaboratorRecord | undefined>;
  listCollaborators(repo: string): Promise<CollaboratorRecord[]>;
  /** COLLABORATOR_NOT_FOUND (404) when absent. */
  deleteCollaborator(repo: string, user: string): Promise<void>;

  appendAudit(event: AuditEvent): Promise<void>;
  /** Newest first. */
  listAudit(repo: string, opts?: { cursor?: string; limit?: number }): Promise<Page<AuditEvent>>;

  /** OIDC trust policies live under their repository (deleteRepo removes them); REPO_NOT_FOUND (404) if it is gone. */
  putTrustPolicy(policy: TrustPolicy): Promise<void>;
  listTrustPolicies(repo: string): Promise<TrustPolicy[]>;
  /** OIDC_POLICY_NOT_FOUND (404) when absent. */
  deleteTrustPolicy(repo: string, id: string): Promise<void>;

  getScopeState(repo: string, format: string, scope: string): Promise<ScopeState | undefined>;
  /** Every scope of the repository that was ever published. */
  listScopeStates(repo: string): Promise<ScopeState[]>;
  putScopeState(state: ScopeState): Promise<void>;
}
