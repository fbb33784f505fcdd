import { Aws, CfnCondition, Fn, Stack, Token } from 'aws-cdk-lib';
import type { IHttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  type CfnAlarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  LogQueryWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  apiMetric,
  apiServerErrorRate,
  CLOUDFRONT_METRICS_REGION,
  cloudFrontMetric,
  functionMetric,
  METRIC,
  queueMetric,
} from './metrics';

export interface MonitoredFunction {
  /** Names its alarms (`<name>Errors`, `<name>Throttles`) and graph lines. */
  readonly name: string;
  readonly fn: IFunction;
  readonly logGroup: ILogGroup;
}

export interface MonitoredQueue {
  readonly name: string;
  readonly queue: IQueue;
  /** One line: what a message here means (the alarm description; the runbook says what to do). */
  readonly meaning: string;
}

export interface MonitoringProps {
  readonly functions: MonitoredFunction[];
  readonly deadLetterQueues: MonitoredQueue[];
  readonly rebuildQueue: IQueue;
  /** Its stream iterator age is how far the edge lags behind the table. */
  readonly edgeSync: IFunction;
  readonly apiStage: IHttpStage;
  readonly distributionId: string;
  readonly alarmEmail?: string;
}

/** Thresholds, each explained where it is used. */
export const THRESHOLDS = {
  rebuildQueueAgeSeconds: 15 * 60,
  edgeSyncLagSeconds: 60,
  api5xxPercent: 5,
  api5xxMinRequests: 10,
  cdn5xxPercent: 5,
} as const;

/** Where each alarm's runbook entry is: the heading with the alarm's id in infra/README.md. */
export const runbookAnchor = (alarmId: string) => `infra/README.md#${alarmId.toLowerCase()}`;

/**
 * Alarms for what needs a human (a parked message, a failing or throttled function, a stale index or edge,
 * server errors) and one dashboard. Every alarm is named `<stack>-<id>` and its description ends with the
 * runbook entry of that id.
 */
export class Monitoring extends Construct {
  readonly alarmTopic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.alarmTopic = new Topic(this, 'Alarms', { displayName: 'Packyard alarms', enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.action = new SnsAction(this.alarmTopic);

    for (const f of props.functions) {
      this.alarm(`${f.name}Errors`, functionMetric(f.fn, METRIC.lambda.errors, 'Sum'), 1, `${f.name} failed an invocation.`);
      this.alarm(`${f.name}Throttles`, functionMetric(f.fn, METRIC.lambda.throttles, 'Sum'), 1, `Lambda refused to run ${f.name} (concurrency).`);
    }
    for (const d of props.deadLetterQueues) {
      this.alarm(d.name, queueMetric(d.queue, METRIC.sqs.visible, 'Maximum'), 1, d.meaning);
    }
    this.alarm(
      'RebuildQueueAge',
      queueMetric(props.rebuildQueue, METRIC.sqs.oldestAge, 'Maximum'),
      THRESHOLDS.rebuildQueueAgeSeconds,
      'A rebuild request has waited 15 minutes: indexes are not catching up with uploads.',
    );
    this.alarm(
      'EdgeSyncLag',
      functionMetric(props.edgeSync, METRIC.lambda.iteratorAge, 'Maximum'),
      THRESHOLDS.edgeSyncLagSeconds * 1000,
      'Token and visibility changes reach the edge more than a minute late (revocations included).',
    );
    this.alarm(
      'Api5xxRate',
      apiServerErrorRate(props.apiStage, THRESHOLDS.api5xxMinRequests),
      THRESHOLDS.api5xxPercent,
      'More than 5% of API requests were answered with a server error.',
    );
    this.cloudFrontAlarm(props.distributionId);

    const fns = props.functions;
    const graph = (title: string, metrics: IMetric[]) => new GraphWidget({ title, left: metrics, width: 8 });
    this.dashboard = new Dashboard(this, 'Dashboard', {
      widgets: [
        [
          graph('Invocations', fns.map((f) => functionMetric(f.fn, METRIC.lambda.invocations, 'Sum', f.name))),
          graph('Errors', fns.map((f) => functionMetric(f.fn, METRIC.lambda.errors, 'Sum', f.name))),
          graph('Throttles', fns.map((f) => functionMetric(f.fn, METRIC.lambda.throttles, 'Sum', f.name))),
        ],
        [
          graph('Duration p99 (ms)', fns.map((f) => functionMetric(f.fn, METRIC.lambda.duration, 'p99', f.name))),
          graph('API requests and errors', [
            apiMetric(props.apiStage, METRIC.httpApi.requests, 'Sum', 'requests'),
            apiMetric(props.apiStage, METRIC.httpApi.clientErrors, 'Sum', '4xx'),
            apiMetric(props.apiStage, METRIC.httpApi.serverErrors, 'Sum', '5xx'),
          ]),
          graph('API latency p99 (ms)', [apiMetric(props.apiStage, METRIC.httpApi.latency, 'p99', 'latency')]),
        ],
        [
          graph('Queues (visible messages)', [
            queueMetric(props.rebuildQueue, METRIC.sqs.visible, 'Maximum', 'RebuildQueue'),
            ...props.deadLetterQueues.map((q) => queueMetric(q.queue, METRIC.sqs.visible, 'Maximum', q.name)),
          ]),
          graph('Oldest rebuild request (s)', [queueMetric(props.rebuildQueue, METRIC.sqs.oldestAge, 'Maximum', 'age')]),
          graph('Edge lag behind the table (ms)', [functionMetric(props.edgeSync, METRIC.lambda.iteratorAge, 'Maximum', 'iterator age')]),
        ],
        [
          graph('CloudFront requests', [cloudFrontMetric(props.distributionId, METRIC.cloudFront.requests, 'Sum', 'requests')]),
          graph('CloudFront error rates (%)', [
            cloudFrontMetric(props.distributionId, METRIC.cloudFront.errorRate4xx, 'Average', '4xx'),
            cloudFrontMetric(props.distributionId, METRIC.cloudFront.errorRate5xx, 'Average', '5xx'),
          ]),
          new LogQueryWidget({
            title: 'Recent errors (all functions)',
            width: 8,
            logGroupNames: fns.map((f) => f.logGroup.logGroupName),
            // Lambda's JSON log format puts our structured line under `message`.
            queryLines: [
              'fields @timestamp, @log, requestId, message.message, message.error, errorMessage',
              'filter level = "ERROR"',
              'sort @timestamp desc',
              'limit 50',
            ],
          }),
        ],
      ],
    });
  }

  /** CloudFront's metrics exist only in us-east-1 and an alarm must live in its metric's region. */
  private cloudFrontAlarm(distributionId: string): void {
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region) && region !== CLOUDFRONT_METRICS_REGION) return;
    const alarm = this.alarm(
      'Cdn5xxRate',
      cloudFrontMetric(distributionId, METRIC.cloudFront.errorRate5xx, 'Average'),
      THRESHOLDS.cdn5xxPercent,
      'More than 5% of CloudFront responses were server errors (origin or viewer-request function).',
      2,
    );
    if (Token.isUnresolved(region)) {
      const inUsEast1 = new CfnCondition(this, 'InCloudFrontMetricsRegion', { expression: Fn.conditionEquals(Aws.REGION, CLOUDFRONT_METRICS_REGION) });
      (alarm.node.defaultChild as CfnAlarm).cfnOptions.condition = inUsEast1;
    }
  }

  private alarm(id: string, metric: IMetric, threshold: number, meaning: string, evaluationPeriods = 1): Alarm {
    const alarm = new Alarm(this, id, {
      alarmName: `${Stack.of(this).stackName}-${id}`,
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `${meaning} Runbook: ${runbookAnchor(id)}`,
    });
    // Recovery is announced too, so nobody keeps working on an alarm that has cleared.
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}
