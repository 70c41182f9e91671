import { Aws, CfnMapping, Duration } from 'aws-cdk-lib';
import type { HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FilterPattern, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  type BusinessMetricName,
  businessMetricNames,
  failedRequestsMetricName,
} from '../../backend/handlers/business-metrics.ts';
import { commonEnvironment } from '../../backend/http/routes.ts';
import { tableOperations, type WhiteboardFunction } from './whiteboard-function.ts';

/**
 * The EMF metrics the functions publish through Powertools Metrics
 * (backend/handlers/instrument.ts). Their namespace is per stage and read from the functions
 * (`metricsNamespaceOf`), not fixed here.
 */
export const businessMetrics = {
  service: commonEnvironment.POWERTOOLS_SERVICE_NAME,
  names: Object.values(businessMetricNames),
  /** Powertools' `captureColdStartMetric`: dimensions `service` and `function_name`. */
  coldStart: 'ColdStart',
  /** Dimensions `service` and `function_name` too. */
  failedRequests: failedRequestsMetricName,
} as const;

/**
 * The one namespace the given functions publish to, as set in their environment: the dashboard
 * reads what the functions write, so the two cannot disagree. Throws if they write to several.
 */
export const metricsNamespaceOf = (functions: readonly WhiteboardFunction[]): string => {
  const namespaces = [...new Set(functions.map((fn) => fn.metricsNamespace))];
  if (namespaces.length !== 1 || namespaces[0] === undefined) {
    throw new Error(
      `the functions of a stage must share one metrics namespace, got ${JSON.stringify(namespaces)}`,
    );
  }
  return namespaces[0];
};

/**
 * The AWS Management Console's domain in each partition, so that the dashboard's link works where
 * the stack is deployed (cdk.json targets `aws` and `aws-cn`). "Open the CloudWatch console at
 * https://console.amazonaws.cn/cloudwatch/" in the China Regions (API Gateway Developer Guide, "View
 * API Gateway metrics in the CloudWatch console", docs.amazonaws.cn); AWS GovCloud (US) has its own
 * console under amazonaws-us-gov.com (AWS GovCloud (US) User Guide, "AWS Identity and Access
 * Management in AWS GovCloud (US)"). A partition missing here would fail the deployment.
 */
export const consoleDomains = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
} as const;

/** When each alarm fires. Every alarm looks at 5-minute periods and treats missing data as fine. */
export const alarmThresholds = {
  /** Share of API requests answered with a 5xx, in percent. */
  api5xxRatePercent: 5,
  /**
   * 5xx answers a 5-minute period must hold for its rate to count; with fewer, the rate is 0.
   * Without this a lone 5xx in a quiet period is a rate of 100 % and pages. A count of errors,
   * not of requests: an API that fails every request still pages at any volume (3 failed
   * requests in 5 minutes), which a minimum of requests would hide in a quiet period, since the
   * handlers answer their own failures with a 500 that Lambda does not count as a function error.
   */
  api5xxMinErrors: 3,
  /**
   * API latency (p90, ms, from the request's arrival to the answer) a period must reach. Warm
   * requests take tens of milliseconds; a DynamoDB that slows down without failing makes every
   * request slow without a 5xx, and only this alarm sees it.
   */
  apiLatencyP90Ms: 1_000,
  /**
   * Requests a period must hold for its latency to count; with fewer, it is 0. In a quiet period
   * the p90 of a few requests is their slowest, often a cold start.
   */
  apiLatencyMinRequests: 20,
  /** Function errors (unhandled exceptions, timeouts, crashes) in one period. */
  functionErrors: 1,
  functionThrottles: 1,
  /**
   * Requests a function answered with a 5xx itself (its FailedRequests metric) in one period.
   * Lambda counts those invocations as successes, so no Errors alarm sees them, and the API's 5xx
   * rate can hide them: reads outnumber posts (`whiteboard read --follow` polls), so every post may
   * fail while the API as a whole stays under its rate. From 3 on, so that one or two stray
   * failures (a DynamoDB hiccup the SDK's retries did not cover) do not page.
   */
  functionFailedRequests: 3,
  /**
   * Requests API Gateway turned away with a 429 (a route's throttle, settings.ts) in one period:
   * clients are being refused by our own limit, which docs/scaling.md says is the first one a
   * growing board meets. A short burst over it is what the throttle is for; 10 in 5 minutes is
   * more than a burst.
   */
  apiThrottledRequests: 10,
  /** DynamoDB requests throttled in one period (on-demand tables still throttle above their peak). */
  tableThrottles: 1,
} as const;

/** Requests API Gateway throttled (429), counted from the access log by a metric filter. */
export const apiThrottledMetricName = 'ApiThrottledRequests';

const PERIOD = Duration.minutes(5);
const GRAPH_PERIOD = Duration.minutes(1);

export interface WhiteboardObservabilityProps {
  readonly stage: string;
  readonly apiStage: HttpStage;
  /** The API's access log (whiteboard-api.ts `accessLogFields`), where its throttled requests show. */
  readonly accessLogGroup: ILogGroup;
  readonly functions: readonly WhiteboardFunction[];
  readonly table: Table;
  readonly alarmEmail: string | undefined;
}

/**
 * The CloudWatch dashboard of a stage and the alarms that page someone: API, functions, table and
 * the business metrics. Alarms notify an SNS topic (and an e-mail address when one is configured).
 */
export class WhiteboardObservability extends Construct {
  readonly dashboard: Dashboard;
  readonly dashboardName: string;
  readonly alarmTopic: Topic;
  readonly alarms: Alarm[] = [];
  /** The dashboard in the CloudWatch console of the stack's partition and Region. */
  readonly dashboardUrl: string;
  readonly #stage: string;
  readonly #alarmAction: SnsAction;

  constructor(scope: Construct, id: string, props: WhiteboardObservabilityProps) {
    super(scope, id);
    this.#stage = props.stage;
    const namespace = metricsNamespaceOf(props.functions);
    this.alarmTopic = this.#createAlarmTopic(props.alarmEmail);
    this.#alarmAction = new SnsAction(this.alarmTopic);

    // Each section creates its alarms and returns its row of the dashboard.
    const apiRow = this.#apiSection(props.apiStage, props.accessLogGroup, namespace);
    const functionRow = props.functions.flatMap((fn) => this.#functionSection(fn, namespace));
    const tableRow = this.#tableSection(props.table, props.functions);
    const businessRow = businessSection(namespace);

    // Dashboards are global to an account ("All dashboards in your account are global, not
    // region-specific": CloudFormation, AWS::CloudWatch::Dashboard), stacks are per Region: the
    // same stage in two Regions would share one dashboard.
    this.dashboardName = `Whiteboard-${props.stage}-${Aws.REGION}`;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: this.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    const consoleDomain = new CfnMapping(this, 'ConsoleDomain', {
      mapping: Object.fromEntries(
        Object.entries(consoleDomains).map(([partition, domain]) => [partition, { domain }]),
      ),
    }).findInMap(Aws.PARTITION, 'domain');
    this.dashboardUrl = `https://${consoleDomain}/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${this.dashboardName}`;
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Whiteboard ${props.stage}\nAPI Gateway, Lambda, DynamoDB and business metrics. Traces: X-Ray trace map.`,
        width: 18,
        height: 2,
      }),
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 6, height: 2 }),
    );
    for (const row of [apiRow, functionRow, tableRow, businessRow]) this.dashboard.addWidgets(...row);
  }

  /** The SNS topic every alarm notifies, on alarm and back to OK. */
  #createAlarmTopic(alarmEmail: string | undefined): Topic {
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: `Whiteboard ${this.#stage} alarms`,
      // A topic policy that denies publishing over plain HTTP (cdk-nag AwsSolutions-SNS3).
      enforceSSL: true,
    });
    // That policy replaces the topic's default one, which is what let CloudWatch publish: without
    // this statement every alarm action fails with "not authorized to perform: SNS:Publish ...
    // because no resource-based policy allows" (AWS Knowledge Center, "Why didn't I receive an SNS
    // notification for my CloudWatch alarm trigger?"). Only this account's alarms may publish.
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
          },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
    if (alarmEmail) topic.addSubscription(new EmailSubscription(alarmEmail));
    return topic;
  }

  /** An alarm on one 5-minute period at or over `threshold`, notifying the topic. */
  #alarm(alarmId: string, metric: IMetric, threshold: number, description: string): Alarm {
    const created = new Alarm(this, alarmId, {
      metric,
      alarmDescription: `Whiteboard ${this.#stage}: ${description}`,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    created.addAlarmAction(this.#alarmAction);
    created.addOkAction(this.#alarmAction);
    this.alarms.push(created);
    return created;
  }

  /** API Gateway (namespace AWS/ApiGateway, dimensions ApiId and Stage: "HTTP API metrics"). */
  #apiSection(apiStage: HttpStage, accessLogGroup: ILogGroup, namespace: string): GraphWidget[] {
    const requests = apiStage.metricCount({ statistic: Stats.SUM, period: GRAPH_PERIOD, label: 'Requests' });
    const clientErrors = apiStage.metricClientError({
      statistic: Stats.SUM,
      period: GRAPH_PERIOD,
      label: '4xx',
    });
    const serverErrors = apiStage.metricServerError({
      statistic: Stats.SUM,
      period: GRAPH_PERIOD,
      label: '5xx',
    });
    // API Gateway's own 429s, when a route's throttle (settings.ts) turns requests away: counted in
    // its 4xx metric with the rest, and in no metric of their own. The handlers never answer 429.
    const throttledFilter = accessLogGroup.addMetricFilter('ApiThrottledRequestsFilter', {
      filterPattern: FilterPattern.stringValue('$.status', '=', '429'),
      metricNamespace: namespace,
      metricName: apiThrottledMetricName,
      metricValue: '1',
    });
    const throttled = throttledFilter.metric({
      statistic: Stats.SUM,
      period: GRAPH_PERIOD,
      label: '429 (throttled)',
    });
    const percentiles = (metricOf: (stat: string) => IMetric): IMetric[] =>
      [Stats.p(50), Stats.p(90), Stats.p(99)].map(metricOf);
    const latency = percentiles((stat) =>
      apiStage.metricLatency({ statistic: stat, period: GRAPH_PERIOD, label: `Latency ${stat}` }),
    );
    const integrationLatency = percentiles((stat) =>
      apiStage.metricIntegrationLatency({
        statistic: stat,
        period: GRAPH_PERIOD,
        label: `Integration latency ${stat}`,
      }),
    );

    // The requests of an alarm's period, which both alarms below count from.
    const requestsPerPeriod = apiStage.metricCount({ statistic: Stats.SUM, period: PERIOD });
    // IF(condition, trueValue, falseValue) is evaluated per timestamp, a condition of 0 is FALSE;
    // in arithmetic a missing value is 0 (no 5xx data point: a rate of 0), a division by zero
    // drops the data point (CloudWatch User Guide, "Using metric math": "Metric math syntax and
    // functions" and "Using IF expressions"). A period with fewer 5xx than the minimum is a rate of 0.
    const api5xxRate = new MathExpression({
      expression: `IF(errors >= ${alarmThresholds.api5xxMinErrors}, 100 * errors / requests, 0)`,
      usingMetrics: {
        requests: requestsPerPeriod,
        errors: apiStage.metricServerError({ statistic: Stats.SUM, period: PERIOD }),
      },
      period: PERIOD,
      label: '5xx rate (%)',
    });
    this.#alarm(
      'Api5xxRateAlarm',
      api5xxRate,
      alarmThresholds.api5xxRatePercent,
      `${alarmThresholds.api5xxRatePercent}% or more of API requests answered 5xx in 5 minutes (counted from ${alarmThresholds.api5xxMinErrors} 5xx on)`,
    );
    const apiLatency = new MathExpression({
      expression: `IF(requests >= ${alarmThresholds.apiLatencyMinRequests}, latency, 0)`,
      usingMetrics: {
        requests: requestsPerPeriod,
        latency: apiStage.metricLatency({ statistic: Stats.p(90), period: PERIOD }),
      },
      period: PERIOD,
      label: 'Latency p90 (ms)',
    });
    this.#alarm(
      'ApiThrottledAlarm',
      throttledFilter.metric({ statistic: Stats.SUM, period: PERIOD }),
      alarmThresholds.apiThrottledRequests,
      `API Gateway turned away ${alarmThresholds.apiThrottledRequests} or more requests with a 429 in 5 minutes (the routes' throttle, settings.ts)`,
    );
    this.#alarm(
      'ApiLatencyAlarm',
      apiLatency,
      alarmThresholds.apiLatencyP90Ms,
      `API latency p90 of ${alarmThresholds.apiLatencyP90Ms} ms or more in 5 minutes (counted from ${alarmThresholds.apiLatencyMinRequests} requests on)`,
    );
    return [
      new GraphWidget({ title: 'API requests', left: [requests], width: 6 }),
      new GraphWidget({
        title: 'API 4xx and 5xx',
        left: [clientErrors, throttled, serverErrors],
        width: 6,
      }),
      new GraphWidget({ title: 'API latency (ms)', left: latency, width: 6 }),
      new GraphWidget({ title: 'API integration latency (ms)', left: integrationLatency, width: 6 }),
    ];
  }

  /** A function (namespace AWS/Lambda, dimension FunctionName) and its cold starts (EMF). */
  #functionSection({ function: fn, definition }: WhiteboardFunction, namespace: string): GraphWidget[] {
    const invocations = fn.metricInvocations({
      statistic: Stats.SUM,
      period: GRAPH_PERIOD,
      label: 'Invocations',
    });
    const errors = fn.metricErrors({ statistic: Stats.SUM, period: GRAPH_PERIOD, label: 'Errors' });
    const throttles = fn.metricThrottles({
      statistic: Stats.SUM,
      period: GRAPH_PERIOD,
      label: 'Throttles',
    });
    const duration = [Stats.p(50), Stats.p(99)].map((stat) =>
      fn.metricDuration({ statistic: stat, period: GRAPH_PERIOD, label: `Duration ${stat}` }),
    );
    const concurrency = fn.metric('ConcurrentExecutions', {
      statistic: Stats.MAXIMUM,
      period: GRAPH_PERIOD,
      label: 'Concurrent executions',
    });
    const perFunction = (metricName: string, options: { period: Duration; label?: string }): Metric =>
      new Metric({
        namespace,
        metricName,
        dimensionsMap: { service: businessMetrics.service, function_name: fn.functionName },
        statistic: Stats.SUM,
        ...options,
      });
    const coldStarts = perFunction(businessMetrics.coldStart, { period: GRAPH_PERIOD, label: 'Cold starts' });
    const failedRequests = perFunction(businessMetrics.failedRequests, {
      period: GRAPH_PERIOD,
      label: 'Answered 5xx',
    });
    this.#alarm(
      `${definition.id}ErrorsAlarm`,
      fn.metricErrors({ statistic: Stats.SUM, period: PERIOD }),
      alarmThresholds.functionErrors,
      `the ${definition.id} function failed (unhandled error, timeout or crash)`,
    );
    this.#alarm(
      `${definition.id}FailedRequestsAlarm`,
      perFunction(businessMetrics.failedRequests, { period: PERIOD }),
      alarmThresholds.functionFailedRequests,
      `the ${definition.id} function answered ${alarmThresholds.functionFailedRequests} or more requests with a 5xx in 5 minutes (FailedRequests)`,
    );
    this.#alarm(
      `${definition.id}ThrottlesAlarm`,
      fn.metricThrottles({ statistic: Stats.SUM, period: PERIOD }),
      alarmThresholds.functionThrottles,
      `Lambda throttled the ${definition.id} function (concurrency limit reached)`,
    );
    return [
      new GraphWidget({
        title: `${definition.id}: invocations, errors, 5xx, throttles`,
        left: [invocations, errors, failedRequests, throttles],
        width: 6,
      }),
      new GraphWidget({ title: `${definition.id}: duration (ms)`, left: duration, width: 6 }),
      new GraphWidget({ title: `${definition.id}: concurrent executions`, left: [concurrency], width: 6 }),
      new GraphWidget({ title: `${definition.id}: cold starts`, left: [coldStarts], width: 6 }),
    ];
  }

  /** DynamoDB (namespace AWS/DynamoDB, dimensions TableName and Operation). */
  #tableSection(table: Table, functions: readonly WhiteboardFunction[]): GraphWidget[] {
    // What the functions do to the table: a function with a new access is graphed and alarmed on.
    const operations = [
      ...new Set(functions.map(({ definition }) => tableOperations[definition.tableAccess])),
    ];
    const consumed = [
      table.metricConsumedReadCapacityUnits({
        statistic: Stats.SUM,
        period: GRAPH_PERIOD,
        label: 'Read units',
      }),
      table.metricConsumedWriteCapacityUnits({
        statistic: Stats.SUM,
        period: GRAPH_PERIOD,
        label: 'Write units',
      }),
    ];
    const throttledByOperation = operations.map((operation) =>
      table.metricThrottledRequestsForOperation(operation, {
        statistic: Stats.SUM,
        period: GRAPH_PERIOD,
        label: `Throttled ${operation}`,
      }),
    );
    // DynamoDB's own failures (HTTP 500), which the SDK retries once and then answer with our 500.
    const systemErrorsByOperation = operations.map((operation) =>
      table.metric('SystemErrors', {
        dimensionsMap: { TableName: table.tableName, Operation: operation },
        statistic: Stats.SUM,
        period: GRAPH_PERIOD,
        label: `System errors ${operation}`,
      }),
    );
    // DynamoDB publishes this latency with Minimum, Maximum, Sum and Average, no percentiles
    // (DynamoDB Developer Guide, "DynamoDB Metrics and dimensions", SuccessfulRequestLatency).
    const requestLatency = operations.flatMap((operation) =>
      [Stats.AVERAGE, Stats.MAXIMUM].map((stat) =>
        table.metricSuccessfulRequestLatency({
          dimensionsMap: { TableName: table.tableName, Operation: operation },
          statistic: stat,
          period: GRAPH_PERIOD,
          label: `${operation} ${stat}`,
        }),
      ),
    );
    // The CDK sums the operations' metrics (`query + putitem`). A period in which only one of them
    // throttled still counts: in metric math's arithmetic "missing values in a time series are
    // treated as 0" (CloudWatch User Guide, "Using metric math", "Basic arithmetic functions").
    this.#alarm(
      'TableThrottlesAlarm',
      table.metricThrottledRequestsForOperations({ operations, period: PERIOD }),
      alarmThresholds.tableThrottles,
      'DynamoDB throttled requests to the messages table',
    );
    return [
      new GraphWidget({ title: 'DynamoDB consumed capacity', left: consumed, width: 8 }),
      new GraphWidget({
        title: 'DynamoDB throttled requests and system errors',
        left: [...throttledByOperation, ...systemErrorsByOperation],
        width: 8,
      }),
      new GraphWidget({ title: 'DynamoDB latency (ms)', left: requestLatency, width: 8 }),
    ];
  }
}

/** The business metrics (EMF from Powertools Metrics, the stage's namespace, dimension service). */
const businessSection = (namespace: string): GraphWidget[] => {
  const business = (metricName: BusinessMetricName): Metric =>
    new Metric({
      namespace,
      metricName,
      dimensionsMap: { service: businessMetrics.service },
      statistic: Stats.SUM,
      period: GRAPH_PERIOD,
      label: metricName,
    });
  return [
    new GraphWidget({
      title: 'Messages posted and read',
      left: [business(businessMetricNames.messagesPosted), business(businessMetricNames.messagesRead)],
      width: 12,
    }),
    new GraphWidget({
      title: 'Rejected requests (4xx)',
      left: [business(businessMetricNames.rejectedRequests)],
      width: 12,
    }),
  ];
};
