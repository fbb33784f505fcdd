import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createBootstrapAdminHandler } from '../../../functions/bootstrap-admin/handler';
import { findPrincipal } from '../../../shared/app/auth';
import { BOOTSTRAP_ADMIN_NAME } from '../../../shared/app/bootstrap-admin';
import { DynamoMetadataStore } from '../../../shared/aws/dynamo-metadata-store';
import { systemClock } from '../../../shared/ports/clock';
import { freshTable, testClients } from '../../support/emulators';

const SECRET = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:packyard-admin-AbCdEf';
const context = {} as Context;

describe('bootstrap-admin custom resource (DynamoDB Local, Secrets Manager mocked, CloudFormation played by a local server)', () => {
  const secrets = new SecretsManagerClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const sm = mockClient(secrets);
  const responses: { method?: string; contentType?: string; body: Record<string, unknown> }[] = [];
  const cfn = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      responses.push({ method: req.method, contentType: req.headers['content-type'], body: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(200).end();
    });
  });
  let responseUrl: string;
  let deps: { meta: DynamoMetadataStore; clock: typeof systemClock };
  const putSecret = async (secretId: string, value: string) => {
    await secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
  };
  const storedSecret = () => sm.commandCalls(PutSecretValueCommand).at(-1)?.args[0].input.SecretString ?? '';

  const base = () => ({
    ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:x',
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/Packyard/1',
    RequestId: `req-${responses.length}`,
    LogicalResourceId: 'AdminTokenToken',
    ResourceType: 'Custom::PackyardAdminToken',
    ResourceProperties: { ServiceToken: 'x', SecretId: SECRET, Generation: '1' },
  });
  const create = (): CloudFormationCustomResourceEvent<{ ServiceToken: string; SecretId: string; Generation?: string }> => ({ ...base(), RequestType: 'Create' });

  beforeAll(async () => {
    process.env.PACKYARD_QUIET = '1';
    await new Promise<void>((r) => cfn.listen(0, '127.0.0.1', r));
    responseUrl = `http://127.0.0.1:${(cfn.address() as AddressInfo).port}/cfn-response?X-Amz-Signature=abc`;
    deps = { meta: new DynamoMetadataStore(testClients().doc, await freshTable('bootstrap-admin')), clock: systemClock };
  });
  beforeEach(() => {
    sm.reset();
    sm.on(PutSecretValueCommand).resolves({ VersionId: 'v1' });
    responses.length = 0;
  });
  afterAll(async () => new Promise((r) => cfn.close(r)));

  it('mints an administrator token into the secret on create and answers CloudFormation with its id', async () => {
    await createBootstrapAdminHandler(deps, putSecret)(create(), context);
    const secret = storedSecret();
    expect(sm.commandCalls(PutSecretValueCommand)[0].args[0].input.SecretId).toBe(SECRET);
    const principal = await findPrincipal(deps, { authorization: `Bearer ${secret}` });
    expect(principal).toMatchObject({ admin: true, kind: 'api', name: BOOTSTRAP_ADMIN_NAME, revoked: false });
    expect(responses).toEqual([
      {
        method: 'PUT',
        contentType: '',
        body: expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: principal?.id, LogicalResourceId: 'AdminTokenToken', RequestId: 'req-0' }),
      },
    ]);
    // The secret travels only to Secrets Manager, never in the response CloudFormation stores.
    expect(JSON.stringify(responses)).not.toContain(secret);
  });

  it('keeps the token on an update that keeps the secret, and revokes it on delete', async () => {
    await createBootstrapAdminHandler(deps, putSecret)(create(), context);
    const secret = storedSecret();
    const id = responses[0].body.PhysicalResourceId as string;
    const handler = createBootstrapAdminHandler(deps, putSecret);

    await handler({ ...base(), RequestType: 'Update', PhysicalResourceId: id, OldResourceProperties: { ServiceToken: 'x', SecretId: SECRET, Generation: '1' } }, context);
    expect(responses[1].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);

    await handler({ ...base(), RequestType: 'Delete', PhysicalResourceId: id }, context);
    expect(responses[2].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(await findPrincipal(deps, { authorization: `Bearer ${secret}` })).toBeUndefined();
  });

  it('replaces a lost token when the operator raises the generation, and the delete that follows revokes the old one', async () => {
    await createBootstrapAdminHandler(deps, putSecret)(create(), context);
    const lost = storedSecret();
    const oldId = responses[0].body.PhysicalResourceId as string;
    const handler = createBootstrapAdminHandler(deps, putSecret);
    await handler(
      { ...base(), RequestType: 'Update', PhysicalResourceId: oldId, ResourceProperties: { ServiceToken: 'x', SecretId: SECRET, Generation: '2' }, OldResourceProperties: { ServiceToken: 'x', SecretId: SECRET, Generation: '1' } },
      context,
    );
    const fresh = storedSecret();
    expect(fresh).not.toBe(lost);
    expect(responses[1].body.PhysicalResourceId).not.toBe(oldId);
    expect(await findPrincipal(deps, { authorization: `Bearer ${fresh}` })).toMatchObject({ admin: true });
    await handler({ ...base(), RequestType: 'Delete', PhysicalResourceId: oldId }, context);
    expect(await findPrincipal(deps, { authorization: `Bearer ${lost}` })).toBeUndefined();
    expect(await findPrincipal(deps, { authorization: `Bearer ${fresh}` })).toMatchObject({ admin: true });
  });

  it('mints a new token into a new secret on update; the old one is revoked by the delete CloudFormation sends next', async () => {
    await createBootstrapAdminHandler(deps, putSecret)(create(), context);
    const oldId = responses[0].body.PhysicalResourceId as string;
    const other = `${SECRET}-2`;
    await createBootstrapAdminHandler(deps, putSecret)(
      { ...base(), RequestType: 'Update', PhysicalResourceId: oldId, ResourceProperties: { ServiceToken: 'x', SecretId: other, Generation: '1' }, OldResourceProperties: { ServiceToken: 'x', SecretId: SECRET, Generation: '1' } },
      context,
    );
    expect(responses[1].body.PhysicalResourceId).not.toBe(oldId);
    expect(sm.commandCalls(PutSecretValueCommand).at(-1)?.args[0].input.SecretId).toBe(other);
  });

  it('reports FAILED (never hangs the stack) and revokes the token when the secret cannot be written', async () => {
    sm.on(PutSecretValueCommand).rejects(new Error('AccessDeniedException: not allowed'));
    const before = (await deps.meta.listTokens('admin')).filter((t) => !t.revoked).length;
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await createBootstrapAdminHandler(deps, putSecret)(create(), context);
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringContaining('bootstrap admin token failed')]);
    errors.mockRestore();
    expect(responses[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'AdminTokenToken', Reason: expect.stringContaining('AccessDeniedException') });
    expect((await deps.meta.listTokens('admin')).filter((t) => !t.revoked)).toHaveLength(before);
    // The rollback's delete names the failed create's id, which is no token: nothing to revoke, still SUCCESS.
    await createBootstrapAdminHandler(deps, putSecret)({ ...base(), RequestType: 'Delete', PhysicalResourceId: 'AdminTokenToken' }, context);
    expect(responses[1].body).toMatchObject({ Status: 'SUCCESS' });
  });
});
