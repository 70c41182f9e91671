import { Aws, Duration, Fn, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  type CorsSettings,
  corsSettings,
  type FunctionId,
  functions,
  type RouteDefinition,
  routes,
} from '../../backend/http/routes.ts';
import type { ThrottleSettings } from '../settings.ts';

/**
 * The access log line, one JSON object per request, with HTTP API context variables only
 * ("Customize HTTP API access logs" lists them; the REST API set of
 * `AccessLogFormat.jsonWithStandardFields()` has some HTTP APIs do not know, such as
 * `$context.resourcePath`). Every value is quoted: API Gateway writes `-` for a value it does not
 * have (no integration latency on a CORS preflight), which would break unquoted JSON numbers.
 */
export const accessLogFields = {
  // Not `extendedRequestId` as well: for an HTTP API it is "equivalent to $context.requestId".
  requestId: '$context.requestId',
  // "The AWS endpoint's request ID": for a Lambda integration, the invocation's request id, the
  // key to all of its lines in the function's log group, including Lambda's own START, REPORT and
  // timeout lines, which carry no correlation id.
  integrationRequestId: '$context.integration.requestId',
  requestTime: '$context.requestTime',
  requestTimeEpoch: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  // The function's own status code, and Lambda's answer to the invoke (a throttle or a failed
  // invoke shows here, not in the former), as each variable's description on "Customize HTTP API
  // access logs" has it; the same page's row of `integration.status` also calls the two
  // equivalent, so both are logged, which holds under either reading. `integration.error` is the
  // same as the `integrationErrorMessage` variable, so only one of them is logged.
  integrationStatus: '$context.integration.status',
  lambdaStatus: '$context.integrationStatus',
  integrationError: '$context.integration.error',
  errorMessage: '$context.error.message',
  errorResponseType: '$context.error.responseType',
} as const;

/** `{"requestId":"$context.requestId",...}` */
const accessLogFormat = (): string => JSON.stringify(accessLogFields);

/**
 * Name of the access log group: `/aws/vendedlogs/whiteboard/<stage>/api-access-<stack id part>`.
 *
 * HTTP API access logs go through CloudWatch Logs log delivery (enabling them needs
 * logs:CreateLogDelivery and logs:PutResourcePolicy: API Gateway Developer Guide, "Configure
 * logging for HTTP APIs in API Gateway", "Permissions to activate logging"), which adds the log
 * group to the account's CloudWatch Logs resource policy. "CloudWatch Logs resource policies are
 * limited to 5120 characters. When CloudWatch Logs detects that a policy approaches this size
 * limit, it automatically enables log groups that start with /aws/vendedlogs/" (Step Functions
 * Developer Guide, "Avoiding Amazon CloudWatch Logs resource policy size restrictions", which
 * refers to the CloudWatch Logs User Guide, "Enabling logging from AWS services"). With a
 * generated name, an account with many stages fails to deploy: "Cannot enable logging. Policy
 * document length breaking Cloudwatch Logs Constraints".
 *
 * The last part is the first group of the stack id's UUID (`arn:...:stack/<name>/<uuid>`): new on
 * every creation of the stack. A fixed name would collide with the group a deleted stack left
 * behind (RETAIN outside dev stages) when the stage is deployed again.
 */
const accessLogGroupName = (stage: string): string =>
  `/aws/vendedlogs/whiteboard/${stage}/api-access-${Fn.select(
    0,
    Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))),
  )}`;

/** Complete by type, as routeMethods below. */
const corsMethods: Readonly<Record<CorsSettings['allowMethods'][number], CorsHttpMethod>> = {
  GET: CorsHttpMethod.GET,
  POST: CorsHttpMethod.POST,
  OPTIONS: CorsHttpMethod.OPTIONS,
};

/** Complete by type: a method added to the shared definition fails to compile here until mapped. */
const routeMethods: Readonly<Record<RouteDefinition['method'], HttpMethod>> = {
  GET: HttpMethod.GET,
  POST: HttpMethod.POST,
};

export interface WhiteboardApiProps {
  readonly stage: string;
  readonly functions: Readonly<Record<FunctionId, IFunction>>;
  readonly corsOrigins: readonly string[];
  readonly throttle: ThrottleSettings;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * The HTTP API: every route of the shared definition (backend/http/routes.ts) integrated with its
 * function (payload format 2.0), CORS answered by API Gateway from the same settings the local
 * emulator uses, and one `$default` stage with throttling and JSON access logs.
 *
 * `$default` rather than a named stage: the API is served at the root of its URL, as locally, and
 * the stage name of the deployment is already in the stack (`Whiteboard-<stage>`).
 */
export class WhiteboardApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: WhiteboardApiProps) {
    super(scope, id);
    const cors = corsSettings(props.corsOrigins);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `whiteboard-${props.stage}`,
      description: `Whiteboard API (${props.stage})`,
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [...cors.allowOrigins],
        allowMethods: cors.allowMethods.map((method) => corsMethods[method]),
        allowHeaders: [...cors.allowHeaders],
        ...(cors.exposeHeaders.length > 0 ? { exposeHeaders: [...cors.exposeHeaders] } : {}),
        maxAge: Duration.seconds(cors.maxAgeSeconds),
      },
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      logGroupName: accessLogGroupName(props.stage),
      retention: props.logRetentionDays,
      removalPolicy: props.logRemovalPolicy,
    });

    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      // DefaultRouteSettings: limits of each route, not of the API as a whole (ThrottleSettings).
      throttle: { rateLimit: props.throttle.rateLimit, burstLimit: props.throttle.burstLimit },
      // Route-level metrics are billed as custom metrics, six per route ("Enabling such metrics
      // will incur additional charges", API Gateway Developer Guide, "Monitor CloudWatch metrics
      // for HTTP APIs"), and would tell little more: each function serves one method, so the
      // Lambda metrics on the dashboard already part reads from posts, and the access log has the
      // route of every request.
      detailedMetricsEnabled: false,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(accessLogFormat()),
      },
    });

    const integrations = new Map<FunctionId, HttpLambdaIntegration>();
    const integrationOf = (functionId: FunctionId): HttpLambdaIntegration => {
      let integration = integrations.get(functionId);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${functions[functionId].id}Integration`,
          props.functions[functionId],
          {
            payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
          },
        );
        integrations.set(functionId, integration);
      }
      return integration;
    };
    for (const route of routes) {
      this.httpApi.addRoutes({
        path: route.path,
        methods: [routeMethods[route.method]],
        integration: integrationOf(route.function),
      });
    }

    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The whiteboard is public by design: anyone may read and post messages (README, "The HTTP contract"). ' +
        'Abuse is bounded by default route throttling, request validation in the functions and the body ' +
        'size limit.',
    });
  }
}
