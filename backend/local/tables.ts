import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { messagesTable } from '../adapters/messages-table.ts';

/**
 * The fake credentials and region every local client uses. DynamoDB Local accepts any
 * credentials, but its access key ids may contain only letters and digits, and without
 * `-sharedDb` it keeps one database per access key and region (AWS documentation: "DynamoDB
 * local usage notes"); dynalite ignores credentials. Fixed values mean a user's real AWS
 * credentials are never sent to a local engine.
 */
export const localAwsEnvironment = Object.freeze({
  AWS_ACCESS_KEY_ID: 'whiteboard',
  AWS_SECRET_ACCESS_KEY: 'whiteboard',
  AWS_REGION: 'us-east-1',
});

/** `localAwsEnvironment` in the SDK's credentials shape. */
const localAwsCredentials = Object.freeze({
  accessKeyId: localAwsEnvironment.AWS_ACCESS_KEY_ID,
  secretAccessKey: localAwsEnvironment.AWS_SECRET_ACCESS_KEY,
});

/**
 * Puts the local credentials and region into `env` (process.env by default) for code that builds
 * its SDK clients from the environment (the SDK's default credential chain reads
 * AWS_ACCESS_KEY_ID first). Removes AWS_SESSION_TOKEN and AWS_PROFILE so no part of a real
 * session travels along with the fake keys. Returns `env`.
 */
export const applyLocalAwsEnvironment = (env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv => {
  Object.assign(env, localAwsEnvironment);
  for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE']) {
    Reflect.deleteProperty(env, name);
  }
  return env;
};

export type LocalClientConfig = Omit<
  DynamoDBClientConfig,
  'endpoint' | 'credentials' | 'region' | 'requestHandler'
> & {
  /** Limits that end each call with an error: to connect, and then for the answer. */
  readonly timeouts?: { readonly connectionTimeout: number; readonly requestTimeout: number };
};

/** A low-level client for a local engine, with the local credentials passed explicitly. */
export const createLocalDynamoDbClient = (
  endpoint: string,
  { timeouts, ...config }: LocalClientConfig = {},
): DynamoDBClient =>
  new DynamoDBClient({
    ...config,
    // Without throwOnRequestTimeout, Smithy's handler only warns when the request time is up, and
    // waits on.
    ...(timeouts === undefined ? {} : { requestHandler: { ...timeouts, throwOnRequestTimeout: true } }),
    endpoint,
    region: localAwsEnvironment.AWS_REGION,
    // A fresh object: the SDK records where credentials came from on the object itself.
    credentials: { ...localAwsCredentials },
  });

const ACTIVE_TIMEOUT_MS = 30_000;
const POLL_MS = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Returns the table's status, or undefined when the table does not exist. */
const tableStatus = async (client: DynamoDBClient, tableName: string): Promise<string | undefined> => {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus ?? 'UNKNOWN';
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
};

/**
 * Creates the messages table on a local engine when it is missing (key schema from
 * backend/adapters/messages-table.ts, on-demand billing) and waits until it is ACTIVE.
 * Safe to call concurrently for the same table: a CreateTable that loses the race
 * (ResourceInUseException) counts as 'exists'.
 */
export const ensureMessagesTable = async (
  endpoint: string,
  tableName: string,
): Promise<'created' | 'exists'> => {
  // Bounded calls: an endpoint that accepts connections and never answers (not an engine) must
  // fail the start, not hold it without a word.
  const client = createLocalDynamoDbClient(endpoint, {
    timeouts: { connectionTimeout: 3_000, requestTimeout: 10_000 },
    maxAttempts: 2,
  });
  try {
    let outcome: 'created' | 'exists' = 'exists';
    if ((await tableStatus(client, tableName)) === undefined) {
      try {
        await client.send(
          new CreateTableCommand({
            TableName: tableName,
            AttributeDefinitions: [
              { AttributeName: messagesTable.partitionKey, AttributeType: 'S' },
              { AttributeName: messagesTable.sortKey, AttributeType: 'S' },
            ],
            KeySchema: [
              { AttributeName: messagesTable.partitionKey, KeyType: 'HASH' },
              { AttributeName: messagesTable.sortKey, KeyType: 'RANGE' },
            ],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        );
        outcome = 'created';
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
    }
    // CreateTable returns while the table is CREATING (dynalite keeps it so for createTableMs);
    // writes before ACTIVE fail, so wait.
    const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
    for (;;) {
      const status = await tableStatus(client, tableName);
      if (status === 'ACTIVE') return outcome;
      if (Date.now() > deadline) {
        throw new Error(
          `table ${tableName} at ${endpoint} is ${status ?? 'missing'} after ${ACTIVE_TIMEOUT_MS / 1000} s, ` +
            'not ACTIVE: check that the DynamoDB engine is healthy, or delete the table and start again',
        );
      }
      await sleep(POLL_MS);
    }
  } finally {
    client.destroy();
  }
};
