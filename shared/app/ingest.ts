import type { Distribution } from '../domain/distribution';
import { distributionName, parseDistribution } from '../domain/distribution';
import { badRequest, Codes, conflict, tooLarge, unsupported } from '../domain/errors';
import { fileHashes } from '../domain/hashes';
import { CACHE_IMMUTABLE, packageId, type PackageRecord } from '../domain/package';
import type { UploadRecord } from '../domain/upload';
import { LIMITS } from '../config';
import { detectFormat, formatForDistribution } from '../formats/registry';
import { BlobExistsError } from '../ports/blob-store';
import { ensureApkKey } from './apk-key';
import type { AppDeps } from './deps';
import { audit } from './audit';
import { loadRepo } from './repos';

export interface IngestInput {
  /** `owner/repo`, already authorised for push. */
  repo: string;
  distribution: string | Distribution;
  bytes: Uint8Array;
  /** The client's file name: informative only, except for generic files, whose identity includes it. */
  filename?: string;
  /** Name and version the client declared (generic files). */
  declared?: { name?: string; version?: string };
  actor: string;
  /** Where the upload came from, for the audit log. */
  sourceIp?: string;
  /** What the upload request promised; the bytes must match it. */
  expected?: { size: number; sha256: string };
  /** Set when the bytes came through the presigned path: its status is committed with the package. */
  upload?: UploadRecord;
}

/**
 * Validates a package file and records it: nothing touches an index or the pool until the file has passed
 * every check, pool objects are never replaced, and the record is one conditional transaction.
 */
export async function ingestPackage(deps: AppDeps, input: IngestInput): Promise<PackageRecord> {
  const repo = await loadRepo(deps, input.repo);
  const dist = typeof input.distribution === 'string' ? parseDistribution(input.distribution) : input.distribution;
  const format = formatForDistribution(dist);
  const { bytes } = input;
  if (bytes.length === 0) throw badRequest(Codes.EMPTY_FILE, 'the file is empty');
  if (bytes.length > LIMITS.maxUploadBytes) throw tooLarge(Codes.FILE_TOO_LARGE, `the file exceeds ${LIMITS.maxUploadBytes} bytes`);
  const hashes = fileHashes(bytes);
  if (input.expected) {
    if (input.expected.size !== bytes.length) {
      throw badRequest(Codes.SIZE_MISMATCH, `received ${bytes.length} bytes but the upload declared ${input.expected.size}`);
    }
    if (input.expected.sha256.toLowerCase() !== hashes.sha256) {
      throw badRequest(Codes.CHECKSUM_MISMATCH, `the file's sha256 is ${hashes.sha256}, the upload declared ${input.expected.sha256}`);
    }
  }
  // Generic files take any bytes (a .deb pushed as a file is fine); every other target takes only its format.
  if (format.id !== 'file') {
    const head = bytes.subarray(0, 1024);
    const detected = detectFormat(head) ?? (format.claims?.(head) ? format : undefined);
    if (!detected) {
      throw unsupported(Codes.UNKNOWN_FORMAT, `the file is not a package Packyard recognises (expected a ${format.label} for ${distributionName(dist)})`);
    }
    if (detected.id !== format.id) {
      throw badRequest(Codes.FORMAT_MISMATCH, `a ${detected.label} cannot be added to ${distributionName(dist)}, which takes a ${format.label}`);
    }
  }
  const parsed = await format.parse(bytes, { filename: input.filename, declared: input.declared });
  const scope = format.scope(dist, parsed);
  const id = packageId(format.id, scope, parsed.name, parsed.version, parsed.arch);
  const identity = `${parsed.name} ${parsed.version} ${parsed.arch}`.trim();
  // Fail fast before writing anything; commitPackage's condition is the real guard against races.
  if (await deps.meta.getPackage(repo.name, id)) {
    throw conflict(Codes.PACKAGE_EXISTS, `${identity} already exists in ${repo.name} ${scope}`, { id });
  }
  // The index of an Alpine branch is signed with a per-repository RSA key, made on the first valid upload.
  if (format.id === 'apk') await ensureApkKey(deps, repo.name);

  const blobKey = format.blobKey(repo.name, dist, parsed);
  try {
    await deps.packages.put(blobKey, bytes, { contentType: 'application/octet-stream', cacheControl: CACHE_IMMUTABLE, ifNoneMatch: true });
  } catch (e) {
    if (!(e instanceof BlobExistsError)) throw e;
    // Identical bytes left by an interrupted ingest are reused; different bytes never replace a pool file.
    const existing = fileHashes(await deps.packages.getBytes(blobKey));
    if (existing.sha256 !== hashes.sha256) {
      throw conflict(Codes.PACKAGE_EXISTS, `${blobKey} already exists with different content`, { id });
    }
  }

  const record: PackageRecord = {
    id,
    repo: repo.name,
    format: format.id,
    distribution: distributionName(dist),
    scope,
    name: parsed.name,
    version: parsed.version,
    arch: parsed.arch,
    blobKey,
    filename: format.filename(parsed),
    size: bytes.length,
    hashes,
    fragment: format.fragment(repo.name, dist, parsed, { blobKey, size: bytes.length, hashes }),
    metadata: parsed.metadata,
    uploadedAt: deps.clock.now().toISOString(),
    uploadedBy: input.actor,
  };
  const { fragment: _f, ...summary } = record;
  await deps.meta.commitPackage(record, input.upload ? { ...input.upload, status: 'accepted', package: summary } : undefined);
  await deps.queue.enqueue([{ repo: repo.name, format: format.id, scope }]);
  await audit(deps, { user: input.actor, sourceIp: input.sourceIp }, repo.name, 'package.accepted', id, {
    name: record.name,
    version: record.version,
    arch: record.arch,
    distribution: record.distribution,
    sha256: hashes.sha256,
  });
  return record;
}
