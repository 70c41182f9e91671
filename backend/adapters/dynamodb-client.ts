import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoDbClientOptions {
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  /** CALL_LIMITS on or off; by default on for DynamoDB itself, off for a local endpoint. */
  readonly callLimits?: boolean | undefined;
}

/**
 * How long a DynamoDB call may take, so that a stalled connection fails the request with our 500
 * (logged, counted) well before the function's 5 s timeout ends it with none of that. The SDK's
 * Node.js handler has no request timeout by default, and one that is set only warns unless
 * `throwOnRequestTimeout` is on (Smithy's NodeHttpHandler options). Two attempts at most:
 * 2 x (0.8 s + 1 s) and the backoff before the retry (in the standard retry mode at most 1 s after
 * a throttling error, 50 ms after another: @smithy/core's `Retry.throttlingDelay()` and
 * `Retry.delay()`) stay under the functions' 5 s timeout, as test/unit/time-limits.test.ts checks.
 * A PutItem retried after its first attempt landed is recognised by the repository
 * (dynamodb-message-repository.ts).
 *
 * For DynamoDB itself, not for a local engine (an endpoint given): DynamoDB Local on a busy
 * machine takes more than these limits now and then (bursts of 200 concurrent posts in the tests
 * did), and slow is not stalled there.
 */
export const CALL_LIMITS = {
  connectionTimeout: 800,
  requestTimeout: 1_000,
  throwOnRequestTimeout: true,
  maxAttempts: 2,
} as const;

/**
 * One document client per execution environment. The SDK's default Node.js handler keeps
 * connections alive, so warm invocations reuse the TCP (and in AWS, TLS) connection.
 */
export const createDocumentClient = ({
  endpoint,
  region,
  callLimits = endpoint === undefined,
}: DynamoDbClientOptions = {}): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(region === undefined ? {} : { region }),
      ...(callLimits
        ? {
            maxAttempts: CALL_LIMITS.maxAttempts,
            requestHandler: {
              connectionTimeout: CALL_LIMITS.connectionTimeout,
              requestTimeout: CALL_LIMITS.requestTimeout,
              throwOnRequestTimeout: CALL_LIMITS.throwOnRequestTimeout,
            },
          }
        : {}),
    }),
    // Messages never hold undefined or empty sets; fail loudly if a bug ever produces one.
    { marshallOptions: { removeUndefinedValues: false } },
  );
