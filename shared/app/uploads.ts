import { randomBytes } from 'node:crypto';
import { INCOMING_PREFIX, LIMITS } from '../config';
import { distributionName, parseDistribution } from '../domain/distribution';
import { badRequest, Codes, isPackyardError, notFound } from '../domain/errors';
import { parseRepoName } from '../domain/repo';
import type { UploadRecord } from '../domain/upload';
import { formatForDistribution } from '../formats/registry';
import type { Principal } from './auth';
import { requirePermission } from './auth';
import type { AppDeps } from './deps';
import { audit } from './audit';
import { ingestPackage } from './ingest';
import { loadRepo } from './repos';

export interface UploadRequestInput {
  filename?: unknown;
  size?: unknown;
  sha256?: unknown;
  distribution?: unknown;
  /** Declared package name and version (generic files). */
  name?: unknown;
  version?: unknown;
}

export type UploadTicket =
  | { uploadId: string; method: 'PUT'; url: string; headers: Record<string, string>; expiresAt: string }
  | {
      uploadId: string;
      multipart: { partSize: number; parts: { partNumber: number; url: string }[] };
      expiresAt: string;
    };

/** A presigned target for one file, bound to its size and sha256. */
export async function requestUpload(deps: AppDeps, principal: Principal, repoName: string, input: UploadRequestInput): Promise<UploadTicket> {
  const { name } = parseRepoName(repoName);
  requirePermission(deps, principal, name, 'push');
  await loadRepo(deps, name);
  const dist = parseDistribution(input.distribution);
  formatForDistribution(dist);
  const size = input.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) {
    throw badRequest(Codes.INVALID_REQUEST, 'size must be the file size in bytes, a positive integer');
  }
  if (size > LIMITS.maxUploadBytes) throw badRequest(Codes.FILE_TOO_LARGE, `files are limited to ${LIMITS.maxUploadBytes} bytes`);
  const sha256 = typeof input.sha256 === 'string' ? input.sha256.toLowerCase() : '';
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw badRequest(Codes.INVALID_REQUEST, 'sha256 must be the hex SHA-256 of the file');
  const filename = typeof input.filename === 'string' ? input.filename.slice(0, 255) : '';
  if (!filename) throw badRequest(Codes.INVALID_REQUEST, 'filename is required');
  const declared = { name: optionalText(input.name, 'name'), version: optionalText(input.version, 'version') };

  const now = deps.clock.now();
  const id = 'upl_' + randomBytes(12).toString('base64url');
  const incomingKey = INCOMING_PREFIX + id;
  const expiresAt = new Date(now.getTime() + LIMITS.presignSeconds * 1000).toISOString();
  const record: UploadRecord = {
    id,
    repo: name,
    filename,
    size,
    sha256,
    distribution: distributionName(dist),
    ...(declared.name !== undefined ? { name: declared.name } : {}),
    ...(declared.version !== undefined ? { version: declared.version } : {}),
    incomingKey,
    status: 'pending',
    createdAt: now.toISOString(),
    createdBy: principal.user,
    ...(principal.sourceIp ? { sourceIp: principal.sourceIp } : {}),
    expiresAt: Math.floor(now.getTime() / 1000) + LIMITS.uploadRetentionSeconds,
  };

  if (size > LIMITS.multipartThresholdBytes) {
    const s3UploadId = await deps.incoming.createMultipart(incomingKey, 'application/octet-stream');
    await deps.meta.putUpload({ ...record, multipartUploadId: s3UploadId });
    const partSize = LIMITS.multipartPartBytes;
    const count = Math.ceil(size / partSize);
    const parts = [];
    for (let n = 1; n <= count; n++) {
      parts.push({ partNumber: n, url: await deps.incoming.presignPart(incomingKey, s3UploadId, n, LIMITS.presignSeconds) });
    }
    return { uploadId: id, multipart: { partSize, parts }, expiresAt };
  }
  await deps.meta.putUpload(record);
  const put = await deps.incoming.presignPut(incomingKey, { size, sha256Hex: sha256, expiresInSeconds: LIMITS.presignSeconds });
  return { uploadId: id, method: 'PUT', url: put.url, headers: put.headers, expiresAt };
}

export async function completeUpload(
  deps: AppDeps,
  principal: Principal,
  repoName: string,
  id: string,
  input: { parts?: unknown },
): Promise<UploadRecord> {
  const upload = await loadUpload(deps, principal, repoName, id, 'push');
  if (!upload.multipartUploadId) throw badRequest(Codes.INVALID_REQUEST, 'this upload is not a multipart upload');
  const parts = Array.isArray(input.parts) ? input.parts : [];
  const clean = parts.map((p: { partNumber?: unknown; etag?: unknown }) => {
    if (typeof p?.partNumber !== 'number' || typeof p?.etag !== 'string') {
      throw badRequest(Codes.INVALID_REQUEST, 'parts must be [{"partNumber": n, "etag": "..."}]');
    }
    return { partNumber: p.partNumber, etag: p.etag };
  });
  if (clean.length === 0) throw badRequest(Codes.INVALID_REQUEST, 'parts must not be empty');
  await deps.incoming.completeMultipart(upload.incomingKey, upload.multipartUploadId, clean);
  return upload;
}

export async function getUploadStatus(deps: AppDeps, principal: Principal, repoName: string, id: string): Promise<UploadRecord> {
  return loadUpload(deps, principal, repoName, id, 'read');
}

async function loadUpload(deps: AppDeps, principal: Principal, repoName: string, id: string, perm: 'read' | 'push'): Promise<UploadRecord> {
  const { name } = parseRepoName(repoName);
  requirePermission(deps, principal, name, perm);
  const upload = await deps.meta.getUpload(name, id);
  if (!upload) throw notFound(Codes.UPLOAD_NOT_FOUND, `upload ${id} does not exist in ${name}`);
  return upload;
}

/**
 * Runs when an object lands in incoming/: validates and ingests it, records the verdict, and deletes the
 * object. A rejection is an answer, not a failure; only unexpected errors propagate (and are retried).
 */
export async function processUpload(deps: AppDeps, incomingKey: string): Promise<UploadRecord | undefined> {
  if (!incomingKey.startsWith(INCOMING_PREFIX)) return undefined;
  const id = incomingKey.slice(INCOMING_PREFIX.length);
  const upload = await deps.meta.findUpload(id);
  // Unknown keys are not ours to keep; S3 may deliver an event twice, so a decided upload is left alone.
  if (!upload) {
    await deps.incoming.delete(incomingKey);
    return undefined;
  }
  if (upload.status !== 'pending') return upload;
  let result: UploadRecord;
  try {
    const bytes = await deps.incoming.getBytes(incomingKey);
    const pkg = await ingestPackage(deps, {
      repo: upload.repo,
      distribution: upload.distribution,
      bytes,
      filename: upload.filename,
      declared: { name: upload.name, version: upload.version },
      actor: upload.createdBy,
      sourceIp: upload.sourceIp,
      expected: { size: upload.size, sha256: upload.sha256 },
      upload,
    });
    const { fragment: _f, ...summary } = pkg;
    result = { ...upload, status: 'accepted', package: summary };
  } catch (e) {
    if (!isPackyardError(e) || !e.expose) throw e;
    result = { ...upload, status: 'rejected', error: { code: e.code, message: e.message } };
    await deps.meta.putUpload(result);
    await audit(deps, { user: upload.createdBy, sourceIp: upload.sourceIp }, upload.repo, 'package.rejected', upload.id, {
      filename: upload.filename,
      code: e.code,
    });
  }
  await deps.incoming.delete(incomingKey);
  return result;
}

/** An optional short string field; the format validates its content. */
function optionalText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 200) throw badRequest(Codes.INVALID_REQUEST, `${field} must be a string of at most 200 characters`);
  return value;
}
