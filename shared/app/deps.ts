import type { BlobStore } from '../ports/blob-store';
import type { CdnCache } from '../ports/cdn-cache';
import type { Clock } from '../ports/clock';
import type { JwksSource } from '../ports/jwks-source';
import type { KeyWrapper } from '../ports/key-wrapper';
import type { MetadataStore } from '../ports/metadata-store';
import type { RebuildQueue } from '../ports/rebuild-queue';

/** The ports every use case works through; AWS adapters in Lambda, emulator-backed ones locally. */
export interface AppDeps {
  meta: MetadataStore;
  /** Accepted files and published indexes. */
  packages: BlobStore;
  /** Presigned upload targets, processed then deleted. */
  incoming: BlobStore;
  keys: KeyWrapper;
  queue: RebuildQueue;
  clock: Clock;
  /** OIDC issuers' signing keys, for the CI token exchange. */
  jwks: JwksSource;
  /** Base URL clients read from, without a trailing slash. */
  publicBaseUrl: string;
  /** The CDN in front of the packages bucket, where there is one (not locally). */
  cdn?: CdnCache;
}
