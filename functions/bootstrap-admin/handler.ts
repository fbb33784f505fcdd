import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mintBootstrapAdmin, revokeBootstrapAdmin } from '../../shared/app/bootstrap-admin';
import type { AppDeps } from '../../shared/app/deps';
import { awsDeps } from '../../shared/aws/deps';
import { lazy } from '../../shared/http/lazy';
import { log } from '../../shared/http/middleware';
import { sendCfnResponse, type CfnOutcome } from './cfn-response';

/** The custom resource's properties, as the AdminToken construct sets them. */
interface Props {
  ServiceToken: string;
  /** The Secrets Manager secret that receives the token. */
  SecretId: string;
  /** Changed by the operator to replace the token (stack prop adminTokenGeneration). */
  Generation?: string;
}
type Event = CloudFormationCustomResourceEvent<Props>;
type PutSecret = (secretId: string, value: string) => Promise<void>;

/** Token ids are the resource's physical id; a failed create reports another id, which Delete leaves alone. */
const isTokenId = (id: string | undefined): id is string => !!id && id.startsWith('tok_');

/**
 * CloudFormation custom resource: on create, mint the first administrator token into the secret; on delete,
 * revoke it. A changed secret or generation gets a new token (the new physical id makes CloudFormation
 * delete, so revoke, the old one). Every request is answered, failures included, so a stack operation never
 * hangs on it.
 */
export const createBootstrapAdminHandler = (deps: Pick<AppDeps, 'meta' | 'clock'>, putSecret: PutSecret, respond = sendCfnResponse) =>
  middy<Event, void>().handler(async (event) => {
    let outcome: CfnOutcome;
    try {
      outcome = { status: 'SUCCESS', physicalResourceId: await act(deps, putSecret, event) };
    } catch (e) {
      log('error', 'bootstrap admin token failed', { requestType: event.RequestType, error: e instanceof Error ? e.stack ?? e.message : String(e) });
      const reason = `${event.RequestType} failed: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500);
      outcome = { status: 'FAILED', reason, physicalResourceId: 'PhysicalResourceId' in event ? event.PhysicalResourceId : event.LogicalResourceId };
    }
    await respond(event, outcome);
  });

async function act(deps: Pick<AppDeps, 'meta' | 'clock'>, putSecret: PutSecret, event: Event): Promise<string> {
  const secretId = event.ResourceProperties.SecretId;
  switch (event.RequestType) {
    case 'Create':
      return mintBootstrapAdmin(deps, (token) => putSecret(secretId, token));
    case 'Update': {
      const old = event.OldResourceProperties;
      const same = old.SecretId === secretId && old.Generation === event.ResourceProperties.Generation;
      if (same && isTokenId(event.PhysicalResourceId)) return event.PhysicalResourceId;
      return mintBootstrapAdmin(deps, (token) => putSecret(secretId, token));
    }
    case 'Delete':
      if (isTokenId(event.PhysicalResourceId)) await revokeBootstrapAdmin(deps, event.PhysicalResourceId);
      return event.PhysicalResourceId;
  }
}

export const handler = lazy(() => {
  const secrets = new SecretsManagerClient({});
  return createBootstrapAdminHandler(awsDeps(), async (secretId, value) => {
    await secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
  });
});
