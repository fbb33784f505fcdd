import type { PackageRecord } from '../domain/package';
import type { RepoRecord } from '../domain/repo';
import type { TokenRecord } from '../domain/token';
import type { UploadRecord } from '../domain/upload';

/** A private signing key, stored only wrapped (envelope-encrypted with a KeyWrapper data key). */
export interface StoredSigningKey {
  repo: string;
  /** 'openpgp' today; 'apk-rsa' for Alpine later. */
  kind: string;
  fingerprint: string;
  algorithm: string;
  publicKeyArmored: string;
  /** The data key as wrapped by the KeyWrapper (KMS ciphertext blob), base64. */
  wrappedDataKey: string;
  /** AES-256-GCM of the armored private key: iv, tag and ciphertext, base64. */
  iv: string;
  tag: string;
  ciphertext: string;
  createdAt: string;
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
   * Records an accepted package in one transaction: the package item (PACKAGE_EXISTS, 409, if its
   * identity is taken), the repository's package count, and the upload's status when given.
   */
  commitPackage(pkg: PackageRecord, upload?: UploadRecord): Promise<void>;
  getPackage(repo: string, id: string): Promise<PackageRecord | undefined>;
  listPackages(repo: string, opts?: { format?: string; cursor?: string; limit?: number }): Promise<Page<PackageRecord>>;
  /** Every member of one index scope, fragments included. */
  listScope(repo: string, format: string, scope: string): Promise<PackageRecord[]>;

  putUpload(upload: UploadRecord): Promise<void>;
  getUpload(repo: string, id: string): Promise<UploadRecord | undefined>;
  /** Looks an upload up by id alone (process-upload only knows the object key). */
  findUpload(id: string): Promise<UploadRecord | undefined>;

  putToken(token: TokenRecord): Promise<void>;
  getTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  listTokens(user?: string): Promise<TokenRecord[]>;
  revokeToken(id: string): Promise<void>;

  getScopeState(repo: string, format: string, scope: string): Promise<ScopeState | undefined>;
  putScopeState(state: ScopeState): Promise<void>;
}
