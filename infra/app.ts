/**
 * Entry point of the CDK CLI (cdk.json `app`): `npm run synth`, `npm run deploy`, `npm run destroy`.
 * Settings come from `-c key=value` or WHITEBOARD_* environment variables (infra/settings.ts).
 */
import { SettingsError } from './settings.ts';
import { createWhiteboardApp } from './whiteboard-app.ts';

try {
  createWhiteboardApp().app.synth();
} catch (error) {
  if (error instanceof SettingsError) {
    process.stderr.write(`whiteboard infra: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
