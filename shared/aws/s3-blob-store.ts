import type { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { badRequest, Codes, notFound, PackyardError } from '../domain/errors';
import {
  BlobExistsError,
  type BlobInfo,
  type BlobObject,
  type BlobStore,
  type ListedBlob,
  type PresignedPut,
  type PutOptions,
} from '../ports/blob-store';
import { sdkErrorName, sdkStatus, unexpectedSdkError } from './sdk-error';

export interface S3BlobStoreOptions {
  /**
   * Sign upload URLs for this endpoint instead of the client's (locally, the server at `.../_s3` that checks
   * the signature itself and forwards to s3rver, which checks none).
   */
  presignEndpoint?: string;
  /** ListObjectsV2 page size; S3's maximum by default, smaller in tests to exercise paging. */
  listPageSize?: number;
}

const isMissing = (e: unknown) => ['NoSuchKey', 'NotFound'].includes(sdkErrorName(e) ?? '') || sdkStatus(e) === 404;
const isPreconditionFailed = (e: unknown) => sdkErrorName(e) === 'PreconditionFailed' || sdkStatus(e) === 412;

/**
 * CopySource is URL-decoded by S3, where a raw '+' means a space and '?' starts a version id. Reserved
 * characters such as '@' stay raw: S3 takes them as they are, and s3rver (decodeURI) would not decode them.
 */
const copySource = (bucket: string, key: string) => encodeURI(`${bucket}/${key}`).replace(/[+?#]/g, (c) => encodeURIComponent(c));

export const blobNotFound = (key: string) => notFound('BLOB_NOT_FOUND', `object ${key} does not exist`);

export class S3BlobStore implements BlobStore {
  private readonly presigner: S3Client;
  private readonly listPageSize: number;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    opts: S3BlobStoreOptions = {},
  ) {
    this.listPageSize = opts.listPageSize ?? 1000;
    // A client of its own: with the SDK's default (WHEN_SUPPORTED) a presigned part URL carries the CRC32 of
    // an empty body, which S3 then enforces against the real part.
    this.presigner = new S3Client({
      region: client.config.region,
      credentials: client.config.credentials,
      endpoint: opts.presignEndpoint ?? client.config.endpoint,
      forcePathStyle: opts.presignEndpoint ? true : client.config.forcePathStyle,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, body: Uint8Array | string, opts: PutOptions): Promise<void> {
    // Real S3 enforces If-None-Match (412); s3rver ignores it, so a HEAD first gives the same answer there.
    // Only the header closes the race between two writers in AWS.
    if (opts.ifNoneMatch && (await this.head(key))) throw new BlobExistsError(key);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: opts.contentType,
          CacheControl: opts.cacheControl,
          Metadata: opts.metadata,
          IfNoneMatch: opts.ifNoneMatch ? '*' : undefined,
        }),
      );
    } catch (e) {
      if (opts.ifNoneMatch && isPreconditionFailed(e)) throw new BlobExistsError(key);
      throw unexpectedSdkError('S3', `PutObject ${key}`, e);
    }
  }

  async getBytes(key: string): Promise<Uint8Array> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) throw blobNotFound(key);
      return await out.Body.transformToByteArray();
    } catch (e) {
      if (isMissing(e)) throw blobNotFound(key);
      throw unexpectedSdkError('S3', `GetObject ${key}`, e);
    }
  }

  /** `size` is the length of the body served: the range's length when a range was served. */
  async getStream(key: string, range?: string): Promise<BlobObject | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range }));
      if (!out.Body) return undefined;
      return {
        key,
        body: out.Body as Readable,
        size: out.ContentLength ?? 0,
        etag: out.ETag ?? '',
        lastModified: out.LastModified ?? new Date(0),
        contentType: out.ContentType,
        cacheControl: out.CacheControl,
        contentRange: out.ContentRange,
      };
    } catch (e) {
      if (isMissing(e)) return undefined;
      if (sdkErrorName(e) === 'InvalidRange' || sdkStatus(e) === 416) {
        throw new PackyardError(416, 'RANGE_NOT_SATISFIABLE', `range ${range} is outside ${key}`);
      }
      throw unexpectedSdkError('S3', `GetObject ${key}`, e);
    }
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        key,
        size: out.ContentLength ?? 0,
        etag: out.ETag ?? '',
        lastModified: out.LastModified ?? new Date(0),
        contentType: out.ContentType,
        cacheControl: out.CacheControl,
      };
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw unexpectedSdkError('S3', `HeadObject ${key}`, e);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (e) {
      throw unexpectedSdkError('S3', `DeleteObject ${key}`, e);
    }
  }

  async copy(fromKey: string, toKey: string, opts: PutOptions): Promise<void> {
    // As in put(): s3rver ignores If-None-Match, the header guards against races in AWS.
    if (opts.ifNoneMatch && (await this.head(toKey))) throw new BlobExistsError(toKey);
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: toKey,
          CopySource: copySource(this.bucket, fromKey),
          MetadataDirective: 'REPLACE',
          ContentType: opts.contentType,
          CacheControl: opts.cacheControl,
          Metadata: opts.metadata,
          IfNoneMatch: opts.ifNoneMatch ? '*' : undefined,
        }),
      );
    } catch (e) {
      if (opts.ifNoneMatch && isPreconditionFailed(e)) throw new BlobExistsError(toKey);
      if (isMissing(e)) throw blobNotFound(fromKey);
      throw unexpectedSdkError('S3', `CopyObject ${fromKey} -> ${toKey}`, e);
    }
  }

  async list(prefix: string): Promise<ListedBlob[]> {
    const items: ListedBlob[] = [];
    let token: string | undefined;
    try {
      do {
        const out = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: this.listPageSize }),
        );
        for (const o of out.Contents ?? []) {
          if (o.Key !== undefined) items.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) });
        }
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      throw unexpectedSdkError('S3', `ListObjectsV2 ${prefix}`, e);
    }
    return items;
  }

  async presignPut(
    key: string,
    opts: { size: number; sha256Hex: string; expiresInSeconds: number; contentType?: string },
  ): Promise<PresignedPut> {
    if (!/^[0-9a-fA-F]{64}$/.test(opts.sha256Hex)) throw badRequest(Codes.INVALID_REQUEST, 'sha256 must be 64 hex digits');
    if (!Number.isSafeInteger(opts.size) || opts.size < 0) throw badRequest(Codes.INVALID_REQUEST, 'size must be a non-negative integer');
    const checksum = Buffer.from(opts.sha256Hex, 'hex').toString('base64');
    const headers: Record<string, string> = { 'content-length': String(opts.size), 'x-amz-checksum-sha256': checksum };
    if (opts.contentType) headers['content-type'] = opts.contentType;
    const expiresAt = new Date(Date.now() + opts.expiresInSeconds * 1000);
    // Size and checksum are signed as headers, so S3 refuses any other body than the one announced.
    const url = await this.sign(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ContentLength: opts.size,
        ChecksumSHA256: checksum,
        ContentType: opts.contentType,
      }),
      opts.expiresInSeconds,
      Object.keys(headers),
    );
    return { url, headers, expiresAt };
  }

  async createMultipart(key: string, contentType: string): Promise<string> {
    try {
      const out = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }));
      if (!out.UploadId) throw new Error('no UploadId in the response');
      return out.UploadId;
    } catch (e) {
      throw unexpectedSdkError('S3', `CreateMultipartUpload ${key}`, e);
    }
  }

  async presignPart(key: string, uploadId: string, partNumber: number, expiresInSeconds: number): Promise<string> {
    return this.sign(new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber }), expiresInSeconds, []);
  }

  async completeMultipart(key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void> {
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: [...parts].sort((a, b) => a.partNumber - b.partNumber).map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      );
    } catch (e) {
      const name = sdkErrorName(e);
      if (name === 'NoSuchUpload') throw notFound(Codes.UPLOAD_NOT_FOUND, `multipart upload ${uploadId} does not exist`);
      if (name === 'InvalidPart' || name === 'InvalidPartOrder' || name === 'EntityTooSmall') {
        throw badRequest('INVALID_MULTIPART', `the parts of ${key} do not complete the upload (${name})`);
      }
      throw unexpectedSdkError('S3', `CompleteMultipartUpload ${key}`, e);
    }
  }

  private async sign(command: PutObjectCommand | UploadPartCommand, expiresIn: number, signedHeaders: string[]): Promise<string> {
    const options = {
      expiresIn,
      signableHeaders: new Set(signedHeaders),
      // x-amz-* headers would otherwise move into the query string and stop binding the body.
      unhoistableHeaders: new Set(signedHeaders.filter((h) => h.startsWith('x-amz-'))),
    };
    try {
      return command instanceof PutObjectCommand
        ? await getSignedUrl(this.presigner, command, options)
        : await getSignedUrl(this.presigner, command, options);
    } catch (e) {
      throw unexpectedSdkError('S3', 'presign', e);
    }
  }
}

// Compile-time conformance, aptly-style: this adapter is a BlobStore.
const _conformance: (client: S3Client, bucket: string) => BlobStore = (client, bucket) => new S3BlobStore(client, bucket);
void _conformance;
