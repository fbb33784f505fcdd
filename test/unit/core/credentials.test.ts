import { allows, type TokenRecord } from '../../../shared/domain/token';
import { credentialsFrom } from '../../../shared/http/credentials';
import { hashToken, newTokenSecret, sameDigest } from '../../../shared/domain/token-secret';

describe('credentialsFrom', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  it.each([
    [{ authorization: `Basic ${b64('pky_a:')}` }, ['pky_a']],
    [{ authorization: `Basic ${b64('__token__:pky_b')}` }, ['pky_b', '__token__']],
    [{ Authorization: 'Bearer pky_c' }, ['pky_c']],
    [{ authorization: 'pky_d' }, ['pky_d']],
    [{ 'x-nuget-apikey': 'pky_e' }, ['pky_e']],
    [{}, []],
  ])('%j -> %j', (headers, expected) => {
    expect(credentialsFrom(headers)).toEqual(expected);
  });
});

describe('tokens', () => {
  it('are prefixed, random and stored as SHA-256', () => {
    const a = newTokenSecret();
    expect(a).toMatch(/^pky_[A-Za-z0-9_-]{43}$/);
    expect(newTokenSecret()).not.toBe(a);
    expect(hashToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(sameDigest(hashToken(a), hashToken(a))).toBe(true);
    expect(sameDigest(hashToken(a), hashToken(a + 'x'))).toBe(false);
    expect(sameDigest('', '')).toBe(false);
  });

  const t = (grants: TokenRecord['grants'], extra: Partial<TokenRecord> = {}): TokenRecord => ({
    hash: '', id: '', kind: 'api', name: '', user: '', admin: false, grants, createdAt: '', createdBy: '', revoked: false, ...extra,
  });
  const now = new Date('2026-01-01T00:00:00Z');

  it('grant permissions per repository; any grant implies read; admin implies all', () => {
    expect(allows(t({ 'acme/tools': ['push'] }), 'acme/tools', 'read', now)).toBe(true);
    expect(allows(t({ 'acme/tools': ['push'] }), 'acme/tools', 'push', now)).toBe(true);
    expect(allows(t({ 'acme/tools': ['read'] }), 'acme/tools', 'push', now)).toBe(false);
    expect(allows(t({ 'acme/tools': ['admin'] }), 'acme/tools', 'push', now)).toBe(true);
    expect(allows(t({ 'acme/tools': ['push'] }), 'acme/other', 'read', now)).toBe(false);
    expect(allows(t({ 'acme/*': ['push'] }), 'acme/other', 'push', now)).toBe(true);
    expect(allows(t({}, { admin: true }), 'x/y', 'admin', now)).toBe(true);
    expect(allows(t({}, { admin: true, revoked: true }), 'x/y', 'read', now)).toBe(false);
    expect(allows(t({ 'acme/tools': ['read'] }, { expiresAt: '2025-12-31T00:00:00Z' }), 'acme/tools', 'read', now)).toBe(false);
  });
});
