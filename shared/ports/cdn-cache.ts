/** The CDN's cache of published files (CloudFront in AWS; there is none locally). */
export interface CdnCache {
  /**
   * Drops cached copies of these files so the next read goes to the origin. Paths are object keys as the
   * BlobStore writes them (no leading '/'). An adapter may drop more than it is asked to, never less.
   */
  invalidate(paths: string[]): Promise<void>;
}
