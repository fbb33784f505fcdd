import type { Distribution } from '../domain/distribution';
import { distributionName, parseDistribution } from '../domain/distribution';
import { badRequest, Codes, conflict, tooLarge, unsupported } from '../domain/errors';
import { fileHashes } from '../domain/hashes';
import { CACHE_IMMUTABLE, packageId, type PackageRecord } from '../domain/package';
import type { UploadRecord } from '../domain/upload';
import { LIMITS } from '../config';
import { CATALOG_SCOPE, type Format } from '../formats/format';
import { detectFormat, formatForDistribution } from '../formats/registry';
import type { RebuildRequest } from '../ports/rebuild-queue';
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
  if (format.id !== 'file') checkFormat(format, bytes.subarray(0, 1024), dist);
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

  // Companions derive from the accepted bytes alone, so rewriting one after an interrupted ingest is harmless.
  const stored = { blobKey, size: bytes.length, hashes };
  for (const c of format.companions?.(repo.name, dist, parsed, stored) ?? []) {
    await deps.packages.put(c.key, c.body, { contentType: c.contentType, cacheControl: CACHE_IMMUTABLE });
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
    fragment: format.fragment(repo.name, dist, parsed, stored),
    metadata: parsed.metadata,
    uploadedAt: deps.clock.now().toISOString(),
    uploadedBy: input.actor,
  };
  const { fragment: _f, ...summary } = record;
  await deps.meta.commitPackage(record, input.upload ? { ...input.upload, status: 'accepted', package: summary } : undefined);
  await deps.queue.enqueue(rebuildRequests(repo.name, format, scope));
  await audit(deps, { user: input.actor, sourceIp: input.sourceIp }, repo.name, 'package.accepted', id, {
    name: record.name,
    version: record.version,
    arch: record.arch,
    distribution: record.distribution,
    sha256: hashes.sha256,
  });
  return record;
}

/**
 * The format's own magic wins; then a file another format recognises by its magic is refused as that format
 * (unless the target's container claims it: gzip'd tarballs look alike); then a file in the target's
 * container is parsed so a damaged package gets the format's own error.
 */
function checkFormat(format: Format, head: Uint8Array, dist: Distribution): void {
  if (format.detect(head)) return;
  const claimed = format.claims?.(head) ?? false;
  const other = detectFormat(head);
  if (other && other.id !== format.id && !claimed) {
    throw badRequest(Codes.FORMAT_MISMATCH, `a ${other.label} cannot be added to ${distributionName(dist)}, which takes a ${format.label}`);
  }
  if (!claimed) {
    throw unsupported(Codes.UNKNOWN_FORMAT, `the file is not a package Packyard recognises (expected a ${format.label} for ${distributionName(dist)})`);
  }
}

/** The scope a package landed in, and its format's repository-wide indexes when it has them. */
export function rebuildRequests(repo: string, format: Format, scope: string): RebuildRequest[] {
  const requests = [{ repo, format: format.id, scope }];
  if (format.catalog && scope !== CATALOG_SCOPE) requests.push({ repo, format: format.id, scope: CATALOG_SCOPE });
  return requests;
}
