import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { PackyardError } from '../../../shared/domain/errors';
import type { PackageRecord } from '../../../shared/domain/package';
import type { RepoRecord } from '../../../shared/domain/repo';
import type { TokenRecord } from '../../../shared/domain/token';
import type { UploadRecord } from '../../../shared/domain/upload';
import type { FormatId } from '../../../shared/formats/format';
import type { StoredSigningKey } from '../../../shared/ports/metadata-store';
import { DynamoMetadataStore, packageId, packageSortKey } from '../../../shared/aws/dynamo-metadata-store';
import { repoRecord, signingKeyRecord } from '../../support/records';
import { freshTable, testClients } from '../../support/emulators';

const NOW = '2025-01-02T03:04:05.000Z';

const repo = (name: string, extra: Partial<RepoRecord> = {}): RepoRecord =>
  repoRecord(name, { visibility: 'public', description: `the ${name} repository`, createdAt: NOW, createdBy: 'alice', signingKeyType: 'rsa4096', ...extra });

const key = (name: string): StoredSigningKey => signingKeyRecord(name, { algorithm: 'rsa4096', createdAt: NOW });

function pkg(repoName: string, name: string, version: string, opts: { format?: string; scope?: string; arch?: string } = {}): PackageRecord {
  const format = (opts.format ?? 'deb') as FormatId;
  const scope = opts.scope ?? 'debian/bookworm';
  const arch = opts.arch ?? 'amd64';
  return {
    id: packageId(format, scope, name, version, arch),
    repo: repoName,
    format,
    distribution: 'debian/bookworm',
    scope,
    name,
    version,
    arch,
    blobKey: `${repoName}/pool/${name}_${version}_${arch}.deb`,
    filename: `${name}_${version}_${arch}.deb`,
    size: 1234,
    hashes: { md5: 'm', sha1: 's1', sha256: 's256', sha512: 's512' },
    fragment: `Package: ${name}\nVersion: ${version}\nArchitecture: ${arch}\n`,
    metadata: { maintainer: 'Alice <a@example.com>' },
    uploadedAt: NOW,
    uploadedBy: 'alice',
  };
}

function upload(id: string, repoName: string, extra: Partial<UploadRecord> = {}): UploadRecord {
  return {
    id,
    repo: repoName,
    filename: 'hello.deb',
    size: 10,
    sha256: 'a'.repeat(64),
    distribution: 'debian/bookworm',
    incomingKey: `incoming/${id}`,
    status: 'pending',
    createdAt: NOW,
    createdBy: 'alice',
    expiresAt: 1_900_000_000,
    ...extra,
  };
}

function token(id: string, user: string, extra: Partial<TokenRecord> = {}): TokenRecord {
  return {
    hash: `${id}-hash`.padEnd(64, '0'),
    id,
    kind: 'api',
    name: `${id} token`,
    user,
    admin: false,
    grants: { 'acme/tools': ['read', 'push'] },
    createdAt: NOW,
    createdBy: 'admin',
    revoked: false,
    ...extra,
  };
}

async function rejection(p: Promise<unknown>): Promise<PackyardError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PackyardError);
  return e as PackyardError;
}

describe('DynamoMetadataStore against DynamoDB Local', () => {
  let store: DynamoMetadataStore;
  let table: string;

  const itemsUnder = async (pk: string) => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await testClients().doc.send(
        new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ExclusiveStartKey: start }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  };

  beforeAll(async () => {
    table = await freshTable('meta');
    store = new DynamoMetadataStore(testClients().doc, table);
  });

  describe('repositories', () => {
    it('creates a repository with its key, and refuses a second one of the same name', async () => {
      await store.createRepo(repo('acme/tools'), key('acme/tools'));
      expect(await store.getRepo('acme/tools')).toEqual(repo('acme/tools'));
      expect(await store.getSigningKey('acme/tools', 'openpgp')).toEqual(key('acme/tools'));
      expect(await store.getSigningKey('acme/tools', 'apk-rsa')).toBeUndefined();
      expect(await store.getRepo('acme/none')).toBeUndefined();

      const e = await rejection(store.createRepo(repo('acme/tools', { description: 'second' }), key('acme/tools')));
      expect(e).toMatchObject({ status: 409, code: 'REPO_EXISTS' });
      expect((await store.getRepo('acme/tools'))?.description).toBe('the acme/tools repository');
    });

    it('lists repositories, all or by owner (no prefix confusion between owners)', async () => {
      await store.createRepo(repo('acme/web'), key('acme/web'));
      await store.createRepo(repo('acmecorp/x'), key('acmecorp/x'));
      await store.createRepo(repo('zeta/y'), key('zeta/y'));
      expect((await store.listRepos('acme')).map((r) => r.name)).toEqual(['acme/tools', 'acme/web']);
      expect((await store.listRepos('acmecorp')).map((r) => r.name)).toEqual(['acmecorp/x']);
      expect((await store.listRepos('nobody')).map((r) => r.name)).toEqual([]);
      const all = (await store.listRepos()).map((r) => r.name);
      expect(all).toEqual(expect.arrayContaining(['acme/tools', 'acme/web', 'acmecorp/x', 'zeta/y']));
      expect((await store.listRepos('acme'))[0]).toEqual(repo('acme/tools'));
    });

    it('updates visibility and description, 404 for a missing repository', async () => {
      const updated = await store.updateRepo('acme/web', { visibility: 'private', description: 'internal' });
      expect(updated).toEqual(repo('acme/web', { visibility: 'private', description: 'internal' }));
      expect(await store.getRepo('acme/web')).toEqual(updated);
      expect(await store.updateRepo('acme/web', {})).toEqual(updated);
      expect(await rejection(store.updateRepo('acme/none', { description: 'x' }))).toMatchObject({ status: 404, code: 'REPO_NOT_FOUND' });
      expect(await rejection(store.updateRepo('acme/none', {}))).toMatchObject({ status: 404, code: 'REPO_NOT_FOUND' });
      expect(await store.getRepo('acme/none')).toBeUndefined();
    });
  });

  describe('packages', () => {
    beforeAll(async () => {
      await store.createRepo(repo('pk/main'), key('pk/main'));
    });

    it('derives the id from the sort key, and decodes it back', () => {
      expect(packageSortKey('deb', 'debian/bookworm', 'hello', '1.0-1', 'amd64')).toBe('PKG#deb#debian/bookworm#hello#1.0-1#amd64');
      const id = DynamoMetadataStore.packageId('deb', 'debian/bookworm', 'hello', '1.0-1', 'amd64');
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(id, 'base64url').toString()).toBe('deb#debian/bookworm#hello#1.0-1#amd64');
      expect(DynamoMetadataStore.packageSortKey).toBe(packageSortKey);
    });

    it('commits a package and counts it; getPackage finds it by id', async () => {
      const p = pkg('pk/main', 'hello', '1.0-1');
      await store.commitPackage(p);
      expect(await store.getPackage('pk/main', p.id)).toEqual(p);
      expect((await store.getRepo('pk/main'))?.packageCount).toBe(1);
      expect(await store.getPackage('pk/other', p.id)).toBeUndefined();
      expect(await store.getPackage('pk/main', 'not-a-valid-id')).toBeUndefined();
      expect(await store.getPackage('pk/main', '!!')).toBeUndefined();
    });

    it('refuses a duplicate package with 409 and changes nothing (atomic)', async () => {
      const before = await store.getRepo('pk/main');
      const dup = { ...pkg('pk/main', 'hello', '1.0-1'), size: 999 };
      const u = upload('up-dup', 'pk/main', { status: 'accepted' });
      const e = await rejection(store.commitPackage(dup, u));
      expect(e).toMatchObject({ status: 409, code: 'PACKAGE_EXISTS', details: { id: dup.id } });
      expect(e.message).toContain('hello 1.0-1 amd64');
      expect(e.message).toContain('pk/main');
      expect((await store.getRepo('pk/main'))?.packageCount).toBe(before?.packageCount);
      expect((await store.getPackage('pk/main', dup.id))?.size).toBe(1234);
      // The upload write was part of the cancelled transaction.
      expect(await store.findUpload('up-dup')).toBeUndefined();
    });

    it('refuses a commit to a missing repository with 404 and writes nothing', async () => {
      const p = pkg('pk/missing', 'hello', '1.0-1');
      const e = await rejection(store.commitPackage(p, upload('up-missing', 'pk/missing')));
      expect(e).toMatchObject({ status: 404, code: 'REPO_NOT_FOUND' });
      expect(await store.getPackage('pk/missing', p.id)).toBeUndefined();
      expect(await store.findUpload('up-missing')).toBeUndefined();
      expect(await store.getRepo('pk/missing')).toBeUndefined();
    });

    it('commits the upload status with the package', async () => {
      await store.putUpload(upload('up-ok', 'pk/main'));
      const p = pkg('pk/main', 'hello', '1.1-1');
      const { fragment: _f, ...summary } = p;
      await store.commitPackage(p, upload('up-ok', 'pk/main', { status: 'accepted', package: summary }));
      expect(await store.findUpload('up-ok')).toMatchObject({ status: 'accepted', package: summary });
      expect((await store.getRepo('pk/main'))?.packageCount).toBe(2);
    });

    it('refuses a record whose id does not match its identity', async () => {
      const p = { ...pkg('pk/main', 'weird', '1'), id: packageId('deb', 'debian/bookworm', 'other', '1', 'amd64') };
      expect(await rejection(store.commitPackage(p))).toMatchObject({ status: 500, code: 'PACKAGE_ID_MISMATCH' });
    });

    it('counts correctly under concurrent commits to one repository', async () => {
      await store.createRepo(repo('pk/busy'), key('pk/busy'));
      const pkgs = Array.from({ length: 12 }, (_, i) => pkg('pk/busy', `p${i}`, '1.0'));
      await Promise.all(pkgs.map((p) => store.commitPackage(p)));
      expect((await store.getRepo('pk/busy'))?.packageCount).toBe(12);
    });

    it('lists packages in pages with an opaque cursor, optionally by format', async () => {
      await store.createRepo(repo('pk/list'), key('pk/list'));
      const debs = ['a', 'b', 'c', 'd', 'e'].map((n) => pkg('pk/list', n, '1.0'));
      const rpm = pkg('pk/list', 'r', '1.0', { format: 'rpm', scope: 'el/9', arch: 'x86_64' });
      for (const p of [...debs, rpm]) await store.commitPackage(p);

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listPackages('pk/list', { limit: 2, cursor });
        seen.push(...page.items.map((p) => p.name));
        cursor = page.next;
        if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        pages++;
      } while (cursor && pages < 10);
      expect(seen).toEqual(['a', 'b', 'c', 'd', 'e', 'r']);
      expect(pages).toBeGreaterThanOrEqual(3);

      const onlyRpm = await store.listPackages('pk/list', { format: 'rpm' });
      expect(onlyRpm.items).toEqual([rpm]);
      expect(onlyRpm.next).toBeUndefined();
      const all = await store.listPackages('pk/list');
      expect(all.items).toHaveLength(6);

      const first = await store.listPackages('pk/list', { format: 'deb', limit: 2 });
      // A cursor from a deb listing is not valid for an rpm listing, nor is garbage.
      expect(await rejection(store.listPackages('pk/list', { format: 'rpm', cursor: first.next }))).toMatchObject({ status: 400 });
      expect(await rejection(store.listPackages('pk/list', { cursor: 'garbage' }))).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
      expect((await store.listPackages('pk/none')).items).toEqual([]);
    });

    it('lists exactly one scope, every page', async () => {
      await store.createRepo(repo('pk/scope'), key('pk/scope'));
      const big = 'x'.repeat(300_000);
      // Large fragments push the query past DynamoDB's 1 MB page: listScope must follow LastEvaluatedKey.
      const bookworm = Array.from({ length: 5 }, (_, i) => ({ ...pkg('pk/scope', `n${i}`, '1'), fragment: big }));
      const bullseye = pkg('pk/scope', 'n0', '1', { scope: 'debian/bullseye' });
      const prefixTwin = pkg('pk/scope', 'n0', '1', { scope: 'debian/bookworm-backports' });
      for (const p of [...bookworm, bullseye, prefixTwin]) await store.commitPackage(p);
      const listed = await store.listScope('pk/scope', 'deb', 'debian/bookworm');
      expect(listed.map((p) => p.name)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
      expect(listed.every((p) => p.fragment === big)).toBe(true);
      expect((await store.listScope('pk/scope', 'deb', 'debian/bullseye')).map((p) => p.id)).toEqual([bullseye.id]);
      expect(await store.listScope('pk/scope', 'rpm', 'debian/bookworm')).toEqual([]);
    });
  });

  describe('uploads', () => {
    it('stores, finds and replaces uploads, with the TTL attribute', async () => {
      await store.putUpload(upload('u1', 'acme/tools'));
      expect(await store.findUpload('u1')).toEqual(upload('u1', 'acme/tools'));
      expect(await store.getUpload('acme/tools', 'u1')).toEqual(upload('u1', 'acme/tools'));
      expect(await store.getUpload('acme/web', 'u1')).toBeUndefined();
      expect(await store.findUpload('nope')).toBeUndefined();
      const rejected = upload('u1', 'acme/tools', { status: 'rejected', error: { code: 'DEB_INVALID', message: 'bad control' } });
      await store.putUpload(rejected);
      expect(await store.getUpload('acme/tools', 'u1')).toEqual(rejected);
      const [raw] = await itemsUnder('UPLOAD#u1');
      expect(raw).toMatchObject({ sk: 'META', ttl: 1_900_000_000 });
    });
  });

  describe('tokens', () => {
    it('stores tokens by hash, lists them (all or per user) and revokes by id', async () => {
      const a = token('tok_a', 'alice');
      const b = token('tok_b', 'bob', { expiresAt: '2030-01-01T00:00:00.000Z' });
      await store.putToken(a);
      await store.putToken(b);
      expect(await store.getTokenByHash(a.hash)).toEqual(a);
      expect(await store.getTokenByHash('f'.repeat(64))).toBeUndefined();
      expect((await store.listTokens('alice')).map((t) => t.id)).toEqual(['tok_a']);
      expect((await store.listTokens()).map((t) => t.id)).toEqual(expect.arrayContaining(['tok_a', 'tok_b']));
      expect(await store.listTokens('nobody')).toEqual([]);

      await store.revokeToken('tok_b');
      expect(await store.getTokenByHash(b.hash)).toEqual({ ...b, revoked: true });
      expect((await store.getTokenByHash(a.hash))?.revoked).toBe(false);
      expect(await rejection(store.revokeToken('tok_none'))).toMatchObject({ status: 404, code: 'TOKEN_NOT_FOUND' });
      expect(await rejection(store.putToken(a))).toMatchObject({ status: 409 });
    });
  });

  describe('scope state', () => {
    it('stores per-scope publication state', async () => {
      expect(await store.getScopeState('acme/tools', 'deb', 'debian/bookworm')).toBeUndefined();
      const state = { repo: 'acme/tools', format: 'deb', scope: 'debian/bookworm', revision: 3, publishedAt: NOW };
      await store.putScopeState(state);
      await store.putScopeState({ ...state, scope: 'debian/bullseye', revision: 1 });
      expect(await store.getScopeState('acme/tools', 'deb', 'debian/bookworm')).toEqual(state);
      await store.putScopeState({ ...state, revision: 4 });
      expect((await store.getScopeState('acme/tools', 'deb', 'debian/bookworm'))?.revision).toBe(4);
    });
  });

  describe('language-registry state', () => {
    const r = 'lang/state';
    beforeAll(async () => store.createRepo(repo(r), key(r)));

    it('lists every package of a format, across scopes', async () => {
      await store.commitPackage(pkg(r, 'left-pad', '1.0.0', { format: 'npm', scope: 'left-pad', arch: '' }));
      await store.commitPackage(pkg(r, 'left-pad', '1.1.0', { format: 'npm', scope: 'left-pad', arch: '' }));
      await store.commitPackage(pkg(r, '@acme/x', '2.0.0', { format: 'npm', scope: '@acme/x', arch: '' }));
      await store.commitPackage(pkg(r, 'hello', '1.0', { format: 'deb' }));
      expect((await store.listFormat(r, 'npm')).map((p) => `${p.name}@${p.version}`).sort()).toEqual(['@acme/x@2.0.0', 'left-pad@1.0.0', 'left-pad@1.1.0']);
      expect((await store.listScope(r, 'npm', 'left-pad')).map((p) => p.version)).toEqual(['1.0.0', '1.1.0']);
    });

    it('yanks, deprecates and clears, conditionally on the package existing', async () => {
      const id = packageId('npm', 'left-pad', 'left-pad', '1.0.0', '');
      const yanked = await store.updatePackage(r, id, { yanked: { at: NOW, reason: 'broken' }, deprecated: 'use 1.1' });
      expect(yanked).toMatchObject({ id, yanked: { at: NOW, reason: 'broken' }, deprecated: 'use 1.1' });
      expect((await store.getPackage(r, id))?.yanked).toEqual({ at: NOW, reason: 'broken' });
      const cleared = await store.updatePackage(r, id, { yanked: null, deprecated: null });
      expect(cleared.yanked).toBeUndefined();
      expect(cleared.deprecated).toBeUndefined();
      expect(await rejection(store.updatePackage(r, packageId('npm', 'left-pad', 'left-pad', '9.9.9', ''), { yanked: { at: NOW } }))).toMatchObject({ status: 404, code: 'PACKAGE_NOT_FOUND' });
      expect(await rejection(store.updatePackage(r, 'not-an-id!', { yanked: null }))).toMatchObject({ status: 404 });
    });

    it('keeps per-scope attributes (dist-tags) beside the members', async () => {
      expect(await store.getAttributes(r, 'npm', 'left-pad')).toEqual({});
      await store.putAttributes(r, 'npm', 'left-pad', { latest: '1.1.0', beta: '1.0.0' });
      expect(await store.getAttributes(r, 'npm', 'left-pad')).toEqual({ latest: '1.1.0', beta: '1.0.0' });
      // Attributes are not packages.
      expect(await store.listScope(r, 'npm', 'left-pad')).toHaveLength(2);
    });

    it('lists every published scope', async () => {
      await store.putScopeState({ repo: r, format: 'npm', scope: 'left-pad', revision: 1, publishedAt: NOW });
      await store.putScopeState({ repo: r, format: 'deb', scope: 'debian/bookworm', revision: 2, publishedAt: NOW });
      expect((await store.listScopeStates(r)).map((s) => `${s.format} ${s.scope}`).sort()).toEqual(['deb debian/bookworm', 'npm left-pad']);
    });
  });

  describe('signing-key rotation', () => {
    const r = 'rot/ate';
    beforeAll(async () => store.createRepo(repo(r), key(r)));

    it('replaces the current key only if it is still the expected one, keeping the old one beside it', async () => {
      const old = (await store.getSigningKey(r, 'openpgp'))!;
      const next = { ...old, fingerprint: 'NEW1', publicKeyArmored: 'new' };
      await store.replaceSigningKey(next, old.fingerprint, { ...old, retiresAt: NOW }, 'openpgp-previous');
      expect((await store.getSigningKey(r, 'openpgp'))?.fingerprint).toBe('NEW1');
      expect(await store.getSigningKey(r, 'openpgp-previous')).toMatchObject({ fingerprint: old.fingerprint, kind: 'openpgp-previous', retiresAt: NOW });
      expect((await store.getRepo(r))?.signingKeyFingerprint).toBe('NEW1');
      // A second rotation that read the old key loses.
      expect(await rejection(store.replaceSigningKey({ ...old, fingerprint: 'NEW2' }, old.fingerprint, null, 'openpgp-previous'))).toMatchObject({ status: 409, code: 'SIGNING_KEY_CHANGED' });
      await store.replaceSigningKey(next, 'NEW1', null, 'openpgp-previous');
      expect(await store.getSigningKey(r, 'openpgp-previous')).toBeUndefined();
      expect(await rejection(store.replaceSigningKey({ ...next, repo: 'no/such' }, 'NEW1', null, 'openpgp-previous'))).toMatchObject({ status: 404 });
    });
  });

  describe('deleteRepo', () => {
    it('removes every item of the repository and its uploads, and nothing else', async () => {
      await store.createRepo(repo('del/me'), key('del/me'));
      await store.createRepo(repo('del/keep'), key('del/keep'));
      // More than one BatchWriteItem (25) and more than one query page (fragments of 300 kB).
      const many = Array.from({ length: 30 }, (_, i) => pkg('del/me', `p${i}`, '1'));
      many[0] = { ...many[0], fragment: 'y'.repeat(300_000) };
      many[1] = { ...many[1], fragment: 'y'.repeat(300_000) };
      many[2] = { ...many[2], fragment: 'y'.repeat(300_000) };
      many[3] = { ...many[3], fragment: 'y'.repeat(300_000) };
      for (const p of many) await store.commitPackage(p);
      await store.putUpload(upload('del-u1', 'del/me'));
      await store.putUpload(upload('keep-u1', 'del/keep'));
      await store.putScopeState({ repo: 'del/me', format: 'deb', scope: 'debian/bookworm', revision: 1, publishedAt: NOW });
      const kept = pkg('del/keep', 'p0', '1');
      await store.commitPackage(kept);
      expect(await itemsUnder('REPO#del/me')).toHaveLength(1 + 1 + 30 + 1);

      await store.deleteRepo('del/me');
      expect(await itemsUnder('REPO#del/me')).toEqual([]);
      expect(await store.getRepo('del/me')).toBeUndefined();
      expect(await store.getSigningKey('del/me', 'openpgp')).toBeUndefined();
      expect(await store.findUpload('del-u1')).toBeUndefined();
      expect((await store.listRepos('del')).map((r) => r.name)).toEqual(['del/keep']);
      // The neighbour is untouched.
      expect(await store.getPackage('del/keep', kept.id)).toEqual(kept);
      expect(await store.findUpload('keep-u1')).toBeDefined();
      expect((await store.getRepo('del/keep'))?.packageCount).toBe(1);
      // Deleting again is harmless, and the name can be reused.
      await store.deleteRepo('del/me');
      await store.createRepo(repo('del/me'), key('del/me'));
      expect((await store.getRepo('del/me'))?.packageCount).toBe(0);
    });
  });

  it('turns SDK failures into PackyardErrors', async () => {
    const broken = new DynamoMetadataStore(testClients().doc, 'no-such-table');
    const e = await rejection(broken.getRepo('acme/tools'));
    expect(e.status).toBeGreaterThanOrEqual(500);
    expect(e.code).toMatch(/^DYNAMODB_/);
    expect(e.message).toContain('ResourceNotFoundException');
  });
});

/** DynamoDB Local serialises transactions, so the conflicts AWS reports under load are reproduced with a mock. */
describe('DynamoMetadataStore transaction conflicts (mocked; DynamoDB Local never reports them)', () => {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));
  const ddb = mockClient(doc);
  const store = new DynamoMetadataStore(doc, 'table');
  const cancelled = (...codes: string[]) =>
    new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

  beforeEach(() => ddb.reset());

  it('retries a commit that lost a TransactionConflict, then succeeds', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'TransactionConflict')).rejectsOnce(cancelled('None', 'TransactionConflict')).resolves({});
    await store.commitPackage(pkg('acme/tools', 'hello', '1'));
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('gives up after a few conflicts with a retryable 503', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('TransactionConflict', 'None'));
    expect(await rejection(store.commitPackage(pkg('acme/tools', 'hello', '1')))).toMatchObject({ status: 503, code: 'DYNAMODB_UNAVAILABLE' });
    expect(ddb.commandCalls(TransactWriteCommand).length).toBeGreaterThan(1);
  });

  it('does not retry a condition failure', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    expect(await rejection(store.commitPackage(pkg('acme/tools', 'hello', '1')))).toMatchObject({ status: 409, code: 'PACKAGE_EXISTS' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});
