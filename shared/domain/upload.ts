import type { PackageSummary } from './package';

export type UploadStatus = 'pending' | 'accepted' | 'rejected';

export interface UploadRecord {
  id: string;
  repo: string;
  filename: string;
  size: number;
  sha256: string;
  distribution: string;
  /** Package name and version the client declared (generic files); the file's own metadata wins elsewhere. */
  name?: string;
  version?: string;
  /** Key of the object in the incoming bucket. */
  incomingKey: string;
  status: UploadStatus;
  createdAt: string;
  createdBy: string;
  /** Where the upload was requested from, for the audit log. */
  sourceIp?: string;
  /** Set for multipart uploads (large files). */
  multipartUploadId?: string;
  package?: PackageSummary;
  error?: { code: string; message: string };
  /** Unix seconds; DynamoDB TTL removes the record after this. */
  expiresAt: number;
}
