import { fileURLToPath } from 'node:url';
import { Annotations, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { messagesTable } from '../backend/adapters/messages-table.ts';
import { type FunctionId, functions } from '../backend/http/routes.ts';
import { WhiteboardApi } from './constructs/whiteboard-api.ts';
import { WhiteboardFunction } from './constructs/whiteboard-function.ts';
import { WhiteboardObservability } from './constructs/whiteboard-observability.ts';
import { metricsNamespace, type Settings, settingSources } from './settings.ts';

/** The repository root, where package-lock.json and the handler entries are. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** Id of the warning `cdk synth` prints when no alarm e-mail is configured. */
const noAlarmEmailWarning = 'whiteboard:noAlarmEmail';

export interface WhiteboardStackProps extends StackProps {
  readonly settings: Settings;
}

/**
 * One stage of the whiteboard: the messages table, one function per entry of the shared
 * definition, the HTTP API routing to them, and the dashboard and alarms. Environment-agnostic (no
 * account or Region, no lookups), so `cdk synth` runs offline with no credentials.
 */
export class WhiteboardStack extends Stack {
  readonly table: Table;
  readonly functions: Readonly<Record<FunctionId, WhiteboardFunction>>;
  readonly api: WhiteboardApi;
  readonly observability: WhiteboardObservability;

  constructor(scope: Construct, id: string, props: WhiteboardStackProps) {
    super(scope, id, props);
    const { settings } = props;
    // A dev stage is disposable; any other keeps its data and logs when the stack is deleted.
    const removalPolicy = settings.isDevStage ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.table = new Table(this, 'MessagesTable', {
      partitionKey: { name: messagesTable.partitionKey, type: AttributeType.STRING },
      sortKey: { name: messagesTable.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: !settings.isDevStage,
      removalPolicy,
    });

    const created = Object.fromEntries(
      (Object.keys(functions) as FunctionId[]).map((functionId) => [
        functionId,
        new WhiteboardFunction(this, {
          definition: functions[functionId],
          table: this.table,
          projectRoot,
          logRetentionDays: settings.logRetentionDays,
          logRemovalPolicy: removalPolicy,
          metricsNamespace: metricsNamespace(settings.stage),
        }),
      ]),
    ) as Record<FunctionId, WhiteboardFunction>;
    this.functions = created;

    this.api = new WhiteboardApi(this, 'Api', {
      stage: settings.stage,
      functions: Object.fromEntries(
        Object.entries(created).map(([functionId, construct]) => [functionId, construct.function]),
      ) as Record<FunctionId, WhiteboardFunction['function']>,
      corsOrigins: settings.corsOrigins,
      throttle: settings.throttle,
      logRetentionDays: settings.logRetentionDays,
      logRemovalPolicy: removalPolicy,
    });

    this.observability = new WhiteboardObservability(this, 'Observability', {
      stage: settings.stage,
      apiStage: this.api.stage,
      accessLogGroup: this.api.accessLogGroup,
      functions: Object.values(created),
      table: this.table,
      alarmEmail: settings.alarmEmail,
    });
    // The alarms still go to the SNS topic, but nobody is subscribed to it: say so at every synth.
    if (settings.alarmEmail === undefined) {
      const { context, env } = settingSources.alarmEmail;
      Annotations.of(this).addWarningV2(
        noAlarmEmailWarning,
        `No alarm e-mail is configured: the alarms of stage ${settings.stage} notify nobody. Set one with ` +
          `-c ${context}=you@example.com (e.g. npm run deploy -- -c ${context}=you@example.com) or ` +
          `${env}=you@example.com, then confirm the subscription in the mail AWS sends.`,
      );
    }

    // The CLI reads ApiUrl from cdk-outputs.json, which `npm run deploy` writes (README.md, "Deploying to AWS").
    new CfnOutput(this, 'ApiUrl', {
      value: this.api.stage.url,
      description: 'Base URL of the whiteboard API',
    });
    new CfnOutput(this, 'DashboardUrl', {
      value: this.observability.dashboardUrl,
      description: 'CloudWatch dashboard of this stage',
    });
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'DynamoDB messages table' });
  }
}
