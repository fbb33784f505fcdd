/**
 * The key-value store the viewer-request function reads (CloudFront KeyValueStore in AWS). Locally the edge
 * check reads the table directly, so nothing writes to one there.
 */
export interface EdgeStore {
  /** Creates or replaces the entry. */
  put(key: string, value: string): Promise<void>;
  /** Removes the entry; removing an absent key is not an error. */
  delete(key: string): Promise<void>;
}
