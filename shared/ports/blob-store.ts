import type { Readable } from 'node:stream';

export interface PutOptions {
  contentType: string;
  cacheControl?: string;
  /** Refuse to replace an existing object (S3 `If-None-Match: *`); throws BlobExistsError. */
  ifNoneMatch?: boolean;
  metadata?: Record<string, string>;
}

export interface BlobInfo {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
  contentType?: string;
  cacheControl?: string;
}

export interface BlobObject extends BlobInfo {
  body: Readable;
  /** Set when a range was asked for and served. */
  contentRange?: string;
}

export interface PresignedPut {
  url: string;
  /** Headers the client must send with the PUT (they are part of the signature). */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface ListedBlob {
  key: string;
  size: number;
  lastModified: Date;
}

/** An object store bucket. Keys never start with '/'. */
export interface BlobStore {
  put(key: string, body: Uint8Array | string, opts: PutOptions): Promise<void>;
  /** The whole object in memory; throws PackyardError BLOB_NOT_FOUND (404) when absent. */
  getBytes(key: string): Promise<Uint8Array>;
  /** A stream, optionally a byte range (`bytes=0-99`); undefined when absent. */
  getStream(key: string, range?: string): Promise<BlobObject | undefined>;
  head(key: string): Promise<BlobInfo | undefined>;
  delete(key: string): Promise<void>;
  copy(fromKey: string, toKey: string, opts: PutOptions): Promise<void>;
  list(prefix: string): Promise<ListedBlob[]>;
  presignPut(key: string, opts: { size: number; sha256Hex: string; expiresInSeconds: number; contentType?: string }): Promise<PresignedPut>;
  /** Multipart upload for large files: returns the S3 upload id. */
  createMultipart(key: string, contentType: string): Promise<string>;
  presignPart(key: string, uploadId: string, partNumber: number, expiresInSeconds: number): Promise<string>;
  completeMultipart(key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void>;
}

export class BlobExistsError extends Error {
  constructor(readonly key: string) {
    super(`object ${key} already exists`);
    this.name = 'BlobExistsError';
  }
}
