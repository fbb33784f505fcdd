import { Duration } from 'aws-cdk-lib';
import type { IHttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface MonitoredFunction {
  readonly name: string;
  readonly fn: IFunction;
}

export interface MonitoredQueue {
  readonly name: string;
  readonly queue: IQueue;
  /** What a message here means and what to do about it (the alarm's runbook). */
  readonly runbook: string;
}

export interface MonitoringProps {
  readonly functions: MonitoredFunction[];
  readonly deadLetterQueues: MonitoredQueue[];
  readonly workQueues: { readonly name: string; readonly queue: IQueue }[];
  readonly apiStage: IHttpStage;
  readonly alarmEmail?: string;
}

const PERIOD = Duration.minutes(5);

/** Alarms for anything that needs a human (a parked message, a failing function) and one dashboard. */
export class Monitoring extends Construct {
  readonly alarmTopic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.alarmTopic = new Topic(this, 'Alarms', { displayName: 'Packyard alarms', enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.alarmTopic);

    for (const d of props.deadLetterQueues) {
      this.addAlarm(`${d.name}Alarm`, d.queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }), d.runbook, action);
    }
    for (const f of props.functions) {
      this.addAlarm(
        `${f.name}ErrorsAlarm`,
        f.fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        `${f.name} threw. Its log group has the stack trace; errors carry a stable code.`,
        action,
      );
    }

    this.dashboard = new Dashboard(this, 'Dashboard', {
      widgets: [
        [
          graph('Invocations', props.functions.map((f) => f.fn.metricInvocations({ label: f.name, period: PERIOD }))),
          graph('Errors', props.functions.map((f) => f.fn.metricErrors({ label: f.name, period: PERIOD }))),
          graph('Duration p99', props.functions.map((f) => f.fn.metricDuration({ label: f.name, period: PERIOD, statistic: 'p99' }))),
        ],
        [
          graph('API requests and errors', [
            props.apiStage.metricCount({ label: 'requests', period: PERIOD }),
            props.apiStage.metricClientError({ label: '4xx', period: PERIOD }),
            props.apiStage.metricServerError({ label: '5xx', period: PERIOD }),
          ]),
          graph('API latency p99', [props.apiStage.metricLatency({ label: 'latency', period: PERIOD, statistic: 'p99' })]),
          graph('Queues (visible messages)', [
            ...props.workQueues.map((q) => q.queue.metricApproximateNumberOfMessagesVisible({ label: q.name, period: PERIOD })),
            ...props.deadLetterQueues.map((q) => q.queue.metricApproximateNumberOfMessagesVisible({ label: q.name, period: PERIOD })),
          ]),
        ],
      ],
    });
  }

  private addAlarm(id: string, metric: IMetric, description: string, action: SnsAction): void {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(action);
    this.alarms.push(alarm);
  }
}

function graph(title: string, metrics: IMetric[]): GraphWidget {
  return new GraphWidget({ title, left: metrics, width: 8 });
}
