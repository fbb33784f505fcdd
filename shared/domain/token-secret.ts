import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Recognisable prefix so secret scanners can find leaked tokens. */
export const TOKEN_PREFIX = 'pky_';

/** A new secret: prefix + 32 random bytes in base64url (256 bits). */
export const newTokenSecret = (): string => TOKEN_PREFIX + randomBytes(32).toString('base64url');

export const hashToken = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** Public id shown in listings and logs; unrelated to the secret. */
export const newTokenId = (): string => 'tok_' + randomBytes(9).toString('base64url');

/** Constant-time comparison of two hex digests. */
export function sameDigest(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/** Does a string look like one of our tokens (cheap filter before a lookup)? */
export const looksLikeToken = (s: string): boolean => s.startsWith(TOKEN_PREFIX) && s.length >= 20 && s.length <= 400;
