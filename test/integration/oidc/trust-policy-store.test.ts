import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoMetadataStore } from '../../../shared/aws/dynamo-metadata-store';
import { freshTable, testClients } from '../../support/emulators';
import { policy, refusal, repoRecord, signingKey } from './support/fixtures';

describe('trust policies in DynamoDB Local', () => {
  let store: DynamoMetadataStore;
  let table: string;

  beforeAll(async () => {
    table = await freshTable('oidc');
    store = new DynamoMetadataStore(testClients().doc, table);
    await store.createRepo(repoRecord('acme/app'), signingKey('acme/app'));
    await store.createRepo(repoRecord('acme/other'), signingKey('acme/other'));
  });

  it('stores a policy under its repository (REPO#, OIDC#id) and lists it back as written', async () => {
    const p = policy('acme/app', 'oidcp_one', { claims: { repository: 'acme/*', ref: 'refs/heads/*' }, permissions: ['push', 'yank'] });
    await store.putTrustPolicy(p);
    const raw = await testClients().doc.send(new GetCommand({ TableName: table, Key: { pk: 'REPO#acme/app', sk: 'OIDC#oidcp_one' } }));
    expect(raw.Item).toMatchObject({ entity: 'oidc-policy', issuer: p.issuer, claims: p.claims });
    expect(await store.listTrustPolicies('acme/app')).toEqual([p]);
    expect(await store.listTrustPolicies('acme/other')).toEqual([]);
  });

  it('lists only policies, not the repository\'s other items', async () => {
    await store.putTrustPolicy(policy('acme/app', 'oidcp_two', { audience: 'other' }));
    const ids = (await store.listTrustPolicies('acme/app')).map((p) => p.id).sort();
    expect(ids).toEqual(['oidcp_one', 'oidcp_two']);
  });

  it('refuses a policy for a repository that does not exist, and a duplicate id', async () => {
    const missing = await refusal(store.putTrustPolicy(policy('acme/ghost', 'oidcp_x')));
    expect([missing.status, missing.code]).toEqual([404, 'REPO_NOT_FOUND']);
    expect(await store.listTrustPolicies('acme/ghost')).toEqual([]);
    const dup = await refusal(store.putTrustPolicy(policy('acme/app', 'oidcp_one')));
    expect([dup.status, dup.code]).toEqual([409, 'OIDC_POLICY_EXISTS']);
  });

  it('deletes one policy, and says so when there is none', async () => {
    await store.deleteTrustPolicy('acme/app', 'oidcp_two');
    expect((await store.listTrustPolicies('acme/app')).map((p) => p.id)).toEqual(['oidcp_one']);
    const again = await refusal(store.deleteTrustPolicy('acme/app', 'oidcp_two'));
    expect([again.status, again.code]).toEqual([404, 'OIDC_POLICY_NOT_FOUND']);
    // A policy id of another repository is not reachable through this one.
    await store.putTrustPolicy(policy('acme/other', 'oidcp_theirs'));
    expect((await refusal(store.deleteTrustPolicy('acme/app', 'oidcp_theirs'))).code).toBe('OIDC_POLICY_NOT_FOUND');
  });

  it('goes away with its repository, so a new repository of the same name trusts nobody', async () => {
    await store.deleteRepo('acme/other');
    expect(await store.listTrustPolicies('acme/other')).toEqual([]);
    await store.createRepo(repoRecord('acme/other'), signingKey('acme/other'));
    expect(await store.listTrustPolicies('acme/other')).toEqual([]);
  });
});
