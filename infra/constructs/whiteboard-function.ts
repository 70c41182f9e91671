import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  AssetHashType,
  DockerImage,
  Duration,
  type ILocalBundling,
  type RemovalPolicy,
  Validations,
} from 'aws-cdk-lib';
import { type ITable, Operation } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { lambdaBuildOptions } from '../../backend/bundling.ts';
import { commonEnvironment, type FunctionDefinition, type TableAccess } from '../../backend/http/routes.ts';
import { ownTempFolder } from '../../backend/local/temp-folders.ts';

/**
 * The DynamoDB actions behind each access level, and nothing more: `grantReadData` would add Scan,
 * GetItem, BatchGetItem, ConditionCheckItem and DescribeTable, `grantWriteData` BatchWriteItem,
 * UpdateItem, DeleteItem and DescribeTable (aws-cdk-lib 2.276, table-grants.js), which no function
 * here calls.
 */
export const tableActions: Readonly<Record<TableAccess, readonly string[]>> = {
  query: ['dynamodb:Query'],
  put: ['dynamodb:PutItem'],
};

/**
 * The DynamoDB operation of each access, whose metrics (AWS/DynamoDB, dimension Operation) the
 * dashboard graphs and the table's throttle alarm counts (whiteboard-observability.ts).
 */
export const tableOperations: Readonly<Record<TableAccess, Operation>> = {
  query: Operation.QUERY,
  put: Operation.PUT_ITEM,
};

export interface WhiteboardFunctionProps {
  readonly definition: FunctionDefinition;
  readonly table: ITable;
  /** The repository root: entry paths in the definition are relative to it. */
  readonly projectRoot: string;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
  /**
   * CloudWatch namespace of the function's EMF metrics (POWERTOOLS_METRICS_NAMESPACE), one per
   * stage (`metricsNamespace` in infra/settings.ts) instead of `commonEnvironment`'s shared one.
   */
  readonly metricsNamespace: string;
}

/**
 * Names each source in the bundle's source maps as if the bundle sat at the project root, so a
 * stack trace the handlers log in Lambda reads `backend/handlers/read-messages.ts:…`
 * (backend/source-mapped-stack.ts).
 */
const nameSourcesFromProjectRoot = (outdir: string, projectRoot: string): void => {
  for (const file of readdirSync(outdir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.map')) continue;
    const path = join(outdir, file);
    const map = JSON.parse(readFileSync(path, 'utf8')) as { sources: string[] };
    const mapDir = dirname(path);
    // A chunk's map is in chunks/: its sources are named from there, e.g. ../backend/...
    const toBundleRoot = relative(mapDir, outdir);
    map.sources = map.sources.map((source) =>
      join(toBundleRoot, relative(projectRoot, resolve(mapDir, source)))
        .split(sep)
        .join('/'),
    );
    writeFileSync(path, JSON.stringify(map));
  }
};

/**
 * Builds a bundle as the CDK ships it. esbuild's chunk names hash the chunks with their source
 * maps, and a map names its sources relative to the folder it is built in: built straight into
 * the CDK's folder, the same code synthesized into another place (`cdk synth -o`) had other chunk
 * names, so another asset hash (AssetHashType.OUTPUT below) and a needless update of the function.
 * It is built in a folder at a fixed depth in the project instead, then copied.
 */
export const buildShippedBundle = (entry: string, outdir: string, projectRoot: string): void => {
  const parent = join(projectRoot, '.whiteboard');
  // For its owner only, as the local stack makes it for the data folders it also holds
  // (backend/local/engine/data-dir.ts); made here first, it kept the umask's mode (755).
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  // Named after this process, so that the folder of a synth killed midway is removed by the next.
  const staging = ownTempFolder('cdk-bundle-', parent);
  try {
    buildSync(lambdaBuildOptions({ entry, outdir: staging.path }));
    nameSourcesFromProjectRoot(staging.path, projectRoot);
    cpSync(staging.path, outdir, { recursive: true });
  } finally {
    staging.remove();
  }
};

/**
 * Builds a function's bundle in the CDK's local bundling step (no Docker). The entry is a field,
 * not just captured by `tryBundle`: the CDK caches bundlings within an app under a key made from
 * the asset's options as JSON, and without it every function of this project folder would share
 * the first one's bundle.
 */
class LocalEsbuild implements ILocalBundling {
  constructor(
    readonly entry: string,
    readonly projectRoot: string,
  ) {}

  tryBundle(outputDir: string): boolean {
    buildShippedBundle(this.entry, outputDir, this.projectRoot);
    return true;
  }
}

/**
 * One Lambda function of the shared definition (backend/http/routes.ts) with the defaults every
 * function gets, fixed here once: Node.js 24 on ARM64 (Graviton, cheaper per GB-second: "Lambda
 * instruction set architectures"), active X-Ray tracing, its own log group with retention, an ESM
 * bundle built by the local esbuild with the shared options (backend/bundling.ts) and source maps
 * turned on, Powertools environment, and a role that may do exactly what the function needs.
 *
 * The role is explicit instead of the default one, because the default carries the managed
 * AWSLambdaBasicExecutionRole policy (logs:CreateLogGroup and writes to every log group of the
 * account); here the function may only write to its own log group.
 */
export class WhiteboardFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly definition: FunctionDefinition;
  /** The namespace set in the function's environment: what the dashboard must read. */
  readonly metricsNamespace: string;

  constructor(scope: Construct, props: WhiteboardFunctionProps) {
    const { definition, table, projectRoot } = props;
    super(scope, definition.id);
    this.definition = definition;
    this.metricsNamespace = props.metricsNamespace;

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

    this.function = new LambdaFunction(this, 'Function', {
      code: Code.fromAsset(projectRoot, {
        // The hash of what was built, not of the project folder.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never Docker: the esbuild in node_modules builds the bundle on this machine, with the
          // options the local stack and the benchmarks build with (backend/bundling.ts). Not
          // NodejsFunction: it builds one file (`--outfile`), and the bundle is split (the Tracer
          // and what else is only imported on demand live in chunks/, loaded when first needed).
          image: DockerImage.fromRegistry('scratch'),
          local: new LocalEsbuild(join(projectRoot, definition.entry), projectRoot),
        },
      }),
      handler: `index.${definition.handler}`,
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
        // After the shared environment, which the local stack uses as it is: every stage's
        // functions run in one account and Region, and would otherwise share one namespace.
        POWERTOOLS_METRICS_NAMESPACE: this.metricsNamespace,
        TABLE_NAME: table.tableName,
        // No NODE_OPTIONS=--enable-source-maps: it costs every cold start 14-17 ms to map the rare
        // error. The handlers map the stacks they log themselves, from the source maps the bundle
        // carries (backend/source-mapped-stack.ts); a crash the runtime reports itself
        // keeps the bundle's places.
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
