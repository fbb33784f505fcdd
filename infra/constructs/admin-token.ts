import { CustomResource, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import { bindTable } from './bindings';
import { HandlerFunction } from './handler-function';

export interface AdminTokenProps {
  readonly table: ITable;
  /** Raising it mints a new token into the secret and revokes the previous one (lost or leaked token). */
  readonly generation: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The deployment's first administrator token: minted once by a custom resource when the stack is created
 * and put in a Secrets Manager secret, which only principals of this account with secretsmanager access can
 * read. The token is revoked when the stack is deleted.
 */
export class AdminToken extends Construct {
  readonly secret: Secret;
  readonly handler: HandlerFunction;

  constructor(scope: Construct, id: string, props: AdminTokenProps) {
    super(scope, id);
    // Created with a random placeholder; the custom resource replaces it with the token.
    this.secret = new Secret(this, 'Secret', {
      description: 'Packyard: the first administrator token (API token named bootstrap-admin)',
      removalPolicy: props.removalPolicy,
    });
    acknowledge(
      this.secret,
      'AwsSolutions-SMG4',
      'the value is a Packyard API token, rotated through the Packyard API (mint a new admin token, revoke this one), not by a Secrets Manager rotation function',
    );

    this.handler = new HandlerFunction(this, 'Handler', {
      entry: 'functions/bootstrap-admin/handler.ts',
      description: 'Packyard: mint the first administrator token into Secrets Manager (custom resource)',
      timeout: Duration.minutes(1),
      memorySize: 256,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      // A retry would mint a second token; CloudFormation reports a failure instead.
      retryAttempts: 0,
    });
    bindTable(this.handler, props.table);
    this.handler.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:PutSecretValue'], resources: [this.secret.secretArn] }));

    new CustomResource(this, 'Token', {
      serviceToken: this.handler.functionArn,
      resourceType: 'Custom::PackyardAdminToken',
      properties: { SecretId: this.secret.secretArn, Generation: String(props.generation) },
    });
  }
}
