/**
 * The synthesized whiteboard stack is what we mean: resources, key schema, exact IAM statements,
 * environment, routes (equal to the shared definition), alarms, dashboard widgets; cdk-nag's
 * AwsSolutions rules pass with every acknowledgement reasoned; and the Lambda bundles synth
 * produced are the code that answers real API Gateway events against a real DynamoDB engine.
 *
 * The app is synthesized once per variant, at module level: bundling is the slow part.
 */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { CfnElement } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import { messagesTable } from '../../backend/adapters/messages-table.ts';
import { lambdaBundling } from '../../backend/bundling.ts';
import type { ApiEvent } from '../../backend/http/api-types.ts';
import {
  commonEnvironment,
  corsSettings,
  type FunctionId,
  functions,
  routeKey,
  routes,
} from '../../backend/http/routes.ts';
import { lambdaTraceHeader } from '../../backend/local/event.ts';
import { ownTempFolder } from '../../backend/local/temp-folders.ts';
import { buildShippedBundle } from '../../infra/constructs/whiteboard-function.ts';
import { apiThrottledMetricName, businessMetrics } from '../../infra/constructs/whiteboard-observability.ts';
import { createWhiteboardApp, type WhiteboardApp } from '../../infra/whiteboard-app.ts';
import { apiEvent, postEvent } from '../helpers/api-events.ts';
import { createTestTable } from '../helpers/dynamodb.ts';
import { sourcesOf } from '../helpers/source-maps.ts';
import { besideLeftoverFolders } from '../helpers/temp-folders.ts';

/**
 * The one table action each function needs (least privilege), written out here rather than read
 * from the construct's own mapping, so a wrong mapping fails.
 */
const onlyTableAction = { readMessages: 'dynamodb:Query', postMessage: 'dynamodb:PutItem' } as const;

// createTestTable's SDK client runs in this process: the SDK warns once on Node < 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** The feature flags `npm run synth` runs with. */
const cdkContext = (
  JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

/**
 * Ceilings of each bundle, measured at about 267 KiB of code loaded at init (index.mjs and the
 * chunks it imports) and 500 KiB in all (with the chunks imported on demand: the Tracer with
 * aws-xray-sdk-core, the SDK's SSO/INI/STS credential providers), plus about 20 % headroom. A
 * bundle that outgrows them costs cold-start time: look at what was added before raising them.
 */
const INIT_CODE_CEILING_BYTES = 320 * 1024;
const BUNDLE_CEILING_BYTES = 600 * 1024;

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties: Json; DeletionPolicy?: string; UpdateReplacePolicy?: string };

interface Synthesized extends WhiteboardApp {
  readonly outdir: string;
  readonly template: Template;
  /** The stack's warnings, as the cloud assembly records them for the CDK CLI to print. */
  readonly warnings: { path: string; message: string }[];
  /** What the app printed at synth (the CDK writes its validation report with console.error). */
  readonly printed: string;
  /** The stack's tags in the cloud assembly: the CDK CLI deploys the stack with them. */
  readonly stackTags: Record<string, string>;
  readonly json: {
    Resources: Record<string, Resource>;
    Outputs: Record<string, Json>;
    Mappings?: Record<string, Json>;
  };
}

/** This file's scratch folders, each removed by its own `remove` once the file's tests are done. */
const removals: Array<() => void> = [];
const scratchFolder = (prefix: string): string => {
  const { path, remove } = ownTempFolder(prefix);
  removals.push(remove);
  return path;
};

const synthesize = (context: Record<string, unknown>): Synthesized => {
  const outdir = scratchFolder('whiteboard-cdk-');
  // env {}: the settings of these apps come from context only, never from the caller's shell.
  const built = createWhiteboardApp({ context: { ...cdkContext, ...context }, outdir, env: {} });
  // Kept for the tests to read rather than left in the test output; shown if synth throws.
  const printed: string[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => {
    printed.push(args.map(String).join(' '));
  };
  const assembly = (() => {
    try {
      // Throws "Validation failed" on a cdk-nag finding that is neither fixed nor acknowledged.
      return built.app.synth();
    } catch (error) {
      consoleError(printed.join('\n'));
      throw error;
    } finally {
      console.error = consoleError;
    }
  })();
  const artifact = assembly.getStackByName(built.stack.stackName);
  const json = artifact.template as Synthesized['json'];
  const warnings = artifact.messages
    .filter((message) => message.level === 'warning')
    .map((message) => ({ path: message.id, message: String(message.entry.data) }));
  return {
    ...built,
    outdir,
    json,
    template: Template.fromJSON(json),
    warnings,
    printed: printed.join('\n'),
    stackTags: artifact.tags,
  };
};

// The stack as `npm run synth` builds it (dev stage, defaults), bundles included. The CDK runs
// `$CDK_DOCKER` (default `docker`) for any Docker bundling: point it at a tripwire that records
// the call, to prove the bundles come from the local esbuild alone.
const tripwireDir = scratchFolder('whiteboard-docker-');
const dockerCalls = join(tripwireDir, 'calls');
const tripwire = join(tripwireDir, 'docker');
writeFileSync(tripwire, `#!/bin/sh\necho "$@" >> '${dockerCalls}'\nexit 1\n`, { mode: 0o755 });
const previousDocker = process.env.CDK_DOCKER;
process.env.CDK_DOCKER = tripwire;
const dev = (() => {
  try {
    return synthesize({});
  } finally {
    if (previousDocker === undefined) delete process.env.CDK_DOCKER;
    else process.env.CDK_DOCKER = previousDocker;
  }
})();
// Another stage with every setting given, without bundling (`aws:cdk:bundling-stacks` empty is
// how the CDK CLI skips it): only the template matters here.
const prod = synthesize({
  'aws:cdk:bundling-stacks': [],
  stage: 'prod',
  corsOrigins: 'https://board.example.com, https://admin.example.com',
  throttleRateLimit: '20',
  throttleBurstLimit: '40',
  alarmEmail: 'ops@example.com',
  logRetentionDays: '365',
});

after(() => {
  for (const remove of removals) remove();
});

const logicalId = (app: Synthesized, construct: IConstruct): string =>
  app.stack.getLogicalId(construct.node.defaultChild as CfnElement);

const resourcesOf = (app: Synthesized, type: string): [string, Resource][] =>
  Object.entries(app.json.Resources).filter(([, resource]) => resource.Type === type);

const only = <T>(items: readonly T[], what: string): T => {
  assert.equal(items.length, 1, `exactly one ${what}`);
  return items[0] as T;
};

const functionIds = Object.keys(functions) as FunctionId[];

/** One part of a CloudFormation string: literal, or `${...}` for what CloudFormation fills in. */
const rendered = (part: unknown): string => {
  if (typeof part === 'string') return part;
  const ref = (part as { Ref?: string }).Ref;
  if (ref) return `\${${ref}}`;
  const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) return `\${${getAtt.join('.')}}`;
  const inMap = (part as { 'Fn::FindInMap'?: [string, unknown, string] })['Fn::FindInMap'];
  if (inMap) return `\${${inMap[0]}[${rendered(inMap[1])}].${inMap[2]}}`;
  throw new Error(`unexpected part ${JSON.stringify(part)}`);
};

/** Renders a `Fn::Join` of strings and references as one string, references as `${Ref}`. */
const joined = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  assert.ok(join, `expected a string or Fn::Join, got ${JSON.stringify(value)}`);
  return join[1].map(rendered).join(join[0]);
};

type DashboardWidget = {
  type: string;
  properties: { title?: string; metrics?: unknown[][]; alarms?: unknown[] };
};

/** The widgets of an app's one dashboard. */
const dashboardWidgets = (app: Synthesized): DashboardWidget[] => {
  const [, dashboard] = only(resourcesOf(app, 'AWS::CloudWatch::Dashboard'), 'dashboard');
  return (JSON.parse(joined(dashboard.Properties.DashboardBody)) as { widgets: DashboardWidget[] }).widgets;
};

/**
 * One metric entry of a widget, as CDK writes each in full: `[namespace, name, dimension, value,
 * ..., {options}]`. A math expression's entry, `[{expression, ...}]`, names no metric: undefined
 * (CDK writes its inputs as entries of their own).
 */
const widgetMetric = (entry: unknown[]) => {
  if (typeof entry[0] !== 'string') {
    assert.ok(JSON.stringify(entry[0]).includes('"expression"'), `a metric: ${JSON.stringify(entry)}`);
    return undefined;
  }
  const [namespace = '', name = '', ...rest] = entry.filter((part) => typeof part === 'string') as string[];
  const dimensions: [string, string][] = [];
  for (let i = 0; i + 1 < rest.length; i += 2) dimensions.push([rest[i] ?? '', rest[i + 1] ?? '']);
  const options = (typeof entry.at(-1) === 'object' ? entry.at(-1) : {}) as { stat?: string };
  return { namespace, name, dimensions, stat: options.stat };
};

/** `dim=value,...`, sorted: a metric's dimensions as one key. */
const dimensionKey = (dimensions: readonly (readonly [string, string])[]): string =>
  dimensions
    .map(([name, value]) => `${name}=${value}`)
    .sort()
    .join(',');

describe('resources', () => {
  it('has exactly the resources we mean, and no managed policies, no custom resources', () => {
    const counts = {
      'AWS::DynamoDB::Table': 1,
      'AWS::Lambda::Function': functionIds.length,
      'AWS::IAM::Role': functionIds.length,
      'AWS::IAM::Policy': functionIds.length,
      'AWS::Logs::LogGroup': functionIds.length + 1,
      'AWS::Logs::MetricFilter': 1,
      'AWS::ApiGatewayV2::Api': 1,
      'AWS::ApiGatewayV2::Stage': 1,
      'AWS::ApiGatewayV2::Route': routes.length,
      'AWS::ApiGatewayV2::Integration': functionIds.length,
      'AWS::Lambda::Permission': routes.length,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      'AWS::SNS::Subscription': 0,
      'AWS::CloudWatch::Alarm': 3 + 3 * functionIds.length + 1,
      'AWS::CloudWatch::Dashboard': 1,
    };
    const types = new Map<string, number>();
    for (const resource of Object.values(dev.json.Resources)) {
      types.set(resource.Type, (types.get(resource.Type) ?? 0) + 1);
    }
    assert.deepEqual(
      Object.fromEntries([...types].sort()),
      Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 0)),
    );
    dev.template.resourceCountIs('AWS::SNS::Subscription', 0);
    for (const [, role] of resourcesOf(dev, 'AWS::IAM::Role')) {
      assert.equal(role.Properties.ManagedPolicyArns, undefined, 'no managed policies');
      assert.equal(role.Properties.Policies, undefined, 'permissions are in the one default policy');
    }
    assert.equal(dev.stack.stackName, 'Whiteboard-dev');
  });

  it('declares the outputs the CLI and the docs rely on', () => {
    assert.deepEqual(Object.keys(dev.json.Outputs).sort(), ['ApiUrl', 'DashboardUrl', 'TableName']);
    const apiId = logicalId(dev, dev.stack.api.httpApi);
    assert.equal(
      joined(dev.json.Outputs.ApiUrl?.Value),
      `https://\${${apiId}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/`,
    );
    const [mappingId, mapping] = only(Object.entries(dev.json.Mappings ?? {}), 'mapping');
    assert.equal(
      joined(dev.json.Outputs.DashboardUrl?.Value),
      `https://\${${mappingId}[\${AWS::Partition}].domain}/cloudwatch/home?region=\${AWS::Region}#dashboards/dashboard/Whiteboard-dev-\${AWS::Region}`,
    );
    // The console's domain differs by partition; cdk.json targets aws and aws-cn.
    assert.deepEqual(mapping, {
      aws: { domain: 'console.aws.amazon.com' },
      'aws-cn': { domain: 'console.amazonaws.cn' },
      'aws-us-gov': { domain: 'console.amazonaws-us-gov.com' },
    });
    assert.deepEqual(dev.json.Outputs.TableName?.Value, { Ref: logicalId(dev, dev.stack.table) });
  });
});

describe('DynamoDB table', () => {
  it('has the key schema of the data model, on-demand billing and point-in-time recovery', () => {
    const [, table] = only(resourcesOf(dev, 'AWS::DynamoDB::Table'), 'table');
    assert.deepEqual(table.Properties.KeySchema, [
      { AttributeName: messagesTable.partitionKey, KeyType: 'HASH' },
      { AttributeName: messagesTable.sortKey, KeyType: 'RANGE' },
    ]);
    assert.deepEqual(table.Properties.AttributeDefinitions, [
      { AttributeName: messagesTable.partitionKey, AttributeType: 'S' },
      { AttributeName: messagesTable.sortKey, AttributeType: 'S' },
    ]);
    assert.equal(table.Properties.BillingMode, 'PAY_PER_REQUEST');
    assert.equal(table.Properties.ProvisionedThroughput, undefined);
    assert.deepEqual(table.Properties.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
    assert.equal(table.Properties.TableName, undefined, 'CloudFormation names it; TABLE_NAME passes it on');
  });

  it('is disposable in a dev stage, retained and deletion-protected in any other', () => {
    const [, devTable] = only(resourcesOf(dev, 'AWS::DynamoDB::Table'), 'table');
    assert.equal(devTable.Properties.DeletionProtectionEnabled, false);
    assert.equal(devTable.DeletionPolicy, 'Delete');
    const [, prodTable] = only(resourcesOf(prod, 'AWS::DynamoDB::Table'), 'table');
    assert.equal(prodTable.Properties.DeletionProtectionEnabled, true);
    assert.equal(prodTable.DeletionPolicy, 'Retain');
    assert.equal(prodTable.UpdateReplacePolicy, 'Retain');
    const prodLogGroups = resourcesOf(prod, 'AWS::Logs::LogGroup');
    const devLogGroups = resourcesOf(dev, 'AWS::Logs::LogGroup');
    // Both stages have the same log groups (the API's access log, each function's), none left out.
    assert.ok(devLogGroups.length > 0, 'dev has log groups');
    assert.equal(prodLogGroups.length, devLogGroups.length);
    for (const [, logGroup] of prodLogGroups) assert.equal(logGroup.DeletionPolicy, 'Retain');
    for (const [, logGroup] of devLogGroups) assert.equal(logGroup.DeletionPolicy, 'Delete');
  });

  it('is deployed as a stack tagged with the project and its stage, which CloudFormation gives its resources, for cost allocation', () => {
    assert.deepEqual(dev.stackTags, { project: 'whiteboard', stage: 'dev' });
    assert.deepEqual(prod.stackTags, { project: 'whiteboard', stage: 'prod' });
  });
});

describe('Lambda functions', () => {
  for (const functionId of functionIds) {
    const definition = functions[functionId];

    it(`${definition.id}: Node.js 24 on ARM64, traced, settings from the shared definition (no NODE_OPTIONS)`, () => {
      const construct = dev.stack.functions[functionId];
      const resource = dev.json.Resources[logicalId(dev, construct.function)];
      assert.ok(resource);
      const props = resource.Properties;
      assert.equal(props.Runtime, 'nodejs24.x');
      // The bundles are built for the Node.js they run on.
      assert.equal(props.Runtime, `nodejs${lambdaBundling.target.replace(/^node/, '')}.x`);
      assert.deepEqual(props.Architectures, ['arm64']);
      assert.deepEqual(props.TracingConfig, { Mode: 'Active' });
      assert.equal(props.Handler, `index.${definition.handler}`);
      assert.equal(props.MemorySize, definition.memorySize);
      assert.equal(props.Timeout, definition.timeout);
      assert.equal(props.Description, definition.description);
      assert.deepEqual(props.Role, { 'Fn::GetAtt': [logicalId(dev, construct.role), 'Arn'] });
      assert.deepEqual(props.Environment, {
        Variables: {
          ...commonEnvironment,
          ...definition.environment,
          POWERTOOLS_METRICS_NAMESPACE: 'Whiteboard/dev',
          TABLE_NAME: { Ref: logicalId(dev, dev.stack.table) },
        },
      });
      const logGroupId = logicalId(dev, construct.logGroup);
      assert.deepEqual(props.LoggingConfig, { LogGroup: { Ref: logGroupId } });
      assert.equal(dev.json.Resources[logGroupId]?.Properties.RetentionInDays, 30);
      const prodLogGroup = prod.json.Resources[logicalId(prod, prod.stack.functions[functionId].logGroup)];
      assert.equal(prodLogGroup?.Properties.RetentionInDays, 365);
    });

    it(`${definition.id}: its role may do exactly ${onlyTableAction[functionId]} on the table`, () => {
      const construct = dev.stack.functions[functionId];
      const roleId = logicalId(dev, construct.role);
      const policies = resourcesOf(dev, 'AWS::IAM::Policy').filter(([, policy]) =>
        (policy.Properties.Roles as unknown[]).some((role) => (role as { Ref?: string }).Ref === roleId),
      );
      const [, policy] = only(policies, `policy of ${definition.id}`);
      assert.deepEqual(policy.Properties.PolicyDocument, {
        Version: '2012-10-17',
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [logicalId(dev, construct.logGroup), 'Arn'] },
          },
          {
            Action: onlyTableAction[functionId],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [logicalId(dev, dev.stack.table), 'Arn'] },
          },
          // Tracing.ACTIVE: X-Ray has no resource-level permissions for these actions.
          { Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Effect: 'Allow', Resource: '*' },
        ],
      });
      const role = dev.json.Resources[roleId];
      assert.deepEqual(role?.Properties.AssumeRolePolicyDocument, {
        Version: '2012-10-17',
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
        ],
      });
    });
  }

  it('no IAM statement anywhere has a wildcard action', () => {
    for (const [id, policy] of resourcesOf(dev, 'AWS::IAM::Policy')) {
      const statements = (policy.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] })
        .Statement;
      for (const { Action } of statements) {
        for (const action of [Action].flat()) assert.ok(!action.includes('*'), `${id}: ${action}`);
      }
    }
  });
});

describe('HTTP API', () => {
  it('serves exactly the routes of the shared definition, each integrated with its function', () => {
    const functionOfLogicalId = new Map(
      functionIds.map((functionId) => [logicalId(dev, dev.stack.functions[functionId].function), functionId]),
    );
    const integrations = new Map(resourcesOf(dev, 'AWS::ApiGatewayV2::Integration'));
    const deployed = resourcesOf(dev, 'AWS::ApiGatewayV2::Route').map(([, route]) => {
      const target = joined(route.Properties.Target);
      const integrationId = /^integrations\/\$\{(.+)\}$/.exec(target)?.[1];
      const integration = integrationId ? integrations.get(integrationId) : undefined;
      assert.ok(integration, `route ${String(route.Properties.RouteKey)} targets ${target}`);
      assert.equal(integration.Properties.IntegrationType, 'AWS_PROXY');
      assert.equal(integration.Properties.PayloadFormatVersion, '2.0');
      assert.equal(route.Properties.AuthorizationType, 'NONE');
      const fnId = (integration.Properties.IntegrationUri as { 'Fn::GetAtt': [string, string] })[
        'Fn::GetAtt'
      ][0];
      return { routeKey: String(route.Properties.RouteKey), function: functionOfLogicalId.get(fnId) };
    });
    const sortByKey = (a: { routeKey: string }, b: { routeKey: string }) =>
      a.routeKey.localeCompare(b.routeKey);
    assert.deepEqual(
      deployed.sort(sortByKey),
      routes.map((route) => ({ routeKey: routeKey(route), function: route.function })).sort(sortByKey),
    );
  });

  it('lets API Gateway invoke each function only for its routes, through this API', () => {
    const apiId = logicalId(dev, dev.stack.api.httpApi);
    const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    const permissions = resourcesOf(dev, 'AWS::Lambda::Permission').map(([, { Properties }]) => ({
      ...Properties,
      SourceArn: joined(Properties.SourceArn),
    }));
    // One per route: any stage and method (the CDK's `*/*`), this API's id and the route's path.
    assert.deepEqual(
      permissions.sort(byJson),
      routes
        .map((route) => ({
          Action: 'lambda:InvokeFunction',
          FunctionName: {
            'Fn::GetAtt': [logicalId(dev, dev.stack.functions[route.function].function), 'Arn'],
          },
          Principal: 'apigateway.amazonaws.com',
          SourceArn: `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${apiId}}/*/*${route.path}`,
        }))
        .sort(byJson),
    );
  });

  it('names the access log group under /aws/vendedlogs/, new for each creation of the stack', () => {
    // Outside /aws/vendedlogs/ log delivery can fail in a busy account (whiteboard-api.ts); the
    // stack id's UUID keeps a re-created stack clear of the group its predecessor retained.
    const stackIdPart = {
      'Fn::Select': [
        0,
        { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] },
      ],
    };
    for (const app of [dev, prod]) {
      const group = app.json.Resources[logicalId(app, app.stack.api.accessLogGroup)];
      assert.deepEqual(group?.Properties.LogGroupName, {
        'Fn::Join': ['', [`/aws/vendedlogs/whiteboard/${app.settings.stage}/api-access-`, stackIdPart]],
      });
    }
  });

  it('answers CORS from the shared settings, with the configured origins', () => {
    const cors = (app: Synthesized) =>
      only(resourcesOf(app, 'AWS::ApiGatewayV2::Api'), 'API')[1].Properties.CorsConfiguration as Json;
    const expected = (origins: string[]) => {
      const settings = corsSettings(origins);
      return {
        AllowOrigins: [...settings.allowOrigins],
        AllowMethods: [...settings.allowMethods],
        AllowHeaders: [...settings.allowHeaders],
        ...(settings.exposeHeaders.length > 0 ? { ExposeHeaders: [...settings.exposeHeaders] } : {}),
        MaxAge: settings.maxAgeSeconds,
      };
    };
    assert.deepEqual(cors(dev), expected(['*']));
    assert.deepEqual(cors(prod), expected(['https://board.example.com', 'https://admin.example.com']));
  });

  it('has one $default stage: auto-deployed, throttled, no billed route metrics, JSON access logs with retention', () => {
    const stageOf = (app: Synthesized) =>
      only(resourcesOf(app, 'AWS::ApiGatewayV2::Stage'), 'stage')[1].Properties;
    const stage = stageOf(dev);
    assert.equal(stage.StageName, '$default');
    assert.equal(stage.AutoDeploy, true);
    assert.deepEqual(stage.DefaultRouteSettings, {
      DetailedMetricsEnabled: false,
      ThrottlingRateLimit: 50,
      ThrottlingBurstLimit: 100,
    });
    assert.deepEqual(stageOf(prod).DefaultRouteSettings, {
      DetailedMetricsEnabled: false,
      ThrottlingRateLimit: 20,
      ThrottlingBurstLimit: 40,
    });
    const accessLogs = stage.AccessLogSettings as { DestinationArn: unknown; Format: string };
    const accessLogGroupId = logicalId(dev, dev.stack.api.accessLogGroup);
    assert.deepEqual(accessLogs.DestinationArn, { 'Fn::GetAtt': [accessLogGroupId, 'Arn'] });
    // What API Gateway writes is this format with each variable substituted: still JSON.
    const fields = JSON.parse(accessLogs.Format) as Record<string, string>;
    // Written out, not read from the construct: a field dropped there shows here.
    assert.deepEqual(fields, {
      requestId: '$context.requestId',
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
      integrationStatus: '$context.integration.status',
      lambdaStatus: '$context.integrationStatus',
      integrationError: '$context.integration.error',
      errorMessage: '$context.error.message',
      errorResponseType: '$context.error.responseType',
    });
    assert.equal(dev.json.Resources[accessLogGroupId]?.Properties.RetentionInDays, 30);
    const prodAccessLogs = prod.json.Resources[logicalId(prod, prod.stack.api.accessLogGroup)];
    assert.equal(prodAccessLogs?.Properties.RetentionInDays, 365, 'the stage setting');
  });
});

describe('alarms', () => {
  const topicId = () => logicalId(dev, dev.stack.observability.alarmTopic);
  const alarms = () => resourcesOf(dev, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);

  it('every alarm notifies the SNS topic when it fires and when it clears', () => {
    for (const alarm of alarms()) {
      assert.deepEqual(alarm.AlarmActions, [{ Ref: topicId() }]);
      assert.deepEqual(alarm.OKActions, [{ Ref: topicId() }]);
      assert.equal(alarm.TreatMissingData, 'notBreaching');
      assert.equal(alarm.ComparisonOperator, 'GreaterThanOrEqualToThreshold');
    }
  });

  it('lets CloudWatch alarms of this account publish to the topic, over TLS only', () => {
    // The topic policy replaces SNS's default one: without an Allow, every alarm action is refused.
    const [, policy] = only(resourcesOf(dev, 'AWS::SNS::TopicPolicy'), 'topic policy');
    assert.deepEqual(policy.Properties.Topics, [{ Ref: topicId() }]);
    const statements = (policy.Properties.PolicyDocument as { Statement: Json[] }).Statement;
    const allow = only(
      statements.filter((statement) => statement.Effect === 'Allow'),
      'Allow statement',
    );
    assert.deepEqual(allow.Principal, { Service: 'cloudwatch.amazonaws.com' });
    assert.equal(allow.Action, 'sns:Publish');
    assert.deepEqual(allow.Resource, { Ref: topicId() });
    const conditions = JSON.stringify(allow.Condition);
    assert.match(conditions, /"aws:SourceAccount":\{"Ref":"AWS::AccountId"\}/);
    // Alarms of this Region and account only, where a wildcard would take any Region's.
    assert.equal(
      conditions.match(/"aws:SourceArn":(\{"Fn::Join".*?\]\]\})/)?.[1],
      JSON.stringify({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':cloudwatch:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':alarm:*',
          ],
        ],
      }),
    );
    const deny = only(
      statements.filter((statement) => statement.Effect === 'Deny'),
      'Deny statement',
    );
    assert.deepEqual(deny.Condition, { Bool: { 'aws:SecureTransport': 'false' } });
  });

  /** The API alarm whose metrics include API Gateway's `metricName`. */
  const apiAlarm = (metricName: string) =>
    only(
      alarms().filter((props) =>
        ((props.Metrics ?? []) as Json[]).some((metric) => {
          const read = (metric.MetricStat as Json | undefined)?.Metric as Json | undefined;
          return read?.Namespace === 'AWS/ApiGateway' && read.MetricName === metricName;
        }),
      ),
      `API alarm on ${metricName}`,
    );
  const apiMetric = (metricName: string, stat: string) => ({
    Metric: {
      Namespace: 'AWS/ApiGateway',
      MetricName: metricName,
      Dimensions: [
        { Name: 'ApiId', Value: { Ref: logicalId(dev, dev.stack.api.httpApi) } },
        { Name: 'Stage', Value: '$default' },
      ],
    },
    Period: 300,
    Stat: stat,
  });

  /** An API alarm on a metric math expression (`expression` over `inputs`) with `threshold`. */
  const checkApiAlarm = (
    metricName: string,
    {
      threshold,
      expression,
      label,
      description,
      inputs,
    }: {
      threshold: number;
      expression: string;
      label: string;
      description: RegExp;
      inputs: Record<string, ReturnType<typeof apiMetric>>;
    },
  ) => {
    const alarm = apiAlarm(metricName);
    assert.equal(alarm.Threshold, threshold);
    const metrics = alarm.Metrics as Json[];
    assert.deepEqual(
      metrics.find((metric) => metric.ReturnData !== false),
      { Id: 'expr_1', Expression: expression, Label: label, ReturnData: true },
    );
    assert.match(String(alarm.AlarmDescription), description);
    for (const [id, input] of Object.entries(inputs)) {
      assert.deepEqual(metrics.find((metric) => metric.Id === id)?.MetricStat, input, id);
    }
  };

  it('watches the API 5xx rate, counted only from 3 5xx in a period on', () => {
    // README: "an API 5xx rate of 5 % or more over 5 minutes, once 3 or more requests failed".
    // The guard: a period with fewer than 3 5xx is a rate of 0, so a lone 5xx (100 % of one
    // request) does not page. `requests > 0` was no guard at all.
    checkApiAlarm('5xx', {
      threshold: 5,
      expression: 'IF(errors >= 3, 100 * errors / requests, 0)',
      label: '5xx rate (%)',
      description: /5% or more .* from 3 5xx on/,
      inputs: { requests: apiMetric('Count', 'Sum'), errors: apiMetric('5xx', 'Sum') },
    });
  });

  it('watches the API latency p90, counted only from 20 requests in a period on', () => {
    // README: "an API latency p90 of 1 s or more over 5 minutes, once 20 or more requests came in".
    checkApiAlarm('Latency', {
      threshold: 1000,
      expression: 'IF(requests >= 20, latency, 0)',
      label: 'Latency p90 (ms)',
      description: /p90 of 1000 ms or more .* from 20 requests on/,
      inputs: { requests: apiMetric('Count', 'Sum'), latency: apiMetric('Latency', 'p90') },
    });
  });

  it('watches errors and throttles of every function', () => {
    for (const functionId of functionIds) {
      const fnRef = { Ref: logicalId(dev, dev.stack.functions[functionId].function) };
      for (const [metricName, threshold] of [
        // README: "on any function error or throttle".
        ['Errors', 1],
        ['Throttles', 1],
      ] as const) {
        const alarm = only(
          alarms().filter(
            (props) =>
              props.MetricName === metricName &&
              JSON.stringify(props.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: fnRef }]),
          ),
          `${metricName} alarm of ${functionId}`,
        );
        assert.equal(alarm.Namespace, 'AWS/Lambda');
        assert.equal(alarm.Statistic, 'Sum');
        assert.equal(alarm.Period, 300);
        assert.equal(alarm.Threshold, threshold);
      }
    }
  });

  it('watches the requests each function answered with a 5xx itself (FailedRequests), from 3 in a period on', () => {
    for (const functionId of functionIds) {
      const fnRef = { Ref: logicalId(dev, dev.stack.functions[functionId].function) };
      const alarm = only(
        alarms().filter(
          (props) =>
            props.MetricName === 'FailedRequests' &&
            JSON.stringify(props.Dimensions).includes(JSON.stringify(fnRef)),
        ),
        `FailedRequests alarm of ${functionId}`,
      );
      // README: "on 3 or more requests a function answered with a 5xx itself in 5 minutes". The
      // metric as instrument.ts publishes it (a test in "Lambda bundles" checks that they emit it).
      assert.equal(alarm.Namespace, 'Whiteboard/dev');
      assert.deepEqual(alarm.Dimensions, [
        { Name: 'function_name', Value: fnRef },
        { Name: 'service', Value: businessMetrics.service },
      ]);
      assert.equal(alarm.Statistic, 'Sum');
      assert.equal(alarm.Period, 300);
      assert.equal(alarm.Threshold, 3);
    }
  });

  it('watches requests API Gateway throttled (429), from 10 in a period on', () => {
    const alarm = only(
      alarms().filter((props) => props.MetricName === 'ApiThrottledRequests'),
      '429 alarm',
    );
    // README: "on 10 or more requests API Gateway turned away with a 429 in 5 minutes". The
    // metric the access log's filter counts (the dashboard's test checks the filter).
    assert.equal(alarm.Namespace, 'Whiteboard/dev');
    assert.equal(alarm.Dimensions, undefined);
    assert.equal(alarm.Statistic, 'Sum');
    assert.equal(alarm.Period, 300);
    assert.equal(alarm.Threshold, 10);
  });

  it('watches DynamoDB throttling of the operations the functions use', () => {
    const alarm = only(
      alarms().filter((props) => JSON.stringify(props).includes('"Namespace":"AWS/DynamoDB"')),
      'DynamoDB throttle alarm',
    );
    // README: "on any DynamoDB throttled request".
    assert.equal(alarm.Threshold, 1);
    // The sum of both operations' throttles, each a 5-minute Sum on this table; nothing else.
    const throttled = (id: string, operation: string) => ({
      Id: id,
      MetricStat: {
        Metric: {
          Dimensions: [
            { Name: 'Operation', Value: operation },
            { Name: 'TableName', Value: { Ref: logicalId(dev, dev.stack.table) } },
          ],
          MetricName: 'ThrottledRequests',
          Namespace: 'AWS/DynamoDB',
        },
        Period: 300,
        Stat: 'Sum',
      },
      ReturnData: false,
    });
    assert.deepEqual(alarm.Metrics, [
      {
        Expression: 'query + putitem',
        Id: 'expr_1',
        Label: 'Sum of throttled requests across all operations',
        ReturnData: true,
      },
      throttled('query', 'Query'),
      throttled('putitem', 'PutItem'),
    ]);
  });

  it('every alarm judges one 5-minute period (alarmThresholds: "5-minute periods")', () => {
    for (const app of [dev, prod]) {
      for (const [id, { Properties: alarm }] of resourcesOf(app, 'AWS::CloudWatch::Alarm')) {
        assert.equal(alarm.EvaluationPeriods, 1, `${id}: EvaluationPeriods`);
        assert.equal(alarm.DatapointsToAlarm, undefined, `${id}: DatapointsToAlarm`);
        if (alarm.Metrics === undefined) {
          assert.equal(alarm.Period, 300, `${id}: Period`);
          continue;
        }
        // A metric math alarm has no Period of its own: each metric it reads has one.
        assert.equal(alarm.Period, undefined, `${id}: Period`);
        const metrics = alarm.Metrics as Json[];
        const stats = metrics.filter((metric) => metric.MetricStat !== undefined);
        assert.ok(stats.length > 0, `${id}: metrics`);
        for (const metric of stats)
          assert.equal((metric.MetricStat as Json).Period, 300, `${id}: ${String(metric.Id)} Period`);
        for (const metric of metrics)
          assert.ok(
            [undefined, 300].includes(metric.Period as number | undefined),
            `${id}: ${String(metric.Id)}`,
          );
      }
    }
  });

  it('e-mails the configured address, and nobody when none is configured', () => {
    dev.template.resourceCountIs('AWS::SNS::Subscription', 0);
    const [, subscription] = only(resourcesOf(prod, 'AWS::SNS::Subscription'), 'subscription');
    assert.equal(subscription.Properties.Protocol, 'email');
    assert.equal(subscription.Properties.Endpoint, 'ops@example.com');
    assert.deepEqual(subscription.Properties.TopicArn, {
      Ref: logicalId(prod, prod.stack.observability.alarmTopic),
    });
  });

  it('warns at synth, on the stack, that alarms notify nobody when no e-mail is configured', () => {
    const warning = only(dev.warnings, 'warning');
    assert.equal(warning.path, '/Whiteboard-dev');
    // Says what is wrong and how to set the address, by context and by environment variable.
    assert.match(warning.message, /^No alarm e-mail is configured: the alarms of stage dev notify nobody\./);
    assert.match(warning.message, / -c alarmEmail=you@example\.com /);
    assert.match(warning.message, / WHITEBOARD_ALARM_EMAIL=you@example\.com,/);
    assert.match(warning.message, /\[ack: whiteboard:noAlarmEmail\]$/);
    // The app prints it too, in its validation report, when `cdk synth` runs it.
    assert.match(dev.printed, /WARNING No alarm e-mail is configured/);
    // With an address there is nothing to warn about.
    assert.deepEqual(prod.warnings, []);
    assert.equal(prod.printed, '');
  });
});

describe('metrics namespace per stage', () => {
  /** POWERTOOLS_METRICS_NAMESPACE of every function of a stage, as deployed. */
  const publishedTo = (app: Synthesized): string[] =>
    resourcesOf(app, 'AWS::Lambda::Function').map(
      ([, fn]) =>
        (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables
          .POWERTOOLS_METRICS_NAMESPACE as string,
    );
  /** The namespace of every dashboard metric that is not an AWS service's own (`AWS/...`). */
  const readFrom = (app: Synthesized): string[] =>
    dashboardWidgets(app)
      .flatMap((widget) => (widget.properties.metrics ?? []).map((metric) => String(metric[0])))
      .filter((namespace) => !namespace.startsWith('AWS/'));

  it("each stage's functions publish to its own namespace, and its dashboard reads only that one", () => {
    // Custom metrics are per account and Region, shared by every stage deployed there.
    assert.deepEqual(
      publishedTo(dev),
      functionIds.map(() => 'Whiteboard/dev'),
    );
    assert.deepEqual(
      publishedTo(prod),
      functionIds.map(() => 'Whiteboard/prod'),
    );
    for (const app of [dev, prod]) {
      const [namespace] = publishedTo(app);
      // API Gateway's 429s (from the access log), the three business metrics, and per function its
      // 5xx and cold starts, all in that namespace.
      assert.deepEqual(
        readFrom(app),
        Array.from({ length: 1 + 2 * functionIds.length + businessMetrics.names.length }, () => namespace),
      );
    }
    // The local stack (backend/local) keeps the shared environment's namespace.
    assert.equal(commonEnvironment.POWERTOOLS_METRICS_NAMESPACE, 'Whiteboard');
  });
});

describe('dashboard', () => {
  const [, dashboard] = only(resourcesOf(dev, 'AWS::CloudWatch::Dashboard'), 'dashboard');
  const byTitle = new Map(
    dashboardWidgets(dev).map((widget) => [widget.properties.title ?? widget.type, widget]),
  );
  /** A widget's metrics as `namespace metric dim=value,... stat` lines, dimensions sorted. */
  const metricsOf = (title: string): string[] => {
    const widget = byTitle.get(title);
    assert.ok(widget, `widget "${title}" in ${[...byTitle.keys()].join(' | ')}`);
    return (widget.properties.metrics ?? []).map((entry) => {
      const metric = widgetMetric(entry);
      assert.ok(metric, `a metric in "${title}"`);
      // Average is the widget's default statistic: CDK leaves it out.
      return `${metric.namespace} ${metric.name} ${dimensionKey(metric.dimensions)} ${metric.stat ?? 'Average'}`;
    });
  };
  const api = `ApiId=\${${logicalId(dev, dev.stack.api.httpApi)}},Stage=$default`;
  const table = `TableName=\${${logicalId(dev, dev.stack.table)}}`;

  it('is named after the stage and the Region (dashboard names are global to an account)', () => {
    assert.equal(joined(dashboard.Properties.DashboardName), `Whiteboard-dev-\${AWS::Region}`);
    assert.equal(
      joined(only(resourcesOf(prod, 'AWS::CloudWatch::Dashboard'), 'dashboard')[1].Properties.DashboardName),
      `Whiteboard-prod-\${AWS::Region}`,
    );
  });

  it('shows API requests, 4xx (429 apart), 5xx, latency and integration latency p50/p90/p99', () => {
    assert.deepEqual(metricsOf('API requests'), [`AWS/ApiGateway Count ${api} Sum`]);
    assert.deepEqual(metricsOf('API 4xx and 5xx'), [
      `AWS/ApiGateway 4xx ${api} Sum`,
      'Whiteboard/dev ApiThrottledRequests  Sum', // no dimensions
      `AWS/ApiGateway 5xx ${api} Sum`,
    ]);
    // Counted from the access log: a 1 for each line whose status is 429, in the stage's namespace.
    const [, filter] = only(resourcesOf(dev, 'AWS::Logs::MetricFilter'), 'metric filter');
    assert.deepEqual(filter.Properties.LogGroupName, { Ref: logicalId(dev, dev.stack.api.accessLogGroup) });
    assert.equal(filter.Properties.FilterPattern, '{ $.status = "429" }');
    assert.deepEqual(filter.Properties.MetricTransformations, [
      { MetricNamespace: 'Whiteboard/dev', MetricName: 'ApiThrottledRequests', MetricValue: '1' },
    ]);
    for (const [title, metric] of [
      ['API latency (ms)', 'Latency'],
      ['API integration latency (ms)', 'IntegrationLatency'],
    ] as const) {
      assert.deepEqual(
        metricsOf(title),
        ['p50', 'p90', 'p99'].map((stat) => `AWS/ApiGateway ${metric} ${api} ${stat}`),
      );
    }
  });

  it('shows invocations, errors, 5xx, throttles, duration, concurrency and cold starts of every function', () => {
    for (const functionId of functionIds) {
      const { id } = functions[functionId];
      const fn = `FunctionName=\${${logicalId(dev, dev.stack.functions[functionId].function)}}`;
      // The handlers' FailedRequests (instrument.ts), by function as ColdStart.
      assert.deepEqual(metricsOf(`${id}: invocations, errors, 5xx, throttles`), [
        `AWS/Lambda Invocations ${fn} Sum`,
        `AWS/Lambda Errors ${fn} Sum`,
        `Whiteboard/dev FailedRequests function_name=${fn.split('=')[1]},service=whiteboard Sum`,
        `AWS/Lambda Throttles ${fn} Sum`,
      ]);
      assert.deepEqual(metricsOf(`${id}: duration (ms)`), [
        `AWS/Lambda Duration ${fn} p50`,
        `AWS/Lambda Duration ${fn} p99`,
      ]);
      assert.deepEqual(metricsOf(`${id}: concurrent executions`), [
        `AWS/Lambda ConcurrentExecutions ${fn} Maximum`,
      ]);
      // Powertools' cold start metric: dimensions service and function_name (= the function's name).
      assert.deepEqual(metricsOf(`${id}: cold starts`), [
        `Whiteboard/dev ColdStart function_name=${fn.split('=')[1]},service=whiteboard Sum`,
      ]);
    }
  });

  it('shows DynamoDB consumed capacity, throttled requests, system errors and latency', () => {
    assert.deepEqual(metricsOf('DynamoDB consumed capacity'), [
      `AWS/DynamoDB ConsumedReadCapacityUnits ${table} Sum`,
      `AWS/DynamoDB ConsumedWriteCapacityUnits ${table} Sum`,
    ]);
    assert.deepEqual(metricsOf('DynamoDB throttled requests and system errors'), [
      `AWS/DynamoDB ThrottledRequests Operation=Query,${table} Sum`,
      `AWS/DynamoDB ThrottledRequests Operation=PutItem,${table} Sum`,
      `AWS/DynamoDB SystemErrors Operation=Query,${table} Sum`,
      `AWS/DynamoDB SystemErrors Operation=PutItem,${table} Sum`,
    ]);
    assert.deepEqual(metricsOf('DynamoDB latency (ms)'), [
      `AWS/DynamoDB SuccessfulRequestLatency Operation=Query,${table} Average`,
      `AWS/DynamoDB SuccessfulRequestLatency Operation=Query,${table} Maximum`,
      `AWS/DynamoDB SuccessfulRequestLatency Operation=PutItem,${table} Average`,
      `AWS/DynamoDB SuccessfulRequestLatency Operation=PutItem,${table} Maximum`,
    ]);
  });

  it('shows the business metrics MessagesPosted, MessagesRead and RejectedRequests', () => {
    assert.deepEqual(businessMetrics.names, ['MessagesPosted', 'MessagesRead', 'RejectedRequests']);
    assert.deepEqual(metricsOf('Messages posted and read'), [
      'Whiteboard/dev MessagesPosted service=whiteboard Sum',
      'Whiteboard/dev MessagesRead service=whiteboard Sum',
    ]);
    assert.deepEqual(metricsOf('Rejected requests (4xx)'), [
      'Whiteboard/dev RejectedRequests service=whiteboard Sum',
    ]);
  });

  it('shows the state of every alarm', () => {
    const widget = byTitle.get('Alarms');
    assert.equal(widget?.type, 'alarm');
    assert.equal(widget?.properties.alarms?.length, resourcesOf(dev, 'AWS::CloudWatch::Alarm').length);
  });
});

describe('cdk-nag AwsSolutions', () => {
  /** Every acknowledgement in an app: construct path, rule id, reason. */
  const acknowledgements = (app: Synthesized) =>
    app.app.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((entry) =>
            Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
              path: construct.node.path,
              id: id.replace(/^annotation::/i, ''),
              reason,
            })),
          ),
      )
      .sort((a, b) => a.path.localeCompare(b.path));

  it('runs at synth: an unacknowledged finding fails it', (t) => {
    const outdir = scratchFolder('whiteboard-cdk-');
    const probe = createWhiteboardApp({
      // With an alarm e-mail, so that the report holds the finding and not the no-e-mail warning.
      context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], alarmEmail: 'ops@example.com' },
      outdir,
      env: {},
    });
    // A topic that accepts unencrypted publishing: AwsSolutions-SNS3.
    new Topic(probe.stack, 'Probe');
    // The CDK prints the report with console.error before it throws: keep the test output clean.
    const printed = t.mock.method(console, 'error', () => {});
    assert.throws(() => probe.app.synth(), /Validation failed/);
    assert.match(String(printed.mock.calls[0]?.arguments[0]), /AwsSolutions-SNS3/);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
    };
    assert.deepEqual(
      report.pluginReports.map(({ pluginName, violations }) => ({
        pluginName,
        rules: violations.map(({ ruleName }) => ruleName),
      })),
      [{ pluginName: 'AwsSolutions', rules: ['AwsSolutions-SNS3'] }],
    );
  });

  it('synth reports no finding (an unacknowledged one would have failed synth)', () => {
    for (const app of [dev, prod]) {
      const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: { pluginName: string; conclusion: string; violations: { ruleName: string }[] }[];
      };
      // The report also lists the stack's warnings: dev has no alarm e-mail (see "alarms").
      assert.deepEqual(
        report.pluginReports.map(({ pluginName, conclusion, violations }) => ({
          pluginName,
          conclusion,
          rules: violations.map(({ ruleName }) => ruleName),
        })),
        app === dev
          ? [
              {
                pluginName: 'Construct Annotations',
                conclusion: 'success',
                rules: ['Annotation::whiteboard:noAlarmEmail'],
              },
            ]
          : [],
      );
    }
  });

  it('acknowledges exactly these findings, each with a written reason', () => {
    for (const app of [dev, prod]) {
      const stack = app.stack.stackName;
      const found = acknowledgements(app);
      assert.deepEqual(
        found.map(({ path, id }) => ({ path, id })),
        [
          { path: `${stack}/Api/HttpApi`, id: 'AwsSolutions-APIG4' },
          { path: `${stack}/PostMessage/Role`, id: 'AwsSolutions-IAM5[Resource::*]' },
          { path: `${stack}/ReadMessages/Role`, id: 'AwsSolutions-IAM5[Resource::*]' },
        ],
      );
      for (const { reason } of found) assert.ok(reason.length >= 80, `a reason, not a shrug: ${reason}`);
    }
  });
});

describe('Lambda bundles (the code that ships)', () => {
  /** index.mjs of a function, found through its S3 key in the stack's asset manifest. */
  const bundleOf = (functionId: FunctionId): string => {
    const resource = dev.json.Resources[logicalId(dev, dev.stack.functions[functionId].function)];
    assert.ok(resource);
    const key = (resource.Properties.Code as { S3Key: string }).S3Key;
    const manifest = JSON.parse(
      readFileSync(join(dev.outdir, `${dev.stack.stackName}.assets.json`), 'utf8'),
    ) as {
      files: Record<string, { source: { path: string; packaging: string } }>;
    };
    const asset = manifest.files[key.replace(/\.zip$/, '')];
    assert.ok(asset, `asset of ${key}`);
    assert.equal(asset.source.packaging, 'zip');
    return join(dev.outdir, asset.source.path, 'index.mjs');
  };

  it('are built by the local esbuild, never in Docker', () => {
    assert.equal(
      existsSync(dockerCalls),
      false,
      `docker was called: ${existsSync(dockerCalls) ? readFileSync(dockerCalls, 'utf8') : ''}`,
    );
  });

  /** The .mjs files of a bundle folder, index.mjs first, with their code. */
  const codeFiles = (folder: string): Map<string, string> =>
    new Map(
      readdirSync(folder, { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.mjs'))
        .sort((a, b) => Number(b === 'index.mjs') - Number(a === 'index.mjs'))
        .map((file) => [file, readFileSync(join(folder, file), 'utf8')]),
    );

  /** index.mjs and what it imports statically (relative imports of chunks): what init loads. */
  const loadedAtInit = (folder: string, files: Map<string, string>): string[] => {
    const loaded: string[] = [];
    const visit = (file: string) => {
      if (loaded.includes(file)) return;
      loaded.push(file);
      // `from"./x.mjs"` or a bare `import"./x.mjs"`; `import("./x.mjs")` is on demand.
      for (const [, specifier] of (files.get(file) ?? '').matchAll(
        /(?:\bfrom|\bimport)\s*"(\.\.?\/[^"]+)"/g,
      )) {
        visit(relative(folder, join(folder, dirname(file), specifier as string)));
      }
    };
    visit(lambdaBundling.entryFile);
    return loaded;
  };

  for (const functionId of functionIds) {
    it(`${functions[functionId].id}: minified ESM, index.mjs and chunks each with a source map, SDK bundled, X-Ray not loaded at init, cls-hooked and semver shimmed, node:http, node:fs and node:process as CommonJS, under the size ceilings`, () => {
      const bundle = bundleOf(functionId);
      const folder = dirname(bundle);
      const files = codeFiles(folder);
      assert.equal([...files.keys()][0], lambdaBundling.entryFile);
      for (const [file, code] of files) {
        assert.ok(existsSync(join(folder, `${file}.map`)), `source map next to ${file}`);
        assert.match(
          code,
          new RegExp(`//# sourceMappingURL=${basename(file).replace('.', '\\.')}\\.map\\s*$`),
        );
        assert.ok(code.startsWith(lambdaBundling.banner), `the shared banner comes first in ${file}`);
        // Nothing left to the runtime's SDK: no import of @aws-sdk or @smithy survives bundling
        // (the SDK's own error messages mention `import "@aws-sdk/..."`, hence no bare-import
        // pattern). The invocations below prove it too: the assembly is in a temporary folder.
        const external =
          /\bfrom\s*["'](?:@aws-sdk|@smithy)\/[^"']*["']|\bimport\(\s*["'](?:@aws-sdk|@smithy)\//.exec(code);
        assert.equal(external, null, `external SDK import in ${file}: ${external?.[0]}`);
        // node:http, node:fs and node:process reach the bundle's modules as CommonJS, never through
        // an `import`, static or dynamic, that would build their costly ES module facades
        // (backend/bundling.ts).
        const facade = /\b(?:from|import)\s*\(?\s*["'](?:node:)?(?:http|fs|process)["']/.exec(code);
        assert.equal(facade, null, `${file} imports a built-in as an ES module: ${facade?.[0]}`);
      }
      const init = loadedAtInit(folder, files);
      const bytes = (names: Iterable<string>) =>
        [...names].reduce((sum, file) => sum + statSync(join(folder, file)).size, 0);
      assert.ok(bytes(init) < INIT_CODE_CEILING_BYTES, `${init.join(', ')}: ${bytes(init)} bytes at init`);
      assert.ok(bytes(files.keys()) < BUNDLE_CEILING_BYTES, `${bytes(files.keys())} bytes of code`);
      // aws-xray-sdk-core is in the bundle, in a chunk that only tracing loads (backend/bundling.ts).
      const xray = (file: string) => (files.get(file) ?? '').includes('AWS_XRAY_DAEMON_ADDRESS');
      assert.ok([...files.keys()].some(xray), 'aws-xray-sdk-core is bundled');
      assert.deepEqual(init.filter(xray), [], 'no aws-xray-sdk-core code loaded at init');
      // In place of cls-hooked and of all of semver, the bundle shims (backend/bundling.ts).
      const sources = [...files.keys()].flatMap((file) => sourcesOf(join(folder, file)));
      assert.ok(sources.some((source) => source.endsWith('backend/bundle-shims/cls-hooked-context.ts')));
      // Sources named as if the bundle sat at the project root, wherever it was built.
      for (const file of files.keys()) {
        const up = file.includes('/') ? '../' : '';
        const stray = sourcesOf(join(folder, file)).filter(
          (source) => !source.startsWith(`${up}backend/`) && !source.startsWith(`${up}node_modules/`),
        );
        assert.deepEqual(stray, [], `sources of ${file} not named from the project root`);
      }
      assert.deepEqual(
        sources.filter((source) =>
          /node_modules\/(cls-hooked|semver\/(index|ranges|classes\/range))/.test(source),
        ),
        [],
      );
    });
  }

  it('builds the same asset into any folder (its hash does not depend on where the assembly goes)', () => {
    const scratch = scratchFolder('whiteboard-asset-');
    const contents = (outdir: string) => {
      buildShippedBundle(join(root, functions.readMessages.entry), outdir, root);
      return readdirSync(outdir, { recursive: true, encoding: 'utf8' })
        .filter((file) => statSync(join(outdir, file)).isFile())
        .sort()
        .map((file) => [file, readFileSync(join(outdir, file), 'utf8')]);
    };
    const shallow = contents(join(scratch, 'a'));
    const deep = contents(join(scratch, 'b', 'c', 'd', 'e'));
    assert.ok(shallow.some(([file]) => file === 'index.mjs.map'));
    assert.deepEqual(deep, shallow);
  });

  it('builds in a .whiteboard folder of the project that it makes for its owner only, and leaves it empty', () => {
    const project = scratchFolder('whiteboard-project-');
    buildShippedBundle(join(root, functions.readMessages.entry), join(project, 'asset'), project);
    assert.equal(statSync(join(project, '.whiteboard')).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(join(project, '.whiteboard')), []);
  });

  it("removes the staging folder that a killed synth left in the project's .whiteboard folder", async () => {
    const project = scratchFolder('whiteboard-project-');
    const parent = join(project, '.whiteboard');
    mkdirSync(parent);
    await besideLeftoverFolders(
      'cdk-bundle-',
      'index.mjs',
      async ({ orphan, inUse }) => {
        buildShippedBundle(join(root, functions.readMessages.entry), join(project, 'asset'), project);
        assert.deepEqual(readdirSync(parent), [basename(inUse)], `${orphan} removed, this process's kept`);
      },
      parent,
    );
  });

  interface Invocation {
    readonly result: { statusCode: number; headers?: Record<string, string>; body: string };
    readonly stdout: string;
    readonly stderr: string;
  }

  interface InvokeOptions {
    /** What else Lambda sets, e.g. to run it traced. */
    readonly lambdaEnvironment?: Record<string, string>;
    /** Each invocation's X-Ray trace header, when traced. */
    readonly traceHeaders?: readonly string[];
    /** Awaited after the answer, before the process exits: until what it still sends arrived. */
    readonly beforeExit?: () => Promise<void>;
    /** Whether the process may write to stderr (Powertools logs errors there); by default not. */
    readonly stderrExpected?: boolean;
    /** Given, an import of the bundle that fails is handed to it, not a test failure. */
    readonly onInitError?: (error: { message: string; stack: string }) => void;
    /** The index.mjs to run; by default the one the stack ships for the function. */
    readonly bundle?: string;
  }

  /** Runs the bundle of a function in a fresh Node.js process, as Lambda would, against `table`. */
  const invoke = async (
    functionId: FunctionId,
    events: readonly ApiEvent[],
    table: { endpoint: string; tableName: string },
    {
      lambdaEnvironment = {},
      traceHeaders = [],
      beforeExit = async () => {},
      stderrExpected = false,
      onInitError,
      bundle = bundleOf(functionId),
    }: InvokeOptions = {},
  ): Promise<Invocation[]> => {
    const definition = functions[functionId];
    const resource = dev.json.Resources[logicalId(dev, dev.stack.functions[functionId].function)];
    assert.ok(resource);
    const variables = (resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const functionName = `${dev.stack.stackName}-${definition.id}Function-TEST`;
    // The function's environment as deployed (TABLE_NAME is a reference there), plus what Lambda
    // itself sets, local fake credentials and the local engine.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      ...Object.fromEntries(Object.entries(variables).filter(([, value]) => typeof value === 'string')),
      TABLE_NAME: table.tableName,
      DYNAMODB_ENDPOINT: table.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'whiteboardtest',
      AWS_SECRET_ACCESS_KEY: 'whiteboardtestsecret',
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memorySize),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      _HANDLER: String(resource?.Properties.Handler),
      TZ: ':UTC',
      // The SDK warns once per process on Node < 22; Lambda runs Node 24.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...lambdaEnvironment,
    };
    const child = fork(fileURLToPath(new URL('./invoke-bundle.mjs', import.meta.url)), [], {
      env,
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      timeout: 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const reply = new Promise<{
      results?: Invocation['result'][];
      error?: { message: string; stack: string };
    }>((resolve, reject) => {
      child.once('message', (message) => resolve(message as never));
      child.once('exit', (code, signal) =>
        reject(
          new Error(`bundle process exited (${code ?? signal}) without answering\n${stderr}\n${stdout}`),
        ),
      );
    });
    child.send({
      bundle,
      handler: definition.handler,
      invocations: events.map((event, index) => ({
        event,
        traceHeader: traceHeaders[index],
        context: {
          functionName,
          invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
          memoryLimitInMB: String(definition.memorySize),
          awsRequestId: randomUUID(),
          timeoutMs: definition.timeout * 1000,
        },
      })),
    });
    const answer = await reply;
    if (!answer.error) {
      await beforeExit();
      child.send('exit');
    }
    await new Promise((resolve) =>
      child.exitCode === null ? child.once('exit', resolve) : resolve(undefined),
    );
    if (answer.error && onInitError) {
      onInitError(answer.error);
      return [];
    }
    if (answer.error)
      assert.fail(`${functions[functionId].id} bundle failed: ${answer.error.stack}\n${stderr}`);
    if (!stderrExpected) assert.equal(stderr.trim(), '', 'nothing on stderr');
    return (answer.results ?? []).map((result) => ({ result, stdout, stderr }));
  };

  /** The EMF documents a process printed (Powertools Metrics writes one JSON line per flush). */
  const emf = (stdout: string) =>
    stdout
      .split('\n')
      .filter((line) => line.includes('"_aws"'))
      .map(
        (line) =>
          JSON.parse(line) as Json & {
            _aws: {
              CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
            };
          },
      );

  it('PostMessage and ReadMessages answer real API Gateway events against DynamoDB', async () => {
    const table = await createTestTable();
    const board = `bundle-${randomUUID().slice(0, 8)}`;
    const [posted] = await invoke(
      'postMessage',
      [postEvent({ author: 'Ada', text: 'Hello from the bundle' }, { board })],
      table,
    );
    assert.ok(posted);
    assert.equal(posted.result.statusCode, 201, posted.result.body);
    const message = JSON.parse(posted.result.body) as {
      id: string;
      board: string;
      author: string;
      text: string;
    };
    assert.equal(message.board, board);
    assert.equal(message.author, 'Ada');
    assert.equal(message.text, 'Hello from the bundle');
    assert.match(message.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);

    // Business and cold start metrics in the namespace and dimensions the dashboard reads.
    const documents = emf(posted.stdout);
    const metric = (name: string) =>
      documents.find((document) =>
        document._aws.CloudWatchMetrics.some((set) => set.Metrics.some((entry) => entry.Name === name)),
      );
    const postedMetric = metric('MessagesPosted');
    assert.ok(postedMetric, `MessagesPosted EMF in:\n${posted.stdout}`);
    // The namespace comes from the function's environment as deployed: the stage's own.
    assert.equal(postedMetric._aws.CloudWatchMetrics[0]?.Namespace, 'Whiteboard/dev');
    assert.deepEqual(postedMetric._aws.CloudWatchMetrics[0]?.Dimensions, [['service']]);
    assert.equal(postedMetric.service, businessMetrics.service);
    const coldStart = metric('ColdStart');
    assert.ok(coldStart, 'ColdStart EMF');
    assert.equal(coldStart._aws.CloudWatchMetrics[0]?.Namespace, 'Whiteboard/dev');
    assert.deepEqual(coldStart._aws.CloudWatchMetrics[0]?.Dimensions, [['service', 'function_name']]);
    assert.equal(coldStart.function_name, `${dev.stack.stackName}-PostMessageFunction-TEST`);

    const [first, second] = await invoke(
      'readMessages',
      [
        apiEvent({ from: 'no-auth.json', board, query: { limit: '10' } }),
        // A warm invocation of the same execution environment, on the default board.
        apiEvent({ from: 'no-auth.json' }),
      ],
      table,
    );
    assert.ok(first && second);
    assert.equal(first.result.statusCode, 200, first.result.body);
    const page = JSON.parse(first.result.body) as { messages: { id: string }[]; nextCursor: string | null };
    assert.deepEqual(
      page.messages.map(({ id }) => id),
      [message.id],
    );
    assert.equal(page.nextCursor, null);
    assert.equal(second.result.statusCode, 200, second.result.body);
    assert.deepEqual((JSON.parse(second.result.body) as { messages: unknown[] }).messages, []);
  });

  it('ReadMessages traced as Lambda runs it: the Tracer chunk loads, and each invocation sends its own segments, nested, to the X-Ray daemon', async () => {
    const table = await createTestTable();
    const daemon = createSocket('udp4');
    const documents: Json[] = [];
    // Each datagram is a header line and one segment document (X-Ray Developer Guide, "Sending
    // segment documents to the X-Ray daemon").
    daemon.on('message', (datagram) => {
      documents.push(JSON.parse(datagram.toString('utf8').split('\n')[1] ?? '{}') as Json);
    });
    await new Promise<void>((bound) => daemon.bind(0, '127.0.0.1', bound));
    try {
      const roots = [1, 2].map(
        () => `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`,
      );
      // The Lambda service's segment for each invocation, the parent of the function's subsegments.
      const parents = roots.map(() => randomBytes(8).toString('hex'));
      const headers = roots.map((root, index) => `Root=${root};Parent=${parents[index]};Sampled=1`);
      const event = apiEvent({ from: 'no-auth.json' });
      // Two invocations in one execution environment: the second must not inherit the first's
      // segments (aws-xray-sdk-core keeps them in a cls-hooked context, AsyncLocalStorage in
      // these bundles: backend/bundle-shims/cls-hooked-context.ts).
      const named = (name: string, root: string) =>
        documents.filter((document) => document.name === name && document.trace_id === root);
      const complete = () =>
        roots.every(
          (root) => named('## index.handler', root).length > 0 && named('DynamoDB', root).length > 0,
        );
      // The process stays until the segments are in (or 5 s have passed: the checks below say which).
      const segmentsIn = async () => {
        for (const deadline = Date.now() + 5_000; !complete() && Date.now() < deadline; ) await sleep(20);
      };
      const reads = await invoke('readMessages', [event, event], table, {
        lambdaEnvironment: {
          AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
          LAMBDA_TASK_ROOT: dirname(bundleOf('readMessages')),
          _X_AMZN_TRACE_ID: headers[0] as string,
          AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
          AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
        },
        traceHeaders: headers,
        beforeExit: segmentsIn,
      });
      for (const read of reads) assert.equal(read.result.statusCode, 200, read.result.body);
      roots.forEach((root, index) => {
        const [handler, ...moreHandlers] = named('## index.handler', root);
        const [query, ...moreQueries] = named('DynamoDB', root);
        assert.ok(
          handler && query,
          `invocation ${index + 1}: handler and DynamoDB subsegments in ${JSON.stringify(documents)}`,
        );
        assert.deepEqual([moreHandlers, moreQueries], [[], []], `invocation ${index + 1}: one of each`);
        assert.equal(handler.parent_id, parents[index], `invocation ${index + 1}: the handler's parent`);
        assert.equal(
          query.parent_id,
          handler.id,
          `invocation ${index + 1}: the query is the handler's child`,
        );
        assert.equal((query.aws as { operation?: string } | undefined)?.operation, 'Query');
        assert.equal(
          (handler.annotations as Record<string, unknown> | undefined)?.ColdStart,
          index === 0,
          `invocation ${index + 1}: ColdStart annotation`,
        );
        // The service and the board, to find a board's traces by.
        const { Service, board } = (handler.annotations ?? {}) as Record<string, unknown>;
        assert.deepEqual({ Service, board }, { Service: 'whiteboard', board: 'default' });
      });
      assert.equal(
        documents.filter((document) => !roots.includes(document.trace_id as string)).length,
        0,
        'no segment outside the two traces',
      );
    } finally {
      daemon.close();
    }
  });

  it('ReadMessages deployed with tracing turned off (POWERTOOLS_TRACE_ENABLED=false) never imports the Tracer chunk', async () => {
    // A copy of the shipped bundle without the chunks that hold aws-xray-sdk-core (read only by a
    // dynamic import: backend/handlers/powertools.ts). Traced, its init fails for want of them; with
    // tracing off it answers, so it never asked for them.
    const { path: copy, remove: removeCopy } = ownTempFolder('whiteboard-untraced-');
    try {
      cpSync(dirname(bundleOf('readMessages')), copy, { recursive: true });
      const chunks = join(copy, lambdaBundling.chunksDir);
      const xray = readdirSync(chunks).filter((name) =>
        readFileSync(join(chunks, name), 'utf8').includes('AWS_XRAY_DAEMON_ADDRESS'),
      );
      assert.ok(xray.length > 0, `no chunk in ${chunks} holds aws-xray-sdk-core`);
      for (const name of xray) rmSync(join(chunks, name));
      const table = await createTestTable();
      const event = apiEvent({ from: 'no-auth.json' });
      const lambdaEnvironment = {
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        LAMBDA_TASK_ROOT: copy,
        _X_AMZN_TRACE_ID: lambdaTraceHeader(undefined, Date.now()),
      };
      const bundle = join(copy, 'index.mjs');
      let initError = '';
      await invoke('readMessages', [event], table, {
        bundle,
        lambdaEnvironment,
        onInitError: (error) => {
          initError = error.message;
        },
      });
      assert.ok(
        xray.some((name) => initError.includes(name)),
        `traced, the copy must fail for want of ${xray.join(', ')}; its init error: ${initError}`,
      );
      const [read] = await invoke('readMessages', [event], table, {
        bundle,
        lambdaEnvironment: { ...lambdaEnvironment, POWERTOOLS_TRACE_ENABLED: 'false' },
      });
      assert.equal(read?.result.statusCode, 200, read?.result.body);
    } finally {
      removeCopy();
    }
  });

  it('ReadMessages logs an unexpected failure with its stack mapped to the TypeScript sources, source maps off as deployed', async () => {
    const table = await createTestTable();
    const [failed] = await invoke(
      'readMessages',
      [apiEvent({ from: 'no-auth.json' })],
      // A table that does not exist: DynamoDB answers ResourceNotFoundException, a 500 for us.
      { ...table, tableName: `${table.tableName}-missing` },
      { stderrExpected: true },
    );
    assert.ok(failed);
    assert.equal(failed.result.statusCode, 500, failed.result.body);
    // Powertools writes errors to stderr (console.error), as Lambda's logs keep them.
    const logged = failed.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { message?: string; error?: { stack?: string; location?: string } })
      .find((line) => line.message === 'request failed');
    assert.ok(logged?.error?.stack, `a 'request failed' line with a stack in:\n${failed.stderr}`);
    // The repository's Query, which the bundle's minified index.mjs holds, is named by its source
    // file and its very line there.
    const repositorySource = readFileSync(
      join(root, 'backend/adapters/dynamodb-message-repository.ts'),
      'utf8',
    );
    const queryLine =
      repositorySource.split('\n').findIndex((text) => text.includes('result = await this.client.send(')) + 1;
    assert.ok(queryLine > 0, 'the repository sends its Query as `result = await this.client.send(`');
    assert.match(
      logged.error.stack,
      new RegExp(`\\(backend/adapters/dynamodb-message-repository\\.ts:${queryLine}:\\d+\\)`),
    );
    assert.doesNotMatch(logged.error.stack, /index\.mjs:\d+:\d+/);
  });

  it('PostMessage fails its init without TABLE_NAME, with the error mapped to the TypeScript sources', async () => {
    const table = await createTestTable();
    let initError: { message: string; stack: string } | undefined;
    await invoke('postMessage', [], table, {
      lambdaEnvironment: { TABLE_NAME: '' },
      onInitError: (error) => {
        initError = error;
      },
    });
    assert.ok(initError, 'the import failed');
    assert.match(initError.message, /TABLE_NAME/);
    assert.match(initError.stack, /\(backend\/config\.ts:\d+:\d+\)/);
    assert.doesNotMatch(initError.stack, /index\.mjs:\d+:\d+/);
  });

  it('emits every metric of its own namespace that the dashboard and the alarms read, with their very dimensions, and no other', async () => {
    // A CloudWatch metric is its namespace, name and full set of dimensions: a widget or an alarm
    // that names one the functions do not emit shows nothing, or never fires.
    const table = await createTestTable();
    const missingTable = { ...table, tableName: `${table.tableName}-missing` };
    const postBody = (body: string) => apiEvent({ method: 'POST', body });
    const readEvent = () => apiEvent({ from: 'no-auth.json' });
    const valid = JSON.stringify({ author: 'Ada', text: 'metrics' });
    const runs = [
      // 201, then 400; 200; and a 500 from each (a table that does not exist).
      await invoke('postMessage', [postBody(valid), postBody('{"author":"Ada"}')], table),
      await invoke('readMessages', [readEvent()], table),
      await invoke('readMessages', [readEvent()], missingTable, { stderrExpected: true }),
      await invoke('postMessage', [postBody(valid)], missingTable, { stderrExpected: true }),
    ];
    assert.deepEqual(
      runs.map((invocations) => invocations.map(({ result }) => result.statusCode)),
      [[201, 400], [200], [500], [500]],
    );
    const emitted = new Set<string>();
    for (const invocations of runs) {
      for (const document of emf(invocations[0]?.stdout ?? '')) {
        for (const set of document._aws.CloudWatchMetrics) {
          for (const dimensions of set.Dimensions) {
            const values = dimensionKey(dimensions.map((name) => [name, String(document[name])] as const));
            for (const { Name } of set.Metrics) emitted.add(`${set.Namespace} ${Name} ${values}`);
          }
        }
      }
    }

    // What the template reads, each function's reference as the name the invocations ran under.
    const functionNames = new Map(
      functionIds.map((functionId) => [
        `\${${logicalId(dev, dev.stack.functions[functionId].function)}}`,
        `${dev.stack.stackName}-${functions[functionId].id}Function-TEST`,
      ]),
    );
    const named = (value: unknown) => {
      const text = rendered(value);
      return functionNames.get(text) ?? text;
    };
    const readByTemplate = new Set<string>();
    const add = (namespace: string, name: string, dimensions: [string, string][]) => {
      // The 429s are counted from the access log by a metric filter, not by the functions.
      if (namespace.startsWith('AWS/') || name === apiThrottledMetricName) return;
      readByTemplate.add(`${namespace} ${name} ${dimensionKey(dimensions)}`);
    };
    for (const widget of dashboardWidgets(dev)) {
      for (const entry of widget.properties.metrics ?? []) {
        const metric = widgetMetric(entry);
        if (metric) {
          add(
            metric.namespace,
            metric.name,
            metric.dimensions.map(([name, value]) => [name, named(value)]),
          );
        }
      }
    }
    type AlarmMetric = {
      Namespace: string;
      MetricName: string;
      Dimensions?: { Name: string; Value: unknown }[];
    };
    for (const [, alarm] of resourcesOf(dev, 'AWS::CloudWatch::Alarm')) {
      const props = alarm.Properties as AlarmMetric & {
        Metrics?: { MetricStat?: { Metric: AlarmMetric } }[];
      };
      const metrics = props.Metrics
        ? props.Metrics.flatMap(({ MetricStat }) => (MetricStat ? [MetricStat.Metric] : []))
        : [props];
      for (const { Namespace, MetricName, Dimensions = [] } of metrics) {
        add(
          Namespace,
          MetricName,
          Dimensions.map(({ Name, Value }) => [Name, named(Value)]),
        );
      }
    }
    assert.ok(readByTemplate.size > 0, 'the template reads metrics of its own namespace');
    assert.deepEqual([...readByTemplate].sort(), [...emitted].sort());
  });

  it('PostMessage rejects an invalid body with a 400 and counts it as a rejected request', async () => {
    const table = await createTestTable();
    const [rejected] = await invoke(
      'postMessage',
      [apiEvent({ method: 'POST', body: '{"author":"Ada"}' })],
      table,
    );
    assert.ok(rejected);
    assert.equal(rejected.result.statusCode, 400, rejected.result.body);
    assert.ok(
      emf(rejected.stdout).some((document) =>
        document._aws.CloudWatchMetrics.some((set) =>
          set.Metrics.some((entry) => entry.Name === 'RejectedRequests'),
        ),
      ),
      'RejectedRequests EMF',
    );
  });
});
