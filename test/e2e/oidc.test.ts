import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { makeDynamoClients } from '../../infra/local/emulators';
import { buildDeb } from '../support/debs';
import { run } from '../support/exec';
import { captureConsole, scanTable } from '../integration/oidc/support/fixtures';
import { githubClaims, LocalIssuer } from '../integration/oidc/support/local-issuer';
import { startHarness, type Harness } from './support/registry';

const AUD = 'https://packyard.example';
const REPO = 'acme/app';

let h: Harness;
let issuer: LocalIssuer;
let debs: string;
/** Every JWT sent to the registry, and what it printed, to prove it kept none of them. */
const jwts: string[] = [];
let output: ReturnType<typeof captureConsole>;

type ErrorBody = { error: { code: string; message: string } };

/** POST /api/v1/oidc/exchange exactly as CI calls it: JSON, no Authorization header. */
async function exchange(token: string, repo = REPO): Promise<{ status: number; body: Record<string, unknown> & Partial<ErrorBody> }> {
  jwts.push(token);
  const res = await h.api.withToken(undefined).call('POST', '/api/v1/oidc/exchange', { token, repo });
  return { status: res.status, body: res.body };
}

beforeAll(async () => {
  output = captureConsole();
  [h, issuer] = await Promise.all([startHarness(), LocalIssuer.start()]);
  issuer.addKey('RS256', 'gh-1');
  debs = join(h.tmp, 'debs');
  await fsp.mkdir(debs);
  for (const name of [REPO, 'acme/other']) expect((await h.api.createRepo(name, 'private')).status).toBe(201);
});

afterAll(async () => {
  output?.restore();
  await issuer?.close();
  await h?.close();
});

describe('trust policies through the API', () => {
  it('needs repository admin: a push token is refused, the admin creates and lists', async () => {
    const pusher = await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'pusher', grants: { [REPO]: ['push'] } });
    const body = { issuer: issuer.url, audience: AUD, claims: { sub: 'repo:acme/app:ref:refs/heads/main', repository: 'acme/app' } };
    const refused = await h.api.withToken(pusher.body.token).call<ErrorBody>('POST', `/api/v1/repos/${REPO}/oidc-policies`, body);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await h.api.withToken(undefined).call('GET', `/api/v1/repos/${REPO}/oidc-policies`)).status).toBe(401);

    const created = await h.api.call<{ id: string; permissions: string[]; ttlSeconds: number }>('POST', `/api/v1/repos/${REPO}/oidc-policies`, body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^oidcp_/), permissions: ['push'], ttlSeconds: 3600 });
    const listed = await h.api.call<{ policies: { id: string }[] }>('GET', `/api/v1/repos/${REPO}/oidc-policies`);
    expect(listed.body.policies.map((p) => p.id)).toEqual([created.body.id]);

    const bad = await h.api.call<ErrorBody>('POST', `/api/v1/repos/${REPO}/oidc-policies`, { ...body, claims: { sub: '*' } });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'OIDC_INVALID_POLICY']);
  });
});

describe('a GitHub Actions job', () => {
  it('exchanges its ID token with curl and pushes a package with the result (the README\'s recipe)', async () => {
    if ((await run('sh', ['-c', 'command -v jq'])).code !== 0) throw new Error('jq is not installed (install it with: apt-get install jq)');
    issuer.actions = { requestToken: 'runtime-secret', claims: githubClaims() };
    const deb = await buildDeb(debs, { name: 'from-ci', version: '1.0-1' });
    // The steps of the README's workflow, run by a shell as the job would run them.
    const script = `set -eu
OIDC_TOKEN=$(curl -fsS -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \\
  "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=${AUD}" | jq -r .value)
PACKYARD_TOKEN=$(curl -fsS -X POST -H 'content-type: application/json' \\
  -d "{\\"token\\": \\"$OIDC_TOKEN\\", \\"repo\\": \\"${REPO}\\"}" \\
  "$PACKYARD_URL/api/v1/oidc/exchange" | jq -r .token)
echo "::add-mask::$PACKYARD_TOKEN"
curl -fsS -H "Authorization: Bearer $PACKYARD_TOKEN" -F distribution=debian/bookworm -F "file=@$DEB" \\
  "$PACKYARD_URL/api/v1/repos/${REPO}/packages" >/dev/null
echo "$OIDC_TOKEN" > "$OUT/oidc"; echo "$PACKYARD_TOKEN" > "$OUT/token"
`;
    const r = await run('bash', ['-c', script], { env: { ...process.env, ...issuer.actionsEnv, PACKYARD_URL: h.url, DEB: deb, OUT: h.tmp } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    jwts.push((await fsp.readFile(join(h.tmp, 'oidc'), 'utf8')).trim());
    const token = (await fsp.readFile(join(h.tmp, 'token'), 'utf8')).trim();
    expect(token).toMatch(/^pky_/);

    const ci = h.api.withToken(token);
    const pkgs = await ci.call<{ packages: { name: string; uploadedBy: string }[] }>('GET', `/api/v1/repos/${REPO}/packages`);
    expect(pkgs.status).toBe(200);
    expect(pkgs.body.packages).toEqual([expect.objectContaining({ name: 'from-ci', uploadedBy: `oidc:${issuer.url}#repo:acme/app:ref:refs/heads/main` })]);
  });

  it('gets a token that pushes to that repository only, and cannot administer it', async () => {
    const out = await exchange(issuer.token(githubClaims({ aud: AUD })));
    expect(out.status).toBe(201);
    expect(out.body).toMatchObject({ repo: REPO, permissions: ['push'], expiresAt: expect.any(String) });
    const ci = h.api.withToken(out.body.token as string);
    const other = await ci.pushDirect('acme/other', 'debian/bookworm', await buildDeb(debs, { name: 'sneaky', version: '1' }));
    expect(other.status).toBe(403);
    expect((await ci.call('GET', '/api/v1/repos/acme/other')).status).toBe(403);
    expect((await ci.call('POST', `/api/v1/repos/${REPO}/oidc-policies`, { issuer: issuer.url, audience: 'x', claims: { sub: 'x' } })).status).toBe(403);
    expect((await ci.call('PATCH', `/api/v1/repos/${REPO}`, { visibility: 'public' })).status).toBe(403);
    // The admin sees it among the API tokens, with its expiry.
    const tokens = await h.api.call<{ tokens: { id: string; expiresAt?: string; user: string }[] }>('GET', '/api/v1/tokens');
    expect(tokens.body.tokens.find((t) => t.id === out.body.id)).toMatchObject({ expiresAt: out.body.expiresAt, user: `oidc:${issuer.url}#repo:acme/app:ref:refs/heads/main` });
  });

  it('is refused, with 401 and a distinct code, for each kind of bad token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const [, payload] = issuer.token(githubClaims({ aud: AUD })).split('.');
    const cases: [string, string][] = [
      ['x.y', 'OIDC_MALFORMED_TOKEN'],
      [`${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`, 'OIDC_UNSIGNED_TOKEN'],
      [issuer.token(githubClaims({ aud: AUD, iat: now - 900, nbf: now - 900, exp: now - 300 })), 'OIDC_EXPIRED'],
      [issuer.token(githubClaims({ aud: 'https://github.com/acme' })), 'OIDC_WRONG_AUDIENCE'],
      [issuer.token(githubClaims({ aud: AUD, sub: 'repo:acme/app:pull_request' })), 'OIDC_NO_MATCHING_POLICY'],
    ];
    for (const [token, code] of cases) {
      const r = await exchange(token);
      expect({ status: r.status, code: r.body.error?.code }).toEqual({ status: 401, code });
    }
    const missing = await h.api.withToken(undefined).call<ErrorBody>('POST', '/api/v1/oidc/exchange', { repo: REPO });
    expect([missing.status, missing.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
  });

  it('leaves an audit trail, and stops working as soon as the policy is deleted', async () => {
    const events = await h.api.call<{ events: { action: string; actor: string }[] }>('GET', `/api/v1/repos/${REPO}/events`);
    const actions = events.body.events.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['oidc.policy-added', 'oidc.exchanged']));
    expect(events.body.events.find((e) => e.action === 'oidc.exchanged')?.actor).toBe(`oidc:${issuer.url}#repo:acme/app:ref:refs/heads/main`);

    const { body } = await h.api.call<{ policies: { id: string }[] }>('GET', `/api/v1/repos/${REPO}/oidc-policies`);
    for (const p of body.policies) expect((await h.api.call('DELETE', `/api/v1/repos/${REPO}/oidc-policies/${p.id}`)).status).toBe(204);
    expect((await h.api.call<ErrorBody>('DELETE', `/api/v1/repos/${REPO}/oidc-policies/${body.policies[0].id}`)).body.error.code).toBe('OIDC_POLICY_NOT_FOUND');
    const r = await exchange(issuer.token(githubClaims({ aud: AUD })));
    expect({ status: r.status, code: r.body.error?.code }).toEqual({ status: 401, code: 'OIDC_UNKNOWN_ISSUER' });
  });

  it('kept no JWT: not in the table, the audit log or the output', async () => {
    expect(jwts.length).toBeGreaterThan(5);
    const stored = JSON.stringify(await scanTable(makeDynamoClients(h.registry.dynamoEndpoint).doc, h.registry.tableName));
    const printed = output.lines.join('\n');
    for (const jwt of jwts) {
      for (const needle of [jwt, jwt.split('.')[2]].filter((s) => s && s.length > 16)) {
        expect(stored.includes(needle)).toBe(false);
        expect(printed.includes(needle)).toBe(false);
      }
    }
  });
});
