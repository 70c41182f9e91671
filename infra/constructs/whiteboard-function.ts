import { join } from 'node:path';
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { lambdaBundling } from '../../backend/bundling.ts';
import { commonEnvironment, type FunctionDefinition, type TableAccess } from '../../backend/http/routes.ts';

/**
 * The DynamoDB actions behind each access level, and nothing more: `grantReadData` would add Scan,
 * GetItem, BatchGetItem and DescribeTable, which no function here calls.
 */
export const tableActions: Readonly<Record<TableAccess, readonly string[]>> = {
  query: ['dynamodb:Query'],
  put: ['dynamodb:PutItem'],
};

export interface WhiteboardFunctionProps {
  readonly definition: FunctionDefinition;
  readonly table: ITable;
  /** The repository root: entry paths in the definition are relative to it. */
  readonly projectRoot: string;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * One Lambda function of the shared definition (backend/http/routes.ts) with the defaults every
 * function gets, fixed here once: Node.js 24 on ARM64 (Graviton, cheaper per GB-second: "Lambda
 * instruction set architectures"), active X-Ray tracing, its own log group with retention, an ESM
 * bundle built by the local esbuild with the shared settings (backend/bundling.ts) and source maps
 * turned on, Powertools environment, and a role that may do exactly what the function needs.
 *
 * The role is explicit instead of the default one, because the default carries the managed
 * AWSLambdaBasicExecutionRole policy (logs:CreateLogGroup and writes to every log group of the
 * account); here the function may only write to its own log group.
 */
export class WhiteboardFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly definition: FunctionDefinition;

  constructor(scope: Construct, props: WhiteboardFunctionProps) {
    const { definition, table, projectRoot } = props;
    super(scope, definition.id);
    this.definition = definition;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetentionDays,
      removalPolicy: props.logRemovalPolicy,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${definition.id} function: ${definition.tableAccess} on the messages table`,
    });
    // logs:CreateLogStream and logs:PutLogEvents on this log group only ("Sending Lambda function
    // logs to CloudWatch Logs": the function needs no logs:CreateLogGroup when the group exists).
    this.logGroup.grantWrite(this.role);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...tableActions[definition.tableAccess]],
        resources: [table.tableArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(projectRoot, definition.entry),
      handler: definition.handler,
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      description: definition.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: definition.memorySize,
      timeout: Duration.seconds(definition.timeout),
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      environment: {
        ...commonEnvironment,
        ...definition.environment,
        TABLE_NAME: table.tableName,
        // Stack traces in the logs point at the TypeScript sources ("Working with source maps"
        // in the Lambda Node.js docs): the bundle is minified.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        // Never Docker: the esbuild installed in node_modules builds the bundle on this machine.
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: lambdaBundling.target,
        minify: lambdaBundling.minify,
        sourceMap: lambdaBundling.sourcemap,
        // Stack traces need only the mappings; the sources themselves would double the asset.
        sourcesContent: false,
        mainFields: [...lambdaBundling.mainFields],
        banner: lambdaBundling.banner,
        // Bundle the pinned AWS SDK instead of the one the runtime carries.
        externalModules: [...lambdaBundling.external],
      },
    });

    // Tracing.ACTIVE adds xray:PutTraceSegments and xray:PutTelemetryRecords on "*" to the role.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray statement that Tracing.ACTIVE adds has Resource "*": xray:PutTraceSegments and ' +
        'xray:PutTelemetryRecords support no resource-level permissions (Service Authorization Reference, ' +
        '"Actions, resources, and condition keys for AWS X-Ray"). Table and log statements are scoped to ARNs.',
    });
  }
}
