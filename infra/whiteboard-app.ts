import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readSettings, type Settings, stackName } from './settings.ts';
import { WhiteboardStack } from './whiteboard-stack.ts';

export interface WhiteboardApp {
  readonly app: App;
  readonly stack: WhiteboardStack;
  readonly settings: Settings;
}

export interface WhiteboardAppOptions {
  /** Context on top of what the CDK CLI passes (cdk.json and `-c`): tests give cdk.json's here. */
  readonly context?: AppProps['context'];
  /** Where the cloud assembly goes; the CLI decides when it runs the app. */
  readonly outdir?: string;
  /** Environment the settings are read from. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The CDK app: one stack for the stage chosen in the settings, checked by cdk-nag's AwsSolutions
 * rules at synthesis. A finding that is neither fixed nor acknowledged with a reason
 * (`Validations.of(construct).acknowledge`) fails `cdk synth` and `cdk deploy`.
 */
export const createWhiteboardApp = (options: WhiteboardAppOptions = {}): WhiteboardApp => {
  const app = new App({
    ...(options.context === undefined ? {} : { context: options.context }),
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const settings = readSettings({
    context: (key) => app.node.tryGetContext(key),
    env: options.env ?? process.env,
  });
  const stack = new WhiteboardStack(app, stackName(settings.stage), {
    settings,
    description: `Whiteboard API, stage ${settings.stage}: HTTP API, Lambda, DynamoDB, dashboard and alarms`,
    tags: { project: 'whiteboard', stage: settings.stage },
  });
  return { app, stack, settings };
};
