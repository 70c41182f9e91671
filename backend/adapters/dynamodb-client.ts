import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoDbClientOptions {
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
}

/**
 * One document client per execution environment. The SDK's default Node.js handler keeps
 * connections alive, so warm invocations reuse the TCP (and in AWS, TLS) connection.
 */
export const createDocumentClient = ({
  endpoint,
  region,
}: DynamoDbClientOptions = {}): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(region === undefined ? {} : { region }),
    }),
    // Messages never hold undefined or empty sets; fail loudly if a bug ever produces one.
    { marshallOptions: { removeUndefinedValues: false } },
  );
