import { findPrincipal, requirePermission } from '../../../shared/app/auth';
import { createTrustPolicy, deleteTrustPolicy, exchangeOidcToken, listTrustPolicies, type TrustPolicyInput } from '../../../shared/app/oidc';
import { DynamoMetadataStore } from '../../../shared/aws/dynamo-metadata-store';
import { HttpJwksSource } from '../../../shared/aws/http-jwks-source';
import { PackyardError } from '../../../shared/domain/errors';
import { systemClock } from '../../../shared/ports/clock';
import { freshTable, testClients } from '../../support/emulators';
import { captureConsole, principal, refusal, repoRecord, scanTable, signingKey } from './support/fixtures';
import { githubClaims, LocalIssuer, signJwt, type IssuerKey } from './support/local-issuer';

const AUD = 'https://packyard.example';
const admin = principal();

let issuer: LocalIssuer;
let stranger: LocalIssuer;
let rsa: IssuerKey;
let ec: IssuerKey;
let table: string;
let deps: { meta: DynamoMetadataStore; clock: typeof systemClock; jwks: HttpJwksSource };
/** Every JWT a test handed to the exchange, to prove none was kept. */
const presented: string[] = [];
let output: ReturnType<typeof captureConsole>;

function exchange(token: string, repo = 'acme/app') {
  presented.push(token);
  return exchangeOidcToken(deps, { token, repo }, '203.0.113.7');
}

beforeAll(async () => {
  output = captureConsole();
  issuer = await LocalIssuer.start();
  stranger = await LocalIssuer.start();
  rsa = issuer.addKey('RS256', 'rsa-1');
  ec = issuer.addKey('ES256', 'ec-1');
  stranger.addKey('RS256', 'rsa-1');
  table = await freshTable('exchange');
  deps = { meta: new DynamoMetadataStore(testClients().doc, table), clock: systemClock, jwks: new HttpJwksSource({ allowInsecureLoopback: true }) };
  for (const name of ['acme/app', 'acme/other', 'acme/empty']) await deps.meta.createRepo(repoRecord(name), signingKey(name));
  await createTrustPolicy(deps, admin, 'acme/app', { issuer: issuer.url, audience: AUD, claims: { sub: 'repo:acme/app:ref:refs/heads/main', repository: 'acme/*' } });
  await createTrustPolicy(deps, admin, 'acme/app', {
    issuer: issuer.url,
    audience: AUD,
    claims: { repository: 'acme/app', ref: 'refs/tags/v*' },
    permissions: ['yank', 'push'],
    ttlSeconds: 600,
  });
  await createTrustPolicy(deps, admin, 'acme/other', { issuer: issuer.url, audience: 'https://other.example', claims: { repository: 'acme/other' } });
});

afterAll(async () => {
  output?.restore();
  await issuer?.close();
  await stranger?.close();
});

describe('exchanging a CI token', () => {
  it('mints a push token for one repository, for the policy\'s lifetime, as oidc:<issuer>#<sub>', async () => {
    const before = Date.now();
    const out = await exchange(issuer.token(githubClaims(), rsa));
    expect(out).toMatchObject({ repo: 'acme/app', permissions: ['push'] });
    expect(out.token).toMatch(/^pky_/);
    const ttl = Date.parse(out.expiresAt) - before;
    expect(ttl).toBeGreaterThanOrEqual(3600_000 - 1000);
    expect(ttl).toBeLessThanOrEqual(3600_000 + 5000);

    const who = await findPrincipal(deps, { authorization: `Bearer ${out.token}` });
    expect(who).toMatchObject({
      id: out.id,
      kind: 'api',
      admin: false,
      user: `oidc:${issuer.url}#repo:acme/app:ref:refs/heads/main`,
      grants: { 'acme/app': ['read', 'push'] },
      expiresAt: out.expiresAt,
    });
    expect(() => requirePermission(deps, who!, 'acme/app', 'push')).not.toThrow();
    expect(() => requirePermission(deps, who!, 'acme/app', 'read')).not.toThrow();
    for (const [repo, perm] of [['acme/app', 'yank'], ['acme/app', 'admin'], ['acme/other', 'read'], ['acme/other', 'push']] as const) {
      expect(() => requirePermission(deps, who!, repo, perm)).toThrow(PackyardError);
    }
    // Once it expires it is no credential.
    const later = { ...deps, clock: { now: () => new Date(Date.parse(out.expiresAt) + 1000) } };
    expect(await findPrincipal(later, { authorization: `Bearer ${out.token}` })).toBeUndefined();
  });

  it('accepts ES256, and picks the policy whose claims match (a tag gets the tag policy\'s rights and lifetime)', async () => {
    const out = await exchange(issuer.token(githubClaims({ sub: 'repo:acme/app:ref:refs/tags/v1.2.0', ref: 'refs/tags/v1.2.0' }), ec));
    expect(out.permissions).toEqual(['yank', 'push']);
    expect(Date.parse(out.expiresAt) - Date.now()).toBeLessThanOrEqual(600_000);
    expect((await findPrincipal(deps, { authorization: `Bearer ${out.token}` }))?.grants).toEqual({ 'acme/app': ['read', 'yank', 'push'] });
  });

  it('accepts a token whose aud is a list containing the policy\'s audience', async () => {
    await expect(exchange(issuer.token(githubClaims({ aud: ['https://elsewhere', AUD] }), rsa))).resolves.toMatchObject({ repo: 'acme/app' });
  });

  it('picks up a rotated key with one extra JWKS fetch', async () => {
    await exchange(issuer.token(githubClaims(), rsa));
    issuer.resetHits();
    const next = issuer.addKey('ES256', 'ec-2');
    await expect(exchange(issuer.token(githubClaims(), next))).resolves.toMatchObject({ permissions: ['push'] });
    expect(issuer.hits.jwks).toBe(1);
    await exchange(issuer.token(githubClaims(), next));
    expect(issuer.hits.jwks).toBe(1);
  });

  it('records the exchange in the repository\'s audit log, without the JWT', async () => {
    const out = await exchange(issuer.token(githubClaims(), rsa));
    const events = (await deps.meta.listAudit('acme/app', { limit: 100 })).items;
    const event = events.find((e) => e.target === out.id);
    expect(event).toMatchObject({
      action: 'oidc.exchanged',
      actor: `oidc:${issuer.url}#repo:acme/app:ref:refs/heads/main`,
      actorTokenId: out.id,
      sourceIp: '203.0.113.7',
    });
  });
});

describe('the claim shapes of each CI provider', () => {
  const base = () => ({ aud: AUD, jti: Math.random().toString(36) });
  const buildkite = (over: Record<string, unknown> = {}) => ({
    ...base(),
    sub: 'organization:acme:pipeline:release:ref:refs/heads/main:commit:0a1b2c:step:publish',
    organization_slug: 'acme',
    pipeline_slug: 'release',
    build_number: 42,
    build_branch: 'main',
    build_commit: '0a1b2c',
    step_key: 'publish',
    job_id: '0190-aaaa',
    agent_id: '0190-bbbb',
    ...over,
  });
  const gitlab = (over: Record<string, unknown> = {}) => ({
    ...base(),
    sub: 'project_path:acme/app:ref_type:branch:ref:main',
    namespace_path: 'acme',
    project_path: 'acme/app',
    project_id: '22',
    ref: 'main',
    ref_type: 'branch',
    ref_protected: 'true',
    pipeline_source: 'push',
    user_login: 'alice',
    ...over,
  });

  beforeAll(async () => {
    await deps.meta.createRepo(repoRecord('acme/ci'), signingKey('acme/ci'));
    // Buildkite: pin the organization (the issuer signs for every organization) and the pipeline's main branch.
    await createTrustPolicy(deps, admin, 'acme/ci', { issuer: issuer.url, audience: AUD, claims: { organization_slug: 'acme', pipeline_slug: 'release', build_branch: 'main' } });
    // GitLab: the project, protected branches only.
    await createTrustPolicy(deps, admin, 'acme/ci', { issuer: issuer.url, audience: AUD, claims: { project_path: 'acme/app', ref_type: 'branch', ref_protected: 'true' } });
  });

  it('accepts Buildkite and GitLab tokens that match, numbers compared as text', async () => {
    await expect(exchange(issuer.token(buildkite(), ec), 'acme/ci')).resolves.toMatchObject({ repo: 'acme/ci' });
    await expect(exchange(issuer.token(gitlab(), rsa), 'acme/ci')).resolves.toMatchObject({ repo: 'acme/ci' });
  });

  it('refuses another organization, another branch, an unprotected ref', async () => {
    for (const claims of [buildkite({ organization_slug: 'evil' }), buildkite({ build_branch: 'feature' }), gitlab({ ref_protected: 'false' }), gitlab({ project_path: 'evil/app' })]) {
      expect((await refusal(exchange(issuer.token(claims, rsa), 'acme/ci'))).code).toBe('OIDC_NO_MATCHING_POLICY');
    }
  });
});

describe('refusals', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it.each<[string, () => string, string]>([
    ['garbage', () => 'not-a-jwt', 'OIDC_MALFORMED_TOKEN'],
    ['a token without sub', () => issuer.token(githubClaims({ sub: undefined }), rsa), 'OIDC_MALFORMED_TOKEN'],
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: issuer.url, ...githubClaims(), exp: now() + 300 })}.`, 'OIDC_UNSIGNED_TOKEN'],
    ['alg none with the signature of a real token', () => {
      const [, p, s] = issuer.token(githubClaims(), rsa).split('.');
      return `${b64({ alg: 'none', kid: 'rsa-1' })}.${p}.${s}`;
    }, 'OIDC_UNSIGNED_TOKEN'],
    ['a token from an issuer the repository does not trust', () => stranger.token(githubClaims()), 'OIDC_UNKNOWN_ISSUER'],
    ['a token claiming a trusted issuer but signed by another key with the same kid', () => signJwt({ ...githubClaims(), iss: issuer.url, exp: now() + 300 }, stranger.keys[0]), 'OIDC_INVALID_SIGNATURE'],
    ['a signature cut short', () => issuer.token(githubClaims(), rsa).slice(0, -10), 'OIDC_INVALID_SIGNATURE'],
    ['claims changed after signing', () => {
      const [h, , s] = issuer.token(githubClaims(), rsa).split('.');
      return `${h}.${b64({ iss: issuer.url, ...githubClaims({ sub: 'repo:acme/app:ref:refs/heads/main', repository: 'acme/app' }), exp: now() + 9999 })}.${s}`;
    }, 'OIDC_INVALID_SIGNATURE'],
    ['a key id the issuer does not publish', () => signJwt({ ...githubClaims(), iss: issuer.url, exp: now() + 300 }, { ...stranger.keys[0], kid: 'nope' }), 'OIDC_UNKNOWN_KEY'],
    ['PS256 under a key published for RS256', () => issuer.token(githubClaims(), rsa, { alg: 'PS256' }), 'OIDC_ALGORITHM_MISMATCH'],
    ['HS256', () => issuer.token(githubClaims(), rsa, { alg: 'HS256' }), 'OIDC_UNSUPPORTED_ALGORITHM'],
    ['an expired token', () => issuer.token(githubClaims({ iat: now() - 900, nbf: now() - 900, exp: now() - 300 }), rsa), 'OIDC_EXPIRED'],
    ['a token not valid yet', () => issuer.token(githubClaims({ nbf: now() + 600, exp: now() + 900 }), rsa), 'OIDC_NOT_YET_VALID'],
    ['a token issued in the future', () => issuer.token(githubClaims({ iat: now() + 600, nbf: undefined, exp: now() + 900 }), rsa), 'OIDC_NOT_YET_VALID'],
    ['the wrong audience', () => issuer.token(githubClaims({ aud: 'https://github.com/acme' }), rsa), 'OIDC_WRONG_AUDIENCE'],
    ['no audience', () => issuer.token(githubClaims({ aud: undefined }), rsa), 'OIDC_WRONG_AUDIENCE'],
    ['another branch', () => issuer.token(githubClaims({ sub: 'repo:acme/app:ref:refs/heads/dev', ref: 'refs/heads/dev' }), rsa), 'OIDC_NO_MATCHING_POLICY'],
    ['another repository', () => issuer.token(githubClaims({ sub: 'repo:evil/app:ref:refs/heads/main', repository: 'evil/app' }), rsa), 'OIDC_NO_MATCHING_POLICY'],
  ])('refuses %s with 401 %s', async (_what, make, code) => {
    const r = await refusal(exchange(make()));
    expect({ status: r.status, code: r.code }).toEqual({ status: 401, code });
  });

  it('never fetches keys for an issuer no policy names', async () => {
    stranger.resetHits();
    await refusal(exchange(stranger.token(githubClaims())));
    expect(stranger.hits).toEqual({ discovery: 0, jwks: 0 });
  });

  it('treats a repository without policies, or without existence, as not trusting the issuer', async () => {
    expect((await refusal(exchange(issuer.token(githubClaims(), rsa), 'acme/empty'))).code).toBe('OIDC_UNKNOWN_ISSUER');
    expect((await refusal(exchange(issuer.token(githubClaims(), rsa), 'acme/ghost'))).code).toBe('OIDC_UNKNOWN_ISSUER');
    // acme/other trusts the issuer for another audience only.
    expect((await refusal(exchange(issuer.token(githubClaims({ repository: 'acme/other' }), rsa), 'acme/other'))).code).toBe('OIDC_WRONG_AUDIENCE');
  });

  it('asks for the token and the repository', async () => {
    expect(await refusal(exchangeOidcToken(deps, { repo: 'acme/app' }))).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    expect(await refusal(exchangeOidcToken(deps, { token: issuer.token(githubClaims(), rsa) }))).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    expect(await refusal(exchangeOidcToken(deps, { token: issuer.token(githubClaims(), rsa), repo: 'no slash' }))).toMatchObject({ code: 'INVALID_REPO_NAME' });
  });
});

describe('trust policy management', () => {
  const valid: TrustPolicyInput = { issuer: 'https://token.actions.githubusercontent.com', audience: AUD, claims: { repository: 'acme/app' } };

  it.each<[string, TrustPolicyInput]>([
    ['no issuer', { ...valid, issuer: undefined }],
    ['a plain-http issuer off loopback', { ...valid, issuer: 'http://token.actions.githubusercontent.com' }],
    ['an issuer with a query', { ...valid, issuer: 'https://gitlab.com/?x=1' }],
    ['no audience', { ...valid, audience: '' }],
    ['no claims', { ...valid, claims: {} }],
    ['claims as a list', { ...valid, claims: ['sub'] as unknown as Record<string, string> }],
    ['only wildcards', { ...valid, claims: { sub: '*', ref: '?*' } }],
    ['a reserved claim', { ...valid, claims: { aud: AUD, sub: 'x' } }],
    ['a bad claim name', { ...valid, claims: { 'a b': 'x' } }],
    ['a non-string pattern', { ...valid, claims: { build_number: 5 as unknown as string } }],
    ['admin permission', { ...valid, permissions: ['admin'] }],
    ['promote permission', { ...valid, permissions: ['push', 'promote'] }],
    ['no permissions', { ...valid, permissions: [] }],
    ['a lifetime under a minute', { ...valid, ttlSeconds: 30 }],
    ['a lifetime over 12 hours', { ...valid, ttlSeconds: 13 * 3600 }],
    ['a fractional lifetime', { ...valid, ttlSeconds: 90.5 }],
  ])('refuses a policy with %s (400 OIDC_INVALID_POLICY)', async (_what, input) => {
    expect(await refusal(createTrustPolicy(deps, admin, 'acme/empty', input))).toMatchObject({ status: 400, code: 'OIDC_INVALID_POLICY' });
  });

  it('needs admin on the repository; a repository admin may, a pusher may not', async () => {
    const pusher = principal({ admin: false, user: 'ci', grants: { 'acme/empty': ['read', 'push'] } });
    expect(await refusal(createTrustPolicy(deps, pusher, 'acme/empty', valid))).toMatchObject({ status: 403 });
    expect(await refusal(listTrustPolicies(deps, pusher, 'acme/empty'))).toMatchObject({ status: 403 });
    const owner = principal({ admin: false, user: 'alice', grants: { 'acme/empty': ['admin'] } });
    const created = await createTrustPolicy(deps, owner, 'acme/empty', valid);
    expect(created).toMatchObject({ repo: 'acme/empty', permissions: ['push'], ttlSeconds: 3600, createdBy: 'alice' });
    expect(await refusal(deleteTrustPolicy(deps, pusher, 'acme/empty', created.id))).toMatchObject({ status: 403 });
    await deleteTrustPolicy(deps, owner, 'acme/empty', created.id);
    expect(await listTrustPolicies(deps, owner, 'acme/empty')).toEqual([]);
  });

  it('answers 404 for a repository that does not exist and a policy that does not', async () => {
    expect(await refusal(createTrustPolicy(deps, admin, 'acme/ghost', valid))).toMatchObject({ status: 404, code: 'REPO_NOT_FOUND' });
    expect(await refusal(deleteTrustPolicy(deps, admin, 'acme/empty', 'oidcp_nope'))).toMatchObject({ status: 404, code: 'OIDC_POLICY_NOT_FOUND' });
  });

  it('lists oldest first, and a deleted policy stops the exchange at once', async () => {
    const listed = await listTrustPolicies(deps, admin, 'acme/app');
    expect(listed.map((p) => p.claims)).toEqual([{ sub: 'repo:acme/app:ref:refs/heads/main', repository: 'acme/*' }, { repository: 'acme/app', ref: 'refs/tags/v*' }]);
    await createTrustPolicy(deps, admin, 'acme/empty', { issuer: issuer.url, audience: AUD, claims: { repository: 'acme/app' } });
    const token = issuer.token(githubClaims(), rsa);
    await expect(exchange(token, 'acme/empty')).resolves.toMatchObject({ repo: 'acme/empty' });
    for (const p of await listTrustPolicies(deps, admin, 'acme/empty')) await deleteTrustPolicy(deps, admin, 'acme/empty', p.id);
    expect((await refusal(exchange(token, 'acme/empty'))).code).toBe('OIDC_UNKNOWN_ISSUER');
  });
});

describe('secrecy', () => {
  it('keeps no JWT, in the table or in the logs', async () => {
    expect(presented.length).toBeGreaterThan(20);
    const stored = JSON.stringify(await scanTable(testClients().doc, table));
    const printed = output.lines.join('\n');
    for (const jwt of presented) {
      const signature = jwt.split('.')[2];
      for (const needle of [jwt, signature].filter((s) => s && s.length > 16)) {
        expect(stored.includes(needle)).toBe(false);
        expect(printed.includes(needle)).toBe(false);
      }
    }
  });
});

function b64(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}
