import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileKeyWrapper } from '../../../infra/local/file-key-wrapper';
import { APK_KEY_KIND, apkKeyName, ensureApkKey, openApkSigner } from '../../../shared/app/apk-key';
import { DynamoMetadataStore } from '../../../shared/aws/dynamo-metadata-store';
import { S3BlobStore } from '../../../shared/aws/s3-blob-store';
import { PackyardError } from '../../../shared/domain/errors';
import type { RepoRecord } from '../../../shared/domain/repo';
import type { StoredSigningKey } from '../../../shared/ports/metadata-store';
import { runOk } from '../../support/exec';
import { freshBucket, freshTable, testClients } from '../../support/emulators';

const NOW = '2025-01-02T03:04:05.000Z';

const repo = (name: string): RepoRecord => {
  const [owner, r] = name.split('/');
  return { name, owner, repo: r, visibility: 'public', description: '', createdAt: NOW, createdBy: 'alice', signingKeyFingerprint: 'AB', signingKeyType: 'ed25519', packageCount: 0 };
};

const key = (name: string, kind: string, fingerprint: string): StoredSigningKey => ({
  repo: name,
  kind,
  fingerprint,
  algorithm: 'rsa4096',
  publicKeyArmored: `-----BEGIN PUBLIC KEY-----\n${fingerprint}\n-----END PUBLIC KEY-----\n`,
  wrappedDataKey: 'd3JhcHBlZA==',
  iv: 'aXY=',
  tag: 'dGFn',
  ciphertext: 'Y2lwaGVy',
  createdAt: NOW,
});

describe('signing keys made after the repository (DynamoDB Local, s3rver)', () => {
  let store: DynamoMetadataStore;
  let packages: S3BlobStore;
  let dir: string;

  beforeAll(async () => {
    store = new DynamoMetadataStore(testClients().doc, await freshTable('keys'));
    packages = new S3BlobStore(testClients().s3, await freshBucket('keys'));
    dir = await mkdtemp(join(tmpdir(), 'packyard-apk-key-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('putSigningKey stores a key of a new kind beside the OpenPGP one, and keeps the first of a kind', async () => {
    await store.createRepo(repo('acme/one'), key('acme/one', 'openpgp', 'PGP'));
    const first = key('acme/one', APK_KEY_KIND, 'aaaa');
    expect(await store.putSigningKey(first)).toEqual(first);
    expect(await store.getSigningKey('acme/one', APK_KEY_KIND)).toEqual(first);
    expect(await store.getSigningKey('acme/one', 'openpgp')).toEqual(key('acme/one', 'openpgp', 'PGP'));
    // A later writer gets the stored key back, and nothing changes.
    expect(await store.putSigningKey(key('acme/one', APK_KEY_KIND, 'bbbb'))).toEqual(first);
    expect(await store.getSigningKey('acme/one', APK_KEY_KIND)).toEqual(first);
  });

  it('putSigningKey under a race: every writer ends up with the same single winner', async () => {
    await store.createRepo(repo('acme/race'), key('acme/race', 'openpgp', 'PGP'));
    const candidates = ['c1', 'c2', 'c3', 'c4', 'c5'].map((f) => key('acme/race', APK_KEY_KIND, f));
    const results = await Promise.all(candidates.map((k) => store.putSigningKey(k)));
    const winner = await store.getSigningKey('acme/race', APK_KEY_KIND);
    expect(candidates).toContainEqual(winner);
    for (const r of results) expect(r).toEqual(winner);
  });

  it('putSigningKey refuses a key for a repository that does not exist', async () => {
    const e = await store.putSigningKey(key('acme/ghost', APK_KEY_KIND, 'x')).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(PackyardError);
    expect((e as PackyardError).code).toBe('REPO_NOT_FOUND');
    expect(await store.getSigningKey('acme/ghost', APK_KEY_KIND)).toBeUndefined();
  });

  it('deleteRepo removes the Alpine key with the repository', async () => {
    await store.createRepo(repo('acme/gone'), key('acme/gone', 'openpgp', 'PGP'));
    await store.putSigningKey(key('acme/gone', APK_KEY_KIND, 'x'));
    await store.deleteRepo('acme/gone');
    expect(await store.getSigningKey('acme/gone', APK_KEY_KIND)).toBeUndefined();
  });

  it('ensureApkKey: concurrent first uses agree on one wrapped RSA key, publish its PEM, and sign with it', async () => {
    await store.createRepo(repo('acme/alpine'), key('acme/alpine', 'openpgp', 'PGP'));
    const deps = { meta: store, packages, keys: new FileKeyWrapper(join(dir, 'master.key')), clock: { now: () => new Date(NOW) } };
    const [a, b] = await Promise.all([ensureApkKey(deps, 'acme/alpine'), ensureApkKey(deps, 'acme/alpine')]);
    expect(a).toEqual(b);
    expect(await ensureApkKey(deps, 'acme/alpine')).toEqual(a);
    expect(a).toMatchObject({ kind: APK_KEY_KIND, algorithm: 'rsa4096', createdAt: NOW });
    expect(JSON.stringify(a)).not.toMatch(/PRIVATE KEY/);

    const name = apkKeyName(a);
    expect(name).toBe(`acme-alpine-${a.fingerprint.slice(0, 8)}`);
    const published = Buffer.from(await packages.getBytes(`acme/alpine/alpine/${name}.rsa.pub`)).toString('utf8');
    expect(published).toBe(a.publicKeyArmored);
    expect(published).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);

    const signer = await openApkSigner(deps, a);
    expect(signer.keyName).toBe(name);
    await writeFile(join(dir, 'data'), 'index stream');
    await writeFile(join(dir, 'sig'), await signer.sign(Buffer.from('index stream')));
    await writeFile(join(dir, 'pub.pem'), published);
    const verified = await runOk('openssl', ['dgst', '-sha1', '-verify', join(dir, 'pub.pem'), '-signature', join(dir, 'sig'), join(dir, 'data')]);
    expect(verified.stdout).toMatch(/Verified OK/);
  });
});
