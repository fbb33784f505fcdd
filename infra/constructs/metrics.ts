import { Duration } from 'aws-cdk-lib';
import type { IHttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { MathExpression, Metric, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

/** The period every alarm and graph aggregates over. */
export const PERIOD = Duration.minutes(5);

/** Every CloudWatch metric Packyard's alarms and dashboard read, by namespace and name. */
export const METRIC = {
  lambda: { errors: 'Errors', throttles: 'Throttles', invocations: 'Invocations', duration: 'Duration', iteratorAge: 'IteratorAge' },
  sqs: { visible: 'ApproximateNumberOfMessagesVisible', oldestAge: 'ApproximateAgeOfOldestMessage' },
  httpApi: { requests: 'Count', clientErrors: '4xx', serverErrors: '5xx', latency: 'Latency' },
  cloudFront: { namespace: 'AWS/CloudFront', requests: 'Requests', errorRate4xx: '4xxErrorRate', errorRate5xx: '5xxErrorRate' },
} as const;

/** CloudFront publishes its metrics in us-east-1 only, with this Region dimension. */
export const CLOUDFRONT_METRICS_REGION = 'us-east-1';

export const functionMetric = (fn: IFunction, name: string, statistic: string, label?: string): IMetric =>
  fn.metric(name, { statistic, period: PERIOD, label });

export const queueMetric = (queue: IQueue, name: string, statistic: string, label?: string): IMetric =>
  queue.metric(name, { statistic, period: PERIOD, label });

export const apiMetric = (stage: IHttpStage, name: string, statistic: string, label?: string): IMetric =>
  stage.metric(name, { statistic, period: PERIOD, label });

export const cloudFrontMetric = (distributionId: string, name: string, statistic: string, label?: string): IMetric =>
  new Metric({
    namespace: METRIC.cloudFront.namespace,
    metricName: name,
    dimensionsMap: { DistributionId: distributionId, Region: 'Global' },
    region: CLOUDFRONT_METRICS_REGION,
    statistic,
    period: PERIOD,
    label,
  });

/**
 * Percentage of API requests answered with 5xx, counted only once there are `minRequests` in the period (one
 * failure among three requests is a function error alarm's business, not a rate).
 */
export function apiServerErrorRate(stage: IHttpStage, minRequests: number): IMetric {
  return new MathExpression({
    expression: `IF(requests >= ${minRequests}, 100 * errors / requests, 0)`,
    usingMetrics: {
      requests: apiMetric(stage, METRIC.httpApi.requests, 'Sum'),
      errors: apiMetric(stage, METRIC.httpApi.serverErrors, 'Sum'),
    },
    period: PERIOD,
    label: 'API 5xx %',
  });
}
