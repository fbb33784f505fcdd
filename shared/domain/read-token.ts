import { createHmac, timingSafeEqual } from 'node:crypto';
import { TOKEN_PREFIX } from './token-secret';

/**
 * Read tokens describe themselves: `pky_` + base64url(JSON {r: repo, i: id, p: master id}) + `.` + hex
 * HMAC-SHA256 of everything before the dot. The edge can then check one without storing every token (its
 * store holds only the HMAC key and the ids of revoked tokens), so the number of machines is unbounded. The
 * key is used as its hex text because CloudFront Functions take HMAC keys as strings.
 */
export interface ReadTokenClaims {
  repo: string;
  id: string;
  parentId: string;
}

const mac = (keyHex: string, body: string) => createHmac('sha256', keyHex).update(body, 'utf8').digest('hex');

export function signReadToken(keyHex: string, claims: ReadTokenClaims): string {
  const body = TOKEN_PREFIX + Buffer.from(JSON.stringify({ r: claims.repo, i: claims.id, p: claims.parentId }), 'utf8').toString('base64url');
  return `${body}.${mac(keyHex, body)}`;
}

/** The claims of a genuine read token, or undefined (not one, or forged). */
export function verifyReadToken(keyHex: string, token: string): ReadTokenClaims | undefined {
  const dot = token.lastIndexOf('.');
  if (!token.startsWith(TOKEN_PREFIX) || dot < 0) return undefined;
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'hex');
  const expected = Buffer.from(mac(keyHex, body), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const c = JSON.parse(Buffer.from(body.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8')) as { r?: unknown; i?: unknown; p?: unknown };
    if (typeof c.r !== 'string' || typeof c.i !== 'string' || typeof c.p !== 'string') return undefined;
    return { repo: c.r, id: c.i, parentId: c.p };
  } catch {
    return undefined;
  }
}
