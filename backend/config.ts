/**
 * Configuration of the Lambda functions, read from the environment once, on first use, and
 * validated with messages that say how to fix it.
 */
export interface Config {
  /** The messages table (TABLE_NAME). */
  readonly tableName: string;
  /** A DynamoDB endpoint other than AWS's (DYNAMODB_ENDPOINT): the local engine. */
  readonly dynamoDbEndpoint: string | undefined;
}

const required = (env: NodeJS.ProcessEnv, name: string, hint: string): string => {
  const value = env[name]?.trim();
  if (!value) throw new Error(`${name} environment variable is not set: ${hint}`);
  return value;
};

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => ({
  tableName: required(
    env,
    'TABLE_NAME',
    'set it to the messages table name (the CDK stack and npm start do)',
  ),
  dynamoDbEndpoint: env.DYNAMODB_ENDPOINT?.trim() || undefined,
});

let cached: Config | undefined;
/** The configuration of this process (one execution environment), read once. */
export const config = (): Config => {
  cached ??= readConfig();
  return cached;
};
