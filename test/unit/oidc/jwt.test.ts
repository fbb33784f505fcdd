import { execFileSync } from 'node:child_process';
import { createHmac, sign, type JsonWebKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackyardError } from '../../../shared/domain/errors';
import {
  checkTokenTimes,
  claimsMatch,
  decodeJwt,
  globMatch,
  issuerUrlProblem,
  MAX_JWT_LENGTH,
  verifyJwtSignature,
  type DecodedJwt,
  type JwtClaims,
} from '../../../shared/domain/jwt';
import { generateKey, signJwt, type IssuerKey } from '../../integration/oidc/support/local-issuer';
import { RFC7515_A2, RFC7515_A3 } from './rfc7515-vectors';

const NOW = new Date('2025-06-01T12:00:00Z');
const T = NOW.getTime() / 1000;
const claims = (over: Record<string, unknown> = {}) => ({ iss: 'https://issuer.example', sub: 'repo:acme/app:ref:refs/heads/main', aud: 'packyard', iat: T, exp: T + 300, ...over });

/** The code of the PackyardError `fn` throws (and that it is a 401 when it is a refusal). */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof PackyardError) return e.code;
    throw e;
  }
  throw new Error('expected a PackyardError, nothing was thrown');
}

/** The RFC's examples have no `sub`/`exp` we need, so they are split by hand: only the signature is checked. */
function rawJws(token: string): DecodedJwt {
  const [h, p, s] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(p, 'base64url').toString()),
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('signature verification', () => {
  it('accepts the RFC 7515 A.2 (RS256) and A.3 (ES256) examples, and refuses them altered', () => {
    expect(verifyJwtSignature(rawJws(RFC7515_A2.token), [RFC7515_A2.jwk])).toBe(RFC7515_A2.jwk);
    expect(verifyJwtSignature(rawJws(RFC7515_A3.token), [RFC7515_A3.jwk])).toBe(RFC7515_A3.jwk);
    for (const v of [RFC7515_A2, RFC7515_A3]) {
      const altered = rawJws(v.token);
      altered.signingInput = altered.signingInput.replace(/.$/, (c) => (c === 'Q' ? 'R' : 'Q'));
      expect(codeOf(() => verifyJwtSignature(altered, [v.jwk]))).toBe('OIDC_INVALID_SIGNATURE');
    }
  });

  const algs = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
  const keys = new Map<string, IssuerKey>();
  beforeAll(() => {
    for (const alg of algs) keys.set(alg, generateKey(alg, `kid-${alg}`));
  });

  it.each(algs)('verifies %s with the right key and refuses a different key under the same kid', (alg) => {
    const key = keys.get(alg)!;
    const jwt = decodeJwt(signJwt(claims(), key));
    const all = [...keys.values()].map((k) => k.jwk);
    expect(verifyJwtSignature(jwt, all)).toBe(key.jwk);
    const impostor = generateKey(alg, key.kid);
    expect(codeOf(() => verifyJwtSignature(decodeJwt(signJwt(claims(), impostor)), all))).toBe('OIDC_INVALID_SIGNATURE');
  });

  it('verifies tokens signed by openssl (RS256, PS256, Ed25519), an independent signer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jwt-openssl-'));
    try {
      const cases: [string, (pem: string, file: string) => string[]][] = [
        ['RS256', (pem, file) => ['dgst', '-sha256', '-sign', pem, file]],
        ['PS256', (pem, file) => ['dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest', '-sign', pem, file]],
        ['EdDSA', (pem, file) => ['pkeyutl', '-sign', '-rawin', '-inkey', pem, '-in', file]],
      ];
      for (const [alg, args] of cases) {
        const key = keys.get(alg)!;
        const pem = join(dir, `${alg}.pem`);
        writeFileSync(pem, key.privateKey.export({ format: 'pem', type: 'pkcs8' }));
        const input = `${part({ alg, kid: key.kid })}.${part(claims())}`;
        const inFile = join(dir, `${alg}.in`);
        writeFileSync(inFile, input);
        const sig = execFileSync('openssl', args(pem, inFile));
        const jwt = decodeJwt(`${input}.${sig.toString('base64url')}`);
        expect(verifyJwtSignature(jwt, [key.jwk])).toBe(key.jwk);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown kid, and keys not meant for signatures', () => {
    const key = keys.get('RS256')!;
    const jwt = decodeJwt(signJwt(claims(), key));
    expect(codeOf(() => verifyJwtSignature(jwt, [keys.get('RS384')!.jwk]))).toBe('OIDC_UNKNOWN_KEY');
    expect(codeOf(() => verifyJwtSignature(jwt, []))).toBe('OIDC_UNKNOWN_KEY');
    expect(codeOf(() => verifyJwtSignature(jwt, [{ ...key.jwk, use: 'enc' }]))).toBe('OIDC_UNKNOWN_KEY');
    expect(codeOf(() => verifyJwtSignature(jwt, [{ ...key.jwk, key_ops: ['encrypt'] }]))).toBe('OIDC_UNKNOWN_KEY');
    // Without a kid every signing key is tried.
    const noKid = decodeJwt(signJwt(claims(), { ...key, kid: undefined as unknown as string }, { kid: undefined }));
    expect(noKid.header.kid).toBeUndefined();
    expect(verifyJwtSignature(noKid, [keys.get('ES256')!.jwk, key.jwk])).toBe(key.jwk);
  });

  it('refuses an alg other than the key\'s, and HMAC made with the public key (algorithm confusion)', () => {
    const rsa = keys.get('RS256')!;
    const ec = keys.get('ES256')!;
    // The token says RS384, the key is published for RS256.
    const rs384 = decodeJwt(signJwt(claims(), { ...rsa, alg: 'RS384' }));
    expect(codeOf(() => verifyJwtSignature(rs384, [rsa.jwk]))).toBe('OIDC_ALGORITHM_MISMATCH');
    // No alg on the key: the key type decides.
    const { alg: _a, ...bare } = rsa.jwk;
    expect(codeOf(() => verifyJwtSignature(decodeJwt(signJwt(claims(), { ...ec, kid: rsa.kid })), [bare]))).toBe('OIDC_ALGORITHM_MISMATCH');
    // ES256 signature checked against a P-384 key.
    const { alg: _b, ...p384 } = keys.get('ES384')!.jwk;
    expect(codeOf(() => verifyJwtSignature(decodeJwt(signJwt(claims(), ec)), [{ ...p384, kid: ec.kid }]))).toBe('OIDC_ALGORITHM_MISMATCH');
    // HS256 with the RSA modulus as the shared secret: the classic attack on naive verifiers.
    const input = `${part({ alg: 'HS256', kid: rsa.kid })}.${part(claims())}`;
    const mac = createHmac('sha256', JSON.stringify(rsa.jwk)).update(input).digest('base64url');
    expect(codeOf(() => verifyJwtSignature(decodeJwt(`${input}.${mac}`), [rsa.jwk]))).toBe('OIDC_UNSUPPORTED_ALGORITHM');
  });

  it('refuses RSA keys under 2048 bits and DER-encoded ECDSA signatures', () => {
    const weak = generateKey('RS256', 'weak', 1024);
    expect(codeOf(() => verifyJwtSignature(decodeJwt(signJwt(claims(), weak)), [weak.jwk]))).toBe('OIDC_INVALID_SIGNATURE');
    const ec = keys.get('ES256')!;
    const [h, p] = signJwt(claims(), ec).split('.');
    const der = sign('sha256', Buffer.from(`${h}.${p}`), ec.privateKey);
    expect(codeOf(() => verifyJwtSignature(decodeJwt(`${h}.${p}.${der.toString('base64url')}`), [ec.jwk]))).toBe('OIDC_INVALID_SIGNATURE');
  });

  it('uses only the public members of a published key', () => {
    const key = keys.get('ES256')!;
    const withPrivate = { ...key.privateKey.export({ format: 'jwk' }), kid: key.kid, alg: 'ES256' } as JsonWebKey;
    expect(withPrivate.d).toBeDefined();
    expect(verifyJwtSignature(decodeJwt(signJwt(claims(), key)), [withPrivate])).toBe(withPrivate);
  });
});

describe('decoding', () => {
  const key = generateKey('ES256', 'd');
  const good = signJwt(claims(), key);
  const [h, p, s] = good.split('.');

  it.each([
    ['empty', '', 'OIDC_MALFORMED_TOKEN'],
    ['two parts', `${h}.${p}`, 'OIDC_MALFORMED_TOKEN'],
    ['a JWE', `${h}.a.b.c.d`, 'OIDC_MALFORMED_TOKEN'],
    ['bad base64', `${h}.${p}!.${s}`, 'OIDC_MALFORMED_TOKEN'],
    ['a header that is not JSON', `${Buffer.from('nope').toString('base64url')}.${p}.${s}`, 'OIDC_MALFORMED_TOKEN'],
    ['a header that is a list', `${part([1])}.${p}.${s}`, 'OIDC_MALFORMED_TOKEN'],
    ['no alg', `${part({ typ: 'JWT' })}.${p}.${s}`, 'OIDC_MALFORMED_TOKEN'],
    ['alg none', `${part({ alg: 'none' })}.${p}.`, 'OIDC_UNSIGNED_TOKEN'],
    ['alg None with a signature', `${part({ alg: 'None' })}.${p}.${s}`, 'OIDC_UNSIGNED_TOKEN'],
    ['an empty signature', `${h}.${p}.`, 'OIDC_UNSIGNED_TOKEN'],
    ['crit', `${part({ alg: 'ES256', crit: ['exp'] })}.${p}.${s}`, 'OIDC_MALFORMED_TOKEN'],
    ['no iss', `${h}.${part(claims({ iss: undefined }))}.${s}`, 'OIDC_MALFORMED_TOKEN'],
    ['no sub', `${h}.${part(claims({ sub: undefined }))}.${s}`, 'OIDC_MALFORMED_TOKEN'],
    ['no exp', `${h}.${part(claims({ exp: undefined }))}.${s}`, 'OIDC_MALFORMED_TOKEN'],
    ['exp as text', `${h}.${part(claims({ exp: String(T + 300) }))}.${s}`, 'OIDC_MALFORMED_TOKEN'],
    ['nbf as text', `${h}.${part(claims({ nbf: 'soon' }))}.${s}`, 'OIDC_MALFORMED_TOKEN'],
    ['aud as a number', `${h}.${part(claims({ aud: 5 }))}.${s}`, 'OIDC_MALFORMED_TOKEN'],
    ['too long', `${h}.${'A'.repeat(MAX_JWT_LENGTH)}.${s}`, 'OIDC_MALFORMED_TOKEN'],
  ])('refuses %s', (_what, token, code) => {
    expect(codeOf(() => decodeJwt(token))).toBe(code);
  });

  it('returns header, claims and the signed bytes', () => {
    const jwt = decodeJwt(good);
    expect(jwt.header).toMatchObject({ alg: 'ES256', kid: 'd' });
    expect(jwt.claims).toMatchObject({ iss: 'https://issuer.example', aud: 'packyard' });
    expect(jwt.signingInput).toBe(`${h}.${p}`);
    expect(jwt.signature).toHaveLength(64);
  });

  it('refuses with 401', () => {
    try {
      decodeJwt('x');
    } catch (e) {
      expect((e as PackyardError).status).toBe(401);
    }
    expect.assertions(1);
  });
});

describe('token times', () => {
  const c = (over: Record<string, unknown>) => claims(over) as JwtClaims;
  it('allows 60 s of clock skew on exp, nbf and iat, and no more', () => {
    expect(() => checkTokenTimes(c({ exp: T - 59 }), NOW)).not.toThrow();
    expect(codeOf(() => checkTokenTimes(c({ exp: T - 60 }), NOW))).toBe('OIDC_EXPIRED');
    expect(codeOf(() => checkTokenTimes(c({ exp: T - 3600 }), NOW))).toBe('OIDC_EXPIRED');
    expect(() => checkTokenTimes(c({ nbf: T + 59, iat: T + 59 }), NOW)).not.toThrow();
    expect(codeOf(() => checkTokenTimes(c({ nbf: T + 61 }), NOW))).toBe('OIDC_NOT_YET_VALID');
    expect(codeOf(() => checkTokenTimes(c({ iat: T + 3600 }), NOW))).toBe('OIDC_NOT_YET_VALID');
  });
});

describe('claim patterns', () => {
  it.each([
    ['repo:acme/app:ref:refs/heads/main', 'repo:acme/app:ref:refs/heads/main', true],
    ['repo:acme/app:ref:refs/heads/main', 'repo:acme/app:ref:refs/heads/main2', false],
    ['repo:acme/app:ref:refs/heads/main', 'xrepo:acme/app:ref:refs/heads/main', false],
    ['acme/*', 'acme/app', true],
    ['acme/*', 'acme/', true],
    ['acme/*', 'acmeX/app', false],
    ['acme/*', 'evil/acme/app', false],
    ['refs/heads/*', 'refs/heads/feature/x', true],
    ['refs/tags/v?.*', 'refs/tags/v1.2.3', true],
    ['refs/tags/v?.*', 'refs/tags/v10.2', false],
    ['*main', 'refs/heads/main', true],
    ['*:ref:refs/heads/main', 'repo:acme/app:ref:refs/heads/main', true],
    ['repo:*:environment:prod*', 'repo:acme/app:environment:production', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['Acme/*', 'acme/app', false],
    ['*', '', true],
    ['?', '', false],
    ['?', 'é', true],
  ])('%s against %s is %s', (pattern, value, expected) => {
    expect(globMatch(pattern, value)).toBe(expected);
  });

  it('takes linear time on patterns that are exponential for naive backtracking', () => {
    const started = process.hrtime.bigint();
    expect(globMatch('*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2000);
  });

  it('needs every pattern to match; missing, object and inherited claims never match', () => {
    const c = claims({ repository: 'acme/app', ref: 'refs/heads/main', build_number: 42, protected: true, groups: ['a'] }) as JwtClaims;
    expect(claimsMatch({ repository: 'acme/*', ref: 'refs/heads/main' }, c)).toBe(true);
    expect(claimsMatch({ repository: 'acme/*', ref: 'refs/heads/dev' }, c)).toBe(false);
    expect(claimsMatch({ build_number: '4?', protected: 'true' }, c)).toBe(true);
    expect(claimsMatch({ environment: '*' }, c)).toBe(false);
    expect(claimsMatch({ groups: '*' }, c)).toBe(false);
    expect(claimsMatch({ constructor: '*' }, c)).toBe(false);
    expect(claimsMatch({ toString: '*' }, c)).toBe(false);
  });
});

describe('issuer URLs', () => {
  it.each([
    ['https://token.actions.githubusercontent.com', false, undefined],
    ['https://gitlab.example.com/gitlab', false, undefined],
    ['http://token.actions.githubusercontent.com', false, 'it must be https'],
    ['http://127.0.0.1:8123', false, 'it must be https'],
    ['http://127.0.0.1:8123', true, undefined],
    ['http://localhost:8123/issuer', true, undefined],
    ['http://127.0.0.1.evil.example', true, 'it must be https (or http on 127.0.0.1 / localhost)'],
    ['http://10.0.0.1', true, 'it must be https (or http on 127.0.0.1 / localhost)'],
    ['ftp://example.com', false, 'it must be https'],
    ['https://user:pw@example.com', false, 'it must not carry credentials'],
    ['https://example.com/?a=b', false, 'it must not have a query or fragment'],
    ['https://example.com/#x', false, 'it must not have a query or fragment'],
    ['example.com', false, 'it is not an absolute URL'],
  ])('%s (loopback allowed: %s)', (url, loopback, problem) => {
    expect(issuerUrlProblem(url, loopback)).toBe(problem);
  });
});
