import type { Distribution } from '../domain/distribution';
import type { FileHashes } from '../domain/package';

/** Every format Packyard serves. Only those in the registry (registry.ts) are accepted today. */
export type FormatId = 'deb' | 'rpm' | 'apk' | 'npm' | 'pypi' | 'maven' | 'gem' | 'helm' | 'nuget' | 'cargo' | 'file';

/** What a format's parser extracts and validates from an uploaded file. */
export interface ParsedPackage {
  name: string;
  version: string;
  /** Architecture or platform; '' where the format has none. */
  arch: string;
  /** Fields shown by the API and used to render the fragment (e.g. the Debian control paragraph). */
  metadata: Record<string, string>;
  /** Format-private text needed to render the fragment (e.g. the control paragraph verbatim). */
  control?: string;
  /** Format-private bytes taken from the file for its companions (a wheel's METADATA, a .nupkg's .nuspec). */
  extras?: Record<string, Uint8Array>;
}

export interface ParseContext {
  /** The name the client gave the file; informative only, except for generic files where it is the identity. */
  filename?: string;
  /** Name and version the client declared (generic files: `--name`/`--version`); formats with metadata ignore it. */
  declared?: { name?: string; version?: string };
}

/** The stored file a fragment describes. */
export interface StoredFile {
  /** Key in the packages bucket. */
  blobKey: string;
  size: number;
  hashes: FileHashes;
}

/** One package as the rebuild sees it: only what the index needs, never the file. */
export interface IndexMember {
  name: string;
  version: string;
  arch: string;
  fragment: string;
  /** When the package was accepted (ISO 8601), for indexes that list it (generic files' index.json). */
  uploadedAt?: string;
  /** Set when the version was yanked (npm unpublish, PyPI yank, gem yank, cargo yank, NuGet unlist). */
  yanked?: YankState;
  /** npm's deprecation message. */
  deprecated?: string;
}

export interface YankState {
  /** ISO 8601 */
  at: string;
  reason?: string;
}

/**
 * The scope of a format's repository-wide indexes (PyPI's project list, RubyGems' /versions, Helm's
 * index.yaml): a format with `catalog` set renders them from every member of the format when asked for it.
 */
export const CATALOG_SCOPE = '*';

export interface RenderInput {
  /** `owner/repo` */
  repo: string;
  /** The scope being rendered (for OS formats, `distro/release`; for others, e.g. a package name). */
  scope: string;
  /** Set when the scope is a distribution (`debian/bookworm`); see requireDistribution. */
  distribution?: Distribution;
  members: IndexMember[];
  /** Signing time; also the index date. */
  now: Date;
  /** Base URL clients read from, without a trailing slash, for formats whose indexes carry absolute URLs. */
  baseUrl?: string;
  /** Mutable state of the scope kept beside its members (npm's dist-tags). */
  attributes?: Record<string, string>;
}

/** The distribution of a render input, for formats whose scopes are distributions. */
export function requireDistribution(input: RenderInput): Distribution {
  if (!input.distribution) throw new Error(`scope ${input.scope} is not a distribution`);
  return input.distribution;
}

/** The base URL of a render input, for formats whose indexes carry absolute URLs (npm, Helm, NuGet). */
export function requireBaseUrl(input: RenderInput): string {
  if (!input.baseUrl) throw new Error(`rendering ${input.scope} needs the public base URL`);
  return input.baseUrl.replace(/\/+$/, '');
}

/** A file the rebuild publishes, keyed absolutely in the packages bucket. */
export interface PublishedFile {
  key: string;
  body: Uint8Array;
  contentType: string;
  /** Overrides the rebuild's default (a year for content-addressed files, a minute for indexes). */
  cacheControl?: string;
}

/**
 * For indexes a client keeps in its own cache and must see change at once (npm honours max-age even after
 * `npm dist-tag add`): the client revalidates every time (ETag, 304), the CDN keeps it a minute and is
 * invalidated on publish anyway.
 */
export const CACHE_REVALIDATE = 'max-age=0, s-maxage=60, must-revalidate';

export interface RenderedIndex {
  /** Content files, written first (by-hash copies included); safe to write in any order. */
  content: PublishedFile[];
  /** Top-level files written last, in this order (e.g. Release, Release.gpg, InRelease). */
  top: PublishedFile[];
  /** Key prefixes holding content-addressed files that are kept for a grace period, then pruned. */
  byHashPrefixes: string[];
}

/** Signs with the repository's key. The private key lives only inside the implementation, in memory. */
export interface Signer {
  /** OpenPGP cleartext signature of `text` (InRelease). */
  clearsign(text: string): Promise<string>;
  /** Armored detached OpenPGP signature (Release.gpg, repomd.xml.asc). */
  detachSign(data: Uint8Array): Promise<string>;
  /** The repository's Alpine RSA key, present when rendering apk indexes. */
  apk?: {
    /** File name stem of the public key (`{keyName}.rsa.pub`), as apk looks it up in /etc/apk/keys. */
    keyName: string;
    /** RSA PKCS#1 v1.5 signature over the SHA-1 of `data`. */
    sign(data: Uint8Array): Promise<Uint8Array>;
  };
}

/**
 * A format plug-in. Pure: no I/O, no AWS SDK. Parsing validates everything a client could get wrong and
 * throws PackyardError with a format-prefixed code.
 */
export interface Format {
  readonly id: FormatId;
  /** Human name used in messages ("Debian package"). */
  readonly label: string;
  /** Does this format serve the distribution (`debian/bookworm` yes for deb, `el/9` no)? */
  servesDistribution(d: Distribution): boolean;
  /** Cheap check on the first bytes (magic numbers). */
  detect(head: Uint8Array): boolean;
  /**
   * Weaker than detect: the file is at least this format's container (ar, gzip...). When nothing detects a
   * file pushed to this format, a claimed one is parsed, so a damaged package gets the format's own error
   * (APK_CORRUPT, DEB_TRUNCATED) instead of UNKNOWN_FORMAT.
   */
  claims?(head: Uint8Array): boolean;
  parse(bytes: Uint8Array, ctx: ParseContext): Promise<ParsedPackage>;
  /** The index scope a package lands in; packages of one scope are rebuilt together. */
  scope(d: Distribution, pkg: ParsedPackage): string;
  /** Canonical file name, derived from the metadata. */
  filename(pkg: ParsedPackage): string;
  /** Where the accepted file lives in the packages bucket. */
  blobKey(repo: string, d: Distribution, pkg: ParsedPackage): string;
  /** Index fragment rendered once at ingest time. */
  fragment(repo: string, d: Distribution, pkg: ParsedPackage, file: StoredFile): string;
  /**
   * Immutable files derived from the package and published beside it at ingest (a wheel's `.metadata`,
   * Maven's checksum sidecars, a gem's quick gemspec); written after the file, before the record.
   */
  companions?(repo: string, d: Distribution, pkg: ParsedPackage, file: StoredFile): PublishedFile[];
  /** Set when the format has repository-wide indexes, rendered for CATALOG_SCOPE from every member. */
  readonly catalog?: boolean;
  /**
   * Set when clients need the catalog before anything is published (`helm repo add` and `helm cm-push` read
   * index.yaml first): it is rendered, empty, when the repository is created.
   */
  readonly catalogFromStart?: boolean;
  /** Render every index file of one scope. */
  render(input: RenderInput, signer: Signer): Promise<RenderedIndex>;
}
