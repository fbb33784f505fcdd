import { PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { verifyPresigned } from '../../../infra/local/sigv4';

// URLs come from the real AWS SDK presigner, so this checks our verifier against what S3 clients produce.
const client = new S3Client({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:8080/_s3',
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  requestChecksumCalculation: 'WHEN_REQUIRED',
});
const creds = { S3RVER: 'S3RVER' };
const sha = Buffer.alloc(32, 7).toString('base64');

async function presign(key = 'incoming/upl_1', expiresIn = 600) {
  const url = new URL(
    await getSignedUrl(client, new PutObjectCommand({ Bucket: 'packyard-incoming', Key: key, ContentLength: 5, ChecksumSHA256: sha }), {
      expiresIn,
      signableHeaders: new Set(['content-length', 'x-amz-checksum-sha256']),
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    }),
  );
  return url;
}

const verify = (url: URL, headers: Record<string, string>, now = new Date()) =>
  verifyPresigned({ method: 'PUT', rawPath: url.pathname, rawQuery: url.search.slice(1), headers }, creds, now);

describe('SigV4 presigned URL verification', () => {
  const good = { host: '127.0.0.1:8080', 'content-length': '5', 'x-amz-checksum-sha256': sha };

  it('accepts an untouched URL with the signed headers', async () => {
    const url = await presign();
    expect(verify(url, good)).toMatchObject({ ok: true });
  });

  it('accepts keys that need percent-encoding', async () => {
    const url = await presign('incoming/a b+c~d(1)');
    expect(verify(url, good)).toMatchObject({ ok: true });
  });

  it('refuses another key, another size, another checksum, another host', async () => {
    const url = await presign();
    const other = new URL(url);
    other.pathname = other.pathname.replace('upl_1', 'upl_2');
    expect(verify(other, good).ok).toBe(false);
    expect(verify(url, { ...good, 'content-length': '6' }).ok).toBe(false);
    expect(verify(url, { ...good, 'x-amz-checksum-sha256': Buffer.alloc(32, 8).toString('base64') }).ok).toBe(false);
    expect(verify(url, { ...good, host: 'evil:8080' }).ok).toBe(false);
  });

  it('refuses a changed query, a wrong secret and an expired URL', async () => {
    const url = await presign('incoming/upl_1', 60);
    const longer = new URL(url);
    longer.searchParams.set('X-Amz-Expires', '604800');
    expect(verify(longer, good).ok).toBe(false);
    expect(verifyPresigned({ method: 'PUT', rawPath: url.pathname, rawQuery: url.search.slice(1), headers: good }, { S3RVER: 'other' }, new Date()).ok).toBe(false);
    const later = new Date(Date.now() + 61_000);
    expect(verify(url, good, later)).toEqual({ ok: false, reason: 'the presigned URL has expired' });
  });

  it('verifies multipart part URLs', async () => {
    const url = new URL(await getSignedUrl(client, new UploadPartCommand({ Bucket: 'b', Key: 'incoming/big', UploadId: 'abc/def=', PartNumber: 3 }), { expiresIn: 600 }));
    expect(verify(url, { host: '127.0.0.1:8080' })).toMatchObject({ ok: true });
    const swapped = new URL(url);
    swapped.searchParams.set('partNumber', '4');
    expect(verify(swapped, { host: '127.0.0.1:8080' }).ok).toBe(false);
  });
});
