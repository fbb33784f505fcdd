import { createHash, randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchUpload,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { Readable } from 'node:stream';
import { BlobExistsError } from '../../../shared/ports/blob-store';
import { PackyardError } from '../../../shared/domain/errors';
import { S3BlobStore } from '../../../shared/aws/s3-blob-store';
import { S3RVER_CREDENTIALS } from '../../../infra/local/emulators';
import { freshBucket, testClients } from '../../support/emulators';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function expectPackyardError(p: Promise<unknown>, status: number, code: string): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PackyardError);
  expect(e).toMatchObject({ status, code });
}

describe('S3BlobStore against s3rver', () => {
  let store: S3BlobStore;
  let bucket: string;

  beforeAll(async () => {
    bucket = await freshBucket('blobs');
    store = new S3BlobStore(testClients().s3, bucket);
  });

  it('puts and gets bytes and strings, with content type and cache control', async () => {
    const bytes = randomBytes(3000);
    await store.put('pool/acme/tools/deb/h/hello_1.0+dfsg-1_amd64.deb', bytes, {
      contentType: 'application/vnd.debian.binary-package',
      cacheControl: 'max-age=31536000, immutable',
    });
    expect(Buffer.from(await store.getBytes('pool/acme/tools/deb/h/hello_1.0+dfsg-1_amd64.deb')).equals(bytes)).toBe(true);

    await store.put('acme/tools/gpgkey', 'armored key\n', { contentType: 'application/pgp-keys' });
    expect(Buffer.from(await store.getBytes('acme/tools/gpgkey')).toString('utf8')).toBe('armored key\n');

    const info = await store.head('pool/acme/tools/deb/h/hello_1.0+dfsg-1_amd64.deb');
    expect(info).toMatchObject({
      key: 'pool/acme/tools/deb/h/hello_1.0+dfsg-1_amd64.deb',
      size: 3000,
      contentType: 'application/vnd.debian.binary-package',
      cacheControl: 'max-age=31536000, immutable',
    });
    expect(info?.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(info?.lastModified).toBeInstanceOf(Date);
  });

  it('keeps keys with spaces, @, + and unicode intact', async () => {
    const keys = ['npm/@scope/pkg/-/pkg-1.0.0.tgz', 'generic/a file (1).txt', 'deb/pool/libc++_1.0+b1.deb', 'generic/ünï.txt'];
    for (const key of keys) await store.put(key, key, { contentType: 'text/plain' });
    for (const key of keys) expect(Buffer.from(await store.getBytes(key)).toString('utf8')).toBe(key);
    // Copy sources with '+' are encoded for S3 (%2B), which s3rver does not decode: see the mocked test below.
    for (const from of ['npm/@scope/pkg/-/pkg-1.0.0.tgz', 'generic/a file (1).txt', 'generic/ünï.txt']) {
      await store.copy(from, `copies/${from}+1`, { contentType: 'application/gzip' });
      expect(Buffer.from(await store.getBytes(`copies/${from}+1`)).toString('utf8')).toBe(from);
    }
  });

  it('reports missing objects the way the port says', async () => {
    await expectPackyardError(store.getBytes('nope/missing'), 404, 'BLOB_NOT_FOUND');
    expect(await store.getStream('nope/missing')).toBeUndefined();
    expect(await store.head('nope/missing')).toBeUndefined();
    await expectPackyardError(store.copy('nope/missing', 'nope/target', { contentType: 'text/plain' }), 404, 'BLOB_NOT_FOUND');
    await expect(store.delete('nope/missing')).resolves.toBeUndefined();
  });

  it('streams whole objects and byte ranges', async () => {
    const bytes = Buffer.from('0123456789abcdefghij');
    await store.put('range/obj', bytes, { contentType: 'application/octet-stream' });

    const whole = await store.getStream('range/obj');
    expect(whole).toBeDefined();
    expect(whole?.size).toBe(20);
    expect(whole?.contentRange).toBeUndefined();
    expect((await readAll(whole!.body)).equals(bytes)).toBe(true);

    const part = await store.getStream('range/obj', 'bytes=5-9');
    expect(part?.contentRange).toBe('bytes 5-9/20');
    expect(part?.size).toBe(5);
    expect((await readAll(part!.body)).toString()).toBe('56789');

    const tail = await store.getStream('range/obj', 'bytes=15-');
    expect((await readAll(tail!.body)).toString()).toBe('fghij');
    expect(tail?.contentRange).toBe('bytes 15-19/20');
  });

  it('refuses an unsatisfiable range with 416', async () => {
    await store.put('range/small', 'abc', { contentType: 'text/plain' });
    await expectPackyardError(store.getStream('range/small', 'bytes=100-200'), 416, 'RANGE_NOT_SATISFIABLE');
  });

  it('lists by prefix, across pages', async () => {
    const paged = new S3BlobStore(testClients().s3, bucket, { listPageSize: 2 });
    const keys = ['list/a/1', 'list/a/2', 'list/a/3', 'list/a/4', 'list/a/5', 'list/b/1'];
    for (const key of keys) await store.put(key, `x${key}`, { contentType: 'text/plain' });
    const listed = await paged.list('list/a/');
    expect(listed.map((l) => l.key)).toEqual(['list/a/1', 'list/a/2', 'list/a/3', 'list/a/4', 'list/a/5']);
    expect(listed[0].size).toBe('xlist/a/1'.length);
    expect(listed[0].lastModified).toBeInstanceOf(Date);
    expect(await store.list('list/none/')).toEqual([]);
  });

  it('copies with new metadata and deletes', async () => {
    await store.put('copy/src', 'payload', { contentType: 'text/plain', cacheControl: 'no-store' });
    await store.copy('copy/src', 'copy/dst', { contentType: 'application/x-thing', cacheControl: 'max-age=60' });
    expect(await store.head('copy/dst')).toMatchObject({ size: 7, contentType: 'application/x-thing', cacheControl: 'max-age=60' });
    await store.delete('copy/src');
    expect(await store.head('copy/src')).toBeUndefined();
    expect(Buffer.from(await store.getBytes('copy/dst')).toString()).toBe('payload');
  });

  it('never replaces an object with ifNoneMatch, on put and on copy', async () => {
    await store.put('immutable/x', 'first', { contentType: 'text/plain', ifNoneMatch: true });
    await expect(store.put('immutable/x', 'second', { contentType: 'text/plain', ifNoneMatch: true })).rejects.toBeInstanceOf(BlobExistsError);
    await store.put('immutable/y', 'other', { contentType: 'text/plain' });
    await expect(store.copy('immutable/y', 'immutable/x', { contentType: 'text/plain', ifNoneMatch: true })).rejects.toBeInstanceOf(
      BlobExistsError,
    );
    expect(Buffer.from(await store.getBytes('immutable/x')).toString()).toBe('first');
    // Without the flag a put replaces.
    await store.put('immutable/x', 'third', { contentType: 'text/plain' });
    expect(Buffer.from(await store.getBytes('immutable/x')).toString()).toBe('third');
  });

  it('presigns a PUT that fetch can use with the returned headers', async () => {
    const body = randomBytes(1234);
    const signed = await store.presignPut('incoming/upload-1', { size: body.length, sha256Hex: sha256(body), expiresInSeconds: 300 });
    expect(signed.headers).toEqual({
      'content-length': '1234',
      'x-amz-checksum-sha256': createHash('sha256').update(body).digest('base64'),
    });
    expect(signed.expiresAt.getTime()).toBeGreaterThan(Date.now() + 290_000);
    const url = new URL(signed.url);
    // Size and checksum are signed as headers, not query parameters.
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(
      expect.arrayContaining(['content-length', 'host', 'x-amz-checksum-sha256']),
    );
    expect(url.searchParams.has('x-amz-checksum-sha256')).toBe(false);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');

    const res = await fetch(signed.url, { method: 'PUT', headers: signed.headers, body });
    expect(res.status).toBe(200);
    expect(Buffer.from(await store.getBytes('incoming/upload-1')).equals(body)).toBe(true);
  });

  it('signs the content type when one is given', async () => {
    const body = Buffer.from('{"a":1}');
    const signed = await store.presignPut('incoming/typed', {
      size: body.length,
      sha256Hex: sha256(body),
      expiresInSeconds: 60,
      contentType: 'application/json',
    });
    expect(signed.headers['content-type']).toBe('application/json');
    expect(new URL(signed.url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-type');
    const res = await fetch(signed.url, { method: 'PUT', headers: signed.headers, body });
    expect(res.status).toBe(200);
    expect(await store.head('incoming/typed')).toMatchObject({ contentType: 'application/json', size: body.length });
  });

  it('presigns for another endpoint when asked', async () => {
    const proxied = new S3BlobStore(testClients().s3, bucket, { presignEndpoint: 'http://127.0.0.1:8080/_s3' });
    const signed = await proxied.presignPut('incoming/via-proxy', { size: 3, sha256Hex: sha256(Buffer.from('abc')), expiresInSeconds: 60 });
    const url = new URL(signed.url);
    expect(url.origin).toBe('http://127.0.0.1:8080');
    expect(url.pathname).toBe(`/_s3/${bucket}/incoming/via-proxy`);
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^S3RVER\/\d{8}\/us-east-1\/s3\/aws4_request$/);
    const part = await proxied.presignPart('big/file', 'upload-id', 2, 60);
    expect(new URL(part).pathname).toBe(`/_s3/${bucket}/big/file`);
    expect(new URL(part).searchParams.get('partNumber')).toBe('2');
  });

  it('presigns parts without an empty-body checksum even from a client at SDK defaults', async () => {
    const { s3Endpoint } = testClients();
    const defaults = new S3Client({ endpoint: s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
    const lambdaLike = new S3BlobStore(defaults, bucket);
    const uploadId = await store.createMultipart('incoming/defaults', 'application/octet-stream');
    const url = await lambdaLike.presignPart('incoming/defaults', uploadId, 1, 60);
    expect([...new URL(url).searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    const res = await fetch(url, { method: 'PUT', body: 'only part' });
    expect(res.status).toBe(200);
    await store.completeMultipart('incoming/defaults', uploadId, [{ partNumber: 1, etag: res.headers.get('etag') ?? '' }]);
    expect(Buffer.from(await store.getBytes('incoming/defaults')).toString()).toBe('only part');
    defaults.destroy();
  });

  it('rejects a malformed checksum before signing', async () => {
    await expectPackyardError(store.presignPut('incoming/bad', { size: 1, sha256Hex: 'xyz', expiresInSeconds: 60 }), 400, 'INVALID_REQUEST');
  });

  it('assembles a multipart upload from presigned part PUTs', async () => {
    const part1 = randomBytes(5 * 1024 * 1024);
    const part2 = randomBytes(1000);
    const key = 'incoming/multi';
    const uploadId = await store.createMultipart(key, 'application/octet-stream');
    expect(uploadId).toBeTruthy();
    const etags: { partNumber: number; etag: string }[] = [];
    // Parts may arrive in any order; complete() sorts them.
    for (const [partNumber, body] of [
      [2, part2],
      [1, part1],
    ] as const) {
      const url = await store.presignPart(key, uploadId, partNumber, 300);
      const res = await fetch(url, { method: 'PUT', body });
      expect(res.status).toBe(200);
      etags.push({ partNumber, etag: res.headers.get('etag') ?? '' });
    }
    await store.completeMultipart(key, uploadId, etags);
    const got = Buffer.from(await store.getBytes(key));
    expect(got.length).toBe(part1.length + part2.length);
    expect(sha256(got)).toBe(sha256(Buffer.concat([part1, part2])));
  });

  it('turns other SDK failures into PackyardErrors', async () => {
    const missingBucket = new S3BlobStore(testClients().s3, 'no-such-bucket-here');
    const e = await missingBucket.put('k', 'v', { contentType: 'text/plain' }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(PackyardError);
    expect((e as PackyardError).status).toBeGreaterThanOrEqual(500);
    expect((e as PackyardError).message).toContain('NoSuchBucket');
  });
});

/** What real S3 does and s3rver does not (it ignores If-None-Match, answers 500 for an unknown upload id). */
describe('S3BlobStore error translation for S3-only behaviour', () => {
  const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const s3 = mockClient(client);
  const store = new S3BlobStore(client, 'bucket');
  const s3Error = (name: string, status: number) =>
    new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });

  beforeEach(() => s3.reset());

  it('sends If-None-Match: * and maps a lost race (412) to BlobExistsError', async () => {
    s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    await expect(store.put('pool/x', 'v', { contentType: 'text/plain', ifNoneMatch: true })).rejects.toBeInstanceOf(BlobExistsError);
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({ Key: 'pool/x', IfNoneMatch: '*' });
  });

  it('encodes a copy source the way S3 decodes it', async () => {
    s3.on(CopyObjectCommand).resolves({});
    await store.copy('deb/libc++_1.0+b1 x@y?.deb', 'pool/z', { contentType: 'text/plain' });
    expect(s3.commandCalls(CopyObjectCommand)[0].args[0].input.CopySource).toBe('bucket/deb/libc%2B%2B_1.0%2Bb1%20x@y%3F.deb');
  });

  it('maps NoSuchUpload to 404 and bad parts to 400', async () => {
    s3.on(CompleteMultipartUploadCommand)
      .rejectsOnce(new NoSuchUpload({ message: 'gone', $metadata: {} }))
      .rejectsOnce(s3Error('InvalidPart', 400));
    await expectPackyardError(store.completeMultipart('k', 'u', [{ partNumber: 1, etag: '"e"' }]), 404, 'UPLOAD_NOT_FOUND');
    await expectPackyardError(store.completeMultipart('k', 'u', [{ partNumber: 1, etag: '"e"' }]), 400, 'INVALID_MULTIPART');
  });

  it('maps throttling to a retryable 503', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('SlowDown', 503));
    await expectPackyardError(store.getBytes('k'), 503, 'S3_UNAVAILABLE');
  });
});
