import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IKeyValueStore } from 'aws-cdk-lib/aws-cloudfront';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { API_ROUTES } from '../../functions/api/routes';
import { REGISTRY_ROUTES } from '../../functions/registry/routes';
import { bindIncomingBucket, bindPackagesBucket, bindEdgeTokenKey, bindRebuildQueue, bindSigningKey, bindTable } from './bindings';
import { HandlerFunction } from './handler-function';
import { acknowledge } from '../nag';
import { INCOMING_PREFIX } from '../../shared/config';

export interface ApiProps {
  readonly table: ITable;
  readonly packagesBucket: IBucket;
  readonly incomingBucket: IBucket;
  readonly signingKey: IKey;
  readonly rebuildQueue: IQueue;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** Steady-state and burst request rates for the whole API; management traffic is light. */
const THROTTLE = { rateLimit: 50, burstLimit: 100 };

/** The management REST API: one HTTP API route per entry in API_ROUTES, all served by one function. */
export class Api extends Construct {
  readonly handler: HandlerFunction;
  /** The native registries' write endpoints (npm publish, twine upload, mvn deploy...) and dynamic reads. */
  readonly registryHandler: HandlerFunction;
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.handler = new HandlerFunction(this, 'Handler', {
      entry: 'functions/api/handler.ts',
      description: 'Packyard management API',
      // API Gateway gives up on an integration after 30 s.
      timeout: Duration.seconds(29),
      // One full vCPU: creating a repository generates an RSA-4096 signing key.
      memorySize: 1769,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    bindTable(this.handler, props.table);
    bindPackagesBucket(this.handler, props.packagesBucket, { delete: true });
    bindIncomingBucket(this.handler, props.incomingBucket, 'presign', INCOMING_PREFIX);
    bindSigningKey(this.handler, props.signingKey, 'wrap');
    bindEdgeTokenKey(this.handler, props.signingKey);
    bindRebuildQueue(this.handler, props.rebuildQueue);

    this.registryHandler = new HandlerFunction(this, 'RegistryHandler', {
      entry: 'functions/registry/handler.ts',
      description: 'Packyard native registry endpoints (npm, PyPI, Maven, RubyGems, Cargo, Helm, NuGet)',
      timeout: Duration.seconds(29),
      // A publish body is up to 6 MB, decoded and unpacked in memory.
      memorySize: 1024,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    // Ingest writes pool files and records and queues a rebuild; it never deletes, presigns or unwraps keys.
    bindTable(this.registryHandler, props.table);
    bindPackagesBucket(this.registryHandler, props.packagesBucket, { delete: false });
    bindRebuildQueue(this.registryHandler, props.rebuildQueue);

    // Throttling and access logs are stage settings, so the $default stage is declared explicitly.
    this.httpApi = new HttpApi(this, 'HttpApi', { description: 'Packyard management API', createDefaultStage: false });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: THROTTLE,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: accessLogFormat() },
    });

    // Not 'Default': that id collides with the default route's logical id.
    const integration = new HttpLambdaIntegration('ApiHandlerIntegration', this.handler);
    for (const key of API_ROUTES) {
      const [method, path] = key.split(' ');
      this.httpApi.addRoutes({ path, methods: [httpMethod(method)], integration });
    }
    const registry = new HttpLambdaIntegration('RegistryHandlerIntegration', this.registryHandler);
    for (const key of REGISTRY_ROUTES) this.httpApi.addRoutes({ path: key.split(' ')[1], methods: [HttpMethod.ANY], integration: registry });
    acknowledge(
      this.httpApi,
      'AwsSolutions-APIG4',
      'every route authenticates in the handler with Packyard tokens in the forms native clients send (Basic user or password, Bearer, raw); an API Gateway authorizer cannot express per-repository permissions',
    );
  }
}

function httpMethod(method: string): HttpMethod {
  const m = Object.values(HttpMethod).find((v) => v === method);
  if (!m) throw new Error(`API_ROUTES holds an unknown HTTP method: ${method}`);
  return m;
}

function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      time: '$context.requestTime',
      method: '$context.httpMethod',
      routeKey: '$context.routeKey',
      status: '$context.status',
      bytes: '$context.responseLength',
      latencyMs: '$context.responseLatency',
      integrationError: '$context.integrationErrorMessage',
      userAgent: '$context.identity.userAgent',
    }),
  );
}
