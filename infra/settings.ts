/**
 * Deployment settings of the whiteboard stack, read from CDK context (`cdk deploy -c stage=prod`)
 * or from the environment (`WHITEBOARD_STAGE=prod npm run deploy`), context first. Defaults live
 * here, not in cdk.json, so that an environment variable is never shadowed by a cdk.json value.
 * Everything is validated up front with a message that says how to fix it, because a bad value
 * found by CloudFormation costs a failed deployment and a rollback.
 */
import { commonEnvironment, notAnOrigin, ORIGINS_HINT, parseCorsOrigins } from '../backend/http/routes.ts';

/**
 * The stage's default route throttling (`DefaultRouteSettings` of the `$default` stage): the limits
 * of each route that has no route settings of its own, not one budget for the whole API. The API
 * Gateway Developer Guide treats it as route-level throttling ("Throttle requests to your HTTP APIs
 * for better throughput in API Gateway", section "Route-level throttling"): "You can set
 * route-level throttling to override the account-level request throttling limits for a specific
 * stage or for individual routes in your API. The default route throttling limits can't exceed
 * account-level rate limits." The guide does not say in so many words that each route has a bucket
 * of its own; that is our reading of "route-level", which a deploy can confirm. So the API as a whole
 * can take up to these numbers times its number of routes (backend/http/routes.ts).
 */
export interface ThrottleSettings {
  /** Steady-state requests per second of each route. */
  readonly rateLimit: number;
  /** Burst bucket size of each route. */
  readonly burstLimit: number;
}

export interface Settings {
  /** `dev`, `prod`, ...: part of the stack name (`Whiteboard-dev`) and of resource names. */
  readonly stage: string;
  /**
   * A dev stage (`dev` or `dev-*`) is disposable: `npm run destroy` deletes its table and logs.
   * Every other stage keeps them (RETAIN) and turns on deletion protection.
   */
  readonly isDevStage: boolean;
  readonly corsOrigins: readonly string[];
  readonly throttle: ThrottleSettings;
  /** Alarm notifications go to this address when set (the recipient must confirm the subscription). */
  readonly alarmEmail: string | undefined;
  /** Retention of every log group of the stack, in days (a CloudWatch Logs retention value). */
  readonly logRetentionDays: number;
}

/** One setting: its CDK context key and its environment variable. */
export const settingSources = {
  stage: { context: 'stage', env: 'WHITEBOARD_STAGE' },
  corsOrigins: { context: 'corsOrigins', env: 'WHITEBOARD_CORS_ORIGINS' },
  throttleRateLimit: { context: 'throttleRateLimit', env: 'WHITEBOARD_THROTTLE_RATE_LIMIT' },
  throttleBurstLimit: { context: 'throttleBurstLimit', env: 'WHITEBOARD_THROTTLE_BURST_LIMIT' },
  alarmEmail: { context: 'alarmEmail', env: 'WHITEBOARD_ALARM_EMAIL' },
  logRetentionDays: { context: 'logRetentionDays', env: 'WHITEBOARD_LOG_RETENTION_DAYS' },
} as const;

const defaultSettings = {
  stage: 'dev',
  // HTTP API's account-level default is 10,000 rps / 5,000 burst; a whiteboard needs far less, and
  // low route limits bound the bill of a runaway client (API Gateway Developer Guide, "Throttle
  // requests to your HTTP APIs for better throughput in API Gateway"). Each route gets them: the
  // bound of the whole API is these times the number of routes (see ThrottleSettings).
  throttleRateLimit: 50,
  throttleBurstLimit: 100,
  logRetentionDays: 30,
} as const;

/**
 * The values CloudWatch Logs accepts for `RetentionInDays` (AWS::Logs::LogGroup,
 * "RetentionInDays" in the CloudFormation reference).
 */
const allowedRetentionDays = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** What settings are read from: `node.tryGetContext` and `process.env` in the app. */
export interface SettingsSource {
  readonly context: (key: string) => unknown;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

type SettingName = keyof typeof settingSources;

const raw = (source: SettingsSource, name: SettingName): string | undefined => {
  const { context, env } = settingSources[name];
  const fromContext = source.context(context);
  if (fromContext !== undefined && fromContext !== null) {
    // `-c key=value` always arrives as a string; cdk.json may hold numbers or arrays.
    const value = Array.isArray(fromContext) ? fromContext.join(',') : String(fromContext);
    return value.trim();
  }
  return source.env[env]?.trim();
};

const where = (name: SettingName): string =>
  `context "${settingSources[name].context}" (-c ${settingSources[name].context}=...) or ${settingSources[name].env}`;

const positiveInteger = (
  source: SettingsSource,
  name: SettingName,
  fallback: number,
  max: number,
): number => {
  const value = raw(source, name);
  if (value === undefined || value === '') return fallback;
  if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new SettingsError(
      `${where(name)} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return Number(value);
};

// Stage names end up in the stack name, the API name and the dashboard name: CloudFormation stack
// names allow letters, digits and hyphens and must start with a letter.
const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;
// Deliberately loose: SNS validates the address; this only catches an obvious slip.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const readSettings = (source: SettingsSource): Settings => {
  const stage = raw(source, 'stage') || defaultSettings.stage;
  if (!STAGE_PATTERN.test(stage)) {
    throw new SettingsError(
      `${where('stage')} must be 1-20 lower-case letters, digits or "-", starting with a letter, got ${JSON.stringify(stage)}`,
    );
  }

  const corsOrigins = parseCorsOrigins(raw(source, 'corsOrigins'));
  const wrongOrigin = notAnOrigin(corsOrigins);
  if (wrongOrigin !== undefined) {
    throw new SettingsError(
      `${where('corsOrigins')}: ${JSON.stringify(wrongOrigin)} is not an origin; ${ORIGINS_HINT}`,
    );
  }

  // API Gateway quotas ("Amazon API Gateway quotas"): 10,000 rps and 5,000 burst per account and Region.
  const rateLimit = positiveInteger(source, 'throttleRateLimit', defaultSettings.throttleRateLimit, 10_000);
  const burstLimit = positiveInteger(source, 'throttleBurstLimit', defaultSettings.throttleBurstLimit, 5_000);

  const alarmEmail = raw(source, 'alarmEmail') || undefined;
  if (alarmEmail !== undefined && !EMAIL_PATTERN.test(alarmEmail)) {
    throw new SettingsError(
      `${where('alarmEmail')} must be an e-mail address, got ${JSON.stringify(alarmEmail)}`,
    );
  }

  const logRetentionDays = positiveInteger(
    source,
    'logRetentionDays',
    defaultSettings.logRetentionDays,
    3653,
  );
  if (!(allowedRetentionDays as readonly number[]).includes(logRetentionDays)) {
    throw new SettingsError(
      `${where('logRetentionDays')} must be one of ${allowedRetentionDays.join(', ')} (CloudWatch Logs retention values), got ${logRetentionDays}`,
    );
  }

  return {
    stage,
    isDevStage: stage === 'dev' || stage.startsWith('dev-'),
    corsOrigins,
    throttle: { rateLimit, burstLimit },
    alarmEmail,
    logRetentionDays,
  };
};

/** `Whiteboard-dev`: the CloudFormation stack, and the key of its outputs in cdk-outputs.json. */
export const stackName = (stage: string): string => `Whiteboard-${stage}`;

/**
 * `Whiteboard/dev`: the CloudWatch namespace the functions of a stage publish their EMF metrics to
 * (POWERTOOLS_METRICS_NAMESPACE), and the one its dashboard reads. Custom metrics are per account
 * and Region, like the stacks of every stage: one namespace for all stages would sum prod and
 * every dev stage on each dashboard. The local stack keeps `commonEnvironment`'s `Whiteboard`.
 * Stage names (STAGE_PATTERN) only add letters, digits and hyphens after the slash: valid in a
 * namespace, which "You can use ASCII characters for ..., except for control characters" and must
 * not begin with `AWS/` (CloudWatch API Reference, PutMetricData, "Namespace").
 */
export const metricsNamespace = (stage: string): string =>
  `${commonEnvironment.POWERTOOLS_METRICS_NAMESPACE}/${stage}`;
