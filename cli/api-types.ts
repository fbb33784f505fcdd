import type { PackageSummary } from '../shared/domain/package';
import type { RepoRecord } from '../shared/domain/repo';
import type { Permission, TokenRecord } from '../shared/domain/token';

/** The answers of the management API as the CLI reads them (see the API routes in functions/api). */

export type UploadTicket =
  | { uploadId: string; method: 'PUT'; url: string; headers: Record<string, string>; expiresAt: string }
  | { uploadId: string; multipart: { partSize: number; parts: { partNumber: number; url: string }[] }; expiresAt: string };

export interface UploadRequest {
  filename: string;
  size: number;
  sha256: string;
  distribution: string;
  /** Declared package name and version (generic files). */
  name?: string;
  version?: string;
}

export interface ErrorBody {
  code: string;
  message: string;
}

export type PackageView = Partial<PackageSummary> & Pick<PackageSummary, 'name' | 'version'>;

export interface UploadStatusBody {
  id: string;
  status: 'pending' | 'accepted' | 'rejected';
  distribution?: string;
  package?: PackageView;
  error?: ErrorBody;
}

export type RepoView = Partial<RepoRecord> & Pick<RepoRecord, 'name' | 'visibility'>;

export type TokenView = Partial<Omit<TokenRecord, 'hash'>> & Pick<TokenRecord, 'id' | 'name'>;

export interface CreateTokenBody {
  name: string;
  grants: Record<string, Permission[]>;
  admin: boolean;
  expiresAt?: string;
}
