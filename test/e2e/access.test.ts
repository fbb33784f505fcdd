import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { makeDynamoClients } from '../../infra/local/emulators';
import { buildDeb } from '../support/debs';
import { run } from '../support/exec';
import { AptClient } from './support/apt';
import { startHarness, type Harness } from './support/registry';

let h: Harness;
let debs: string;
const secrets: string[] = [];

type Kind =
  | 'anonymous'
  | 'admin'
  | 'owner'
  | 'collaborator'
  | 'api-push'
  | 'api-read'
  | 'api-other'
  | 'master'
  | 'read'
  | 'revoked-read'
  | 'orphaned-read'
  | 'revoked-api';
const tokens = {} as Record<Kind, string | undefined>;

const post = async <T = Record<string, unknown>>(path: string, body: unknown, token = h.admin) => {
  const res = await h.api.withToken(token).call<T>('POST', path, body);
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};

/** Mints a read token the way the install scripts do: `curl -u MASTER: -d name=HOST .../tokens.text`. */
async function mint(repo: string, master: string | undefined, host: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${h.url}/install/repositories/${repo}/tokens.text`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(master ? { authorization: 'Basic ' + Buffer.from(`${master}:`).toString('base64') } : {}) },
    body: new URLSearchParams({ name: host }).toString(),
  });
  return { status: res.status, body: (await res.text()).trim() };
}

beforeAll(async () => {
  h = await startHarness();
  debs = join(h.tmp, 'debs');
  await fsp.mkdir(debs);
  // alice owns alice/pub and alice/priv; bob collaborates with push; carol/other is unrelated.
  const alice = await post<{ token: { token: string } }>('/api/v1/users', { name: 'alice' });
  const bob = await post<{ token: { token: string } }>('/api/v1/users', { name: 'bob' });
  tokens.owner = alice.token.token;
  tokens.collaborator = bob.token.token;
  for (const [name, visibility] of [['alice/pub', 'public'], ['alice/priv', 'private'], ['carol/other', 'private']] as const) {
    const repo = await post<{ masterToken: { token: string } }>('/api/v1/repos', { name, visibility, signingKey: 'ed25519' }, tokens.owner && name.startsWith('alice/') ? tokens.owner : h.admin);
    secrets.push(repo.masterToken.token);
    await h.api.pushDirect(name, 'debian/bookworm', await buildDeb(debs, { name: `seed-${name.replace('/', '-')}`, version: '1' }));
    if (name.startsWith('alice/')) await post(`/api/v1/repos/${name}/collaborators`, { user: 'bob', permissions: ['push'] }, tokens.owner);
  }
  tokens.admin = h.admin;
  tokens.anonymous = undefined;
  const api = async (name: string, grants: Record<string, string[]>) => (await post<{ token: string; id: string }>('/api/v1/tokens', { name, grants }));
  const grantBoth = (perms: string[]) => ({ 'alice/pub': perms, 'alice/priv': perms });
  tokens['api-push'] = (await api('pusher', grantBoth(['push']))).token;
  tokens['api-read'] = (await api('reader', grantBoth(['read']))).token;
  tokens['api-other'] = (await api('other', { 'carol/other': ['read', 'push'] })).token;
  const revokedApi = await api('gone', grantBoth(['push']));
  tokens['revoked-api'] = revokedApi.token;
  expect((await h.api.call('DELETE', `/api/v1/tokens/${revokedApi.id}`)).status).toBe(204);

  // Master and read tokens exist per repository: the cells below use each repository's own.
  await h.registry.idle();
  secrets.push(...Object.values(tokens).filter((t): t is string => !!t));
});
afterAll(async () => h?.close());

/** Per-repository master/read tokens, made on demand (a master of alice/pub does nothing on alice/priv). */
const perRepo = new Map<string, Partial<Record<Kind, string>>>();
async function repoTokens(repo: string): Promise<Partial<Record<Kind, string>>> {
  const cached = perRepo.get(repo);
  if (cached) return cached;
  const master = (await post<{ token: string; id: string }>(`/api/v1/repos/${repo}/master-tokens`, { name: 'ci' })).token;
  const read = await mint(repo, master, 'web-01');
  const revoked = await mint(repo, master, 'web-02');
  const list = await h.api.call<{ tokens: { id: string; name: string }[] }>('GET', `/api/v1/repos/${repo}/master-tokens`);
  const masterId = list.body.tokens.find((t) => t.name === 'ci')!.id;
  const reads = await h.api.call<{ tokens: { id: string; name: string }[] }>('GET', `/api/v1/repos/${repo}/master-tokens/${masterId}/read-tokens`);
  const web02 = reads.body.tokens.find((t) => t.name === 'web-02')!.id;
  expect((await h.api.call('DELETE', `/api/v1/repos/${repo}/read-tokens/${web02}`)).status).toBe(204);
  const doomed = (await post<{ token: string; id: string }>(`/api/v1/repos/${repo}/master-tokens`, { name: 'doomed' }));
  const orphan = await mint(repo, doomed.token, 'web-03');
  expect((await h.api.call('DELETE', `/api/v1/repos/${repo}/master-tokens/${doomed.id}`)).status).toBe(204);
  const t = { master, read: read.body, 'revoked-read': revoked.body, 'orphaned-read': orphan.body };
  secrets.push(...Object.values(t));
  perRepo.set(repo, t);
  return t;
}

async function credential(kind: Kind, repo: string): Promise<string | undefined> {
  if (kind === 'master' || kind.endsWith('read') && kind !== 'api-read') return (await repoTokens(repo))[kind];
  return tokens[kind];
}

const auth = (t: string | undefined): Record<string, string> => (t ? { authorization: `Bearer ${t}` } : {});
let seq = 0;

type Action = 'download' | 'api-read' | 'push' | 'admin' | 'mint';
const actions: Record<Action, (repo: string, t: string | undefined) => Promise<number>> = {
  download: async (repo, t) => (await fetch(`${h.url}/${repo}/debian/dists/bookworm/InRelease`, { headers: auth(t) })).status,
  'api-read': async (repo, t) => (await h.api.withToken(t).call('GET', `/api/v1/repos/${repo}/packages`)).status,
  push: async (repo, t) => (await h.api.withToken(t).pushDirect(repo, 'debian/bookworm', await buildDeb(debs, { name: 'cell', version: `1.${++seq}` }))).status,
  admin: async (repo, t) => (await h.api.withToken(t).call('PATCH', `/api/v1/repos/${repo}`, { description: `edited ${++seq}` })).status,
  mint: async (repo, t) => (await mint(repo, t, `host-${++seq}`)).status,
};

// Expected status per (credential kind, action) on alice/pub and alice/priv.
const OK = { download: 200, 'api-read': 200, push: 201, admin: 200, mint: 403 };
const expected = (kind: Kind, visibility: 'public' | 'private'): Record<Action, number> => {
  const pub = (privateStatus: number) => (visibility === 'public' ? 200 : privateStatus);
  switch (kind) {
    case 'anonymous':
      return { download: pub(401), 'api-read': 401, push: 401, admin: 401, mint: 401 };
    case 'admin':
    case 'owner':
      return OK;
    case 'collaborator':
    case 'api-push':
      return { ...OK, admin: 403 };
    case 'api-read':
      return { download: 200, 'api-read': 200, push: 403, admin: 403, mint: 403 };
    case 'api-other':
      return { download: pub(401), 'api-read': 403, push: 403, admin: 403, mint: 403 };
    case 'master':
      return { download: pub(401), 'api-read': 403, push: 403, admin: 403, mint: 201 };
    case 'read':
      return { download: 200, 'api-read': 200, push: 403, admin: 403, mint: 403 };
    case 'revoked-read':
    case 'orphaned-read':
    case 'revoked-api':
      return { download: pub(401), 'api-read': 401, push: 401, admin: 401, mint: 401 };
  }
};

const KINDS: Kind[] = ['anonymous', 'admin', 'owner', 'collaborator', 'api-push', 'api-read', 'api-other', 'master', 'read', 'revoked-read', 'orphaned-read', 'revoked-api'];

describe.each(['public', 'private'] as const)('authorization on a %s repository', (visibility) => {
  const repo = visibility === 'public' ? 'alice/pub' : 'alice/priv';
  it.each(KINDS)('%s', async (kind) => {
    const t = await credential(kind, repo);
    const got: Record<string, number> = {};
    for (const a of Object.keys(actions) as Action[]) got[a] = await actions[a](repo, t);
    expect(got).toEqual(expected(kind, visibility));
  });
});

describe('token hierarchy', () => {
  it('does not let one repository\'s tokens open another', async () => {
    const other = await repoTokens('carol/other');
    expect(await actions.download('alice/priv', other.read)).toBe(401);
    expect((await mint('alice/priv', other.master, 'x')).status).toBe(403);
    expect(await actions.download('carol/other', other.read)).toBe(200);
  });

  it('serves apt-get with a minted read token and stops at once when it or its master is revoked', async () => {
    const master = (await post<{ token: string; id: string }>('/api/v1/repos/alice/priv/master-tokens', { name: 'fleet' }));
    const minted = await run('curl', ['-fsS', '-u', `${master.token}:`, '-d', 'name=build-07', `${h.url}/install/repositories/alice/priv/tokens.text`]);
    expect(minted.code).toBe(0);
    const readToken = minted.stdout.trim();
    expect(readToken).toMatch(/^pky_/);
    const host = new URL(h.url).host;
    const apt = await AptClient.create(join(h.tmp, 'apt-read-token'));
    const key = await (await fetch(`${h.url}/alice/priv/gpgkey`, { headers: auth(readToken) })).text();
    await apt.setSource(`deb [signed-by={key}] ${h.url}/alice/priv/debian bookworm main`, key, { machine: `http://${host}/alice/priv`, login: readToken, password: '' });
    expect((await apt.update()).code).toBe(0);
    expect(await apt.candidate('seed-alice-priv')).toBe('1');

    const reads = await h.api.call<{ tokens: { id: string; name: string }[] }>('GET', `/api/v1/repos/alice/priv/master-tokens/${master.id}/read-tokens`);
    expect(reads.body.tokens.map((t) => t.name)).toEqual(['build-07']);
    const second = await mint('alice/priv', master.token, 'build-08');
    expect((await h.api.call('DELETE', `/api/v1/repos/alice/priv/read-tokens/${reads.body.tokens[0].id}`)).status).toBe(204);
    const refused = await apt.update();
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/401/);
    expect(await actions.download('alice/priv', second.body)).toBe(200);
    expect((await h.api.call('DELETE', `/api/v1/repos/alice/priv/master-tokens/${master.id}`)).status).toBe(204);
    expect(await actions.download('alice/priv', second.body)).toBe(401);
    expect((await mint('alice/priv', master.token, 'build-09')).status).toBe(401);
  });

  it('keeps a collaborator to the repositories it was invited to', async () => {
    expect(await actions.push('carol/other', tokens.collaborator)).toBe(403);
    expect((await h.api.withToken(tokens.collaborator).call('POST', '/api/v1/repos/alice/priv/collaborators', { user: 'bob', permissions: ['admin'] })).status).toBe(403);
    expect((await h.api.withToken(tokens.owner).call('DELETE', '/api/v1/repos/alice/priv/collaborators/bob')).status).toBe(204);
    expect(await actions.push('alice/priv', tokens.collaborator)).toBe(403);
    expect((await h.api.withToken(tokens.owner).call('POST', '/api/v1/repos', { name: 'bob/x', signingKey: 'ed25519' })).status).toBe(403);
  });

  it('never stores a token in clear', async () => {
    const { doc } = makeDynamoClients(h.registry.dynamoEndpoint);
    const items: unknown[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: h.registry.tableName, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    const dump = JSON.stringify(items);
    expect(secrets.length).toBeGreaterThan(15);
    for (const s of secrets) expect(dump.includes(s)).toBe(false);
    // ...and the hashes are there, so the check looked at the right table.
    expect(dump).toContain('"kind":"read"');
  });
});

describe('audit log', () => {
  it('records every change with actor, time, source IP and target, and no secret', async () => {
    const rejected = await h.api.pushDirect('alice/priv', 'debian/bookworm', await buildDeb(debs, { name: 'bad', version: '1', rawControl: 'Package: bad\nVersion: one two\nArchitecture: amd64\nMaintainer: m\nDescription: d\n' }));
    expect(rejected.status).toBe(400);
    const events = await h.api.call<{ events: { action: string; actor: string; sourceIp?: string; target: string; time: string }[] }>('GET', '/api/v1/repos/alice/priv/events?limit=1000');
    expect(events.status).toBe(200);
    const actions = new Set(events.body.events.map((e) => e.action));
    for (const a of ['repo.created', 'repo.updated', 'package.accepted', 'package.rejected', 'master-token.created', 'master-token.revoked', 'read-token.minted', 'read-token.revoked', 'collaborator.added', 'collaborator.removed']) {
      expect([a, actions.has(a)]).toEqual([a, true]);
    }
    const created = events.body.events.find((e) => e.action === 'repo.created')!;
    expect(created).toMatchObject({ actor: 'alice', target: 'alice/priv', sourceIp: expect.stringMatching(/127\.0\.0\.1/) });
    const times = events.body.events.map((e) => e.time);
    expect([...times].sort().reverse()).toEqual(times);
    const dump = JSON.stringify(events.body);
    for (const s of secrets) expect(dump.includes(s)).toBe(false);

    const global = await h.api.call<{ events: { action: string }[] }>('GET', '/api/v1/events');
    expect(global.body.events.map((e) => e.action)).toEqual(expect.arrayContaining(['user.created', 'token.created', 'token.revoked']));
    expect((await h.api.withToken(tokens.collaborator).call('GET', '/api/v1/repos/alice/pub/events')).status).toBe(403);
    const paged = await h.api.call<{ events: unknown[]; next?: string }>('GET', '/api/v1/repos/alice/priv/events?limit=2');
    expect(paged.body.events).toHaveLength(2);
    const next = await h.api.call<{ events: { time: string }[] }>('GET', `/api/v1/repos/alice/priv/events?limit=2&cursor=${paged.body.next}`);
    expect(next.body.events[0].time <= (paged.body.events[1] as { time: string }).time).toBe(true);
  });
});
