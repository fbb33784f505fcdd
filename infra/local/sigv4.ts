import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

export interface PresignedRequest {
  method: string;
  /** Path exactly as sent on the request line, still percent-encoded, without the query. */
  rawPath: string;
  /** The raw query string, without '?'. */
  rawQuery: string;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
}

export type Verdict = { ok: true; signedHeaders: string[] } | { ok: false; reason: string };

/**
 * Verifies an S3 presigned URL (SigV4 query authentication) the way S3 does. s3rver checks none of this,
 * so the local server must, or local presigned URLs would accept tampered uploads.
 */
export function verifyPresigned(req: PresignedRequest, credentials: Record<string, string>, now: Date): Verdict {
  const pairs = req.rawQuery
    .split('&')
    .filter(Boolean)
    .map((p) => {
      const i = p.indexOf('=');
      const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, '%20'));
      return i < 0 ? [dec(p), ''] : [dec(p.slice(0, i)), dec(p.slice(i + 1))];
    });
  const q = new Map(pairs.map(([k, v]) => [k, v]));
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return { ok: false, reason: 'not a SigV4 presigned URL' };
  const signature = q.get('X-Amz-Signature') ?? '';
  const credential = q.get('X-Amz-Credential') ?? '';
  const amzDate = q.get('X-Amz-Date') ?? '';
  const expires = Number(q.get('X-Amz-Expires'));
  const signedHeaders = (q.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean);
  const [accessKey, date, region, service, terminal] = credential.split('/');
  const secret = credentials[accessKey ?? ''];
  if (!secret) return { ok: false, reason: 'unknown access key' };
  if (terminal !== 'aws4_request' || !date || !region || !service || !amzDate.startsWith(date)) {
    return { ok: false, reason: 'malformed credential scope' };
  }
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m || !Number.isInteger(expires) || expires <= 0 || expires > 604800) return { ok: false, reason: 'malformed date or expiry' };
  const signedAt = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (now.getTime() > signedAt + expires * 1000) return { ok: false, reason: 'the presigned URL has expired' };
  if (now.getTime() < signedAt - 15 * 60 * 1000) return { ok: false, reason: 'the presigned URL is not valid yet' };
  if (!signedHeaders.includes('host')) return { ok: false, reason: 'host is not signed' };

  const canonicalQuery = pairs
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = signedHeaders
    .map((h) => {
      const v = req.headers[h];
      const value = Array.isArray(v) ? v.join(',') : (v ?? '');
      return `${h}:${value.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const canonicalRequest = [req.method, req.rawPath, canonicalQuery, canonicalHeaders, signedHeaders.join(';'), 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac('AWS4' + secret, date), region), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'the request signature does not match' };
  }
  return { ok: true, signedHeaders };
}
