/**
 * Waiting until a started engine answers a real request (ListTables), for both engines: an engine
 * that listens is not yet one that serves, and one that answers only with errors cannot use its
 * data, which is said at once instead of after the start timeout.
 */
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createLocalDynamoDbClient } from '../tables.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The engine is up but fails every call: its data cannot be used (see `waitUntilAnswering`). */
export class EngineFailsCallsError extends Error {
  constructor(reason: string) {
    super(`it answers ListTables with errors (${reason})`);
    this.name = 'EngineFailsCallsError';
  }
}

/**
 * Waits until ListTables succeeds at the endpoint. `failed` is polled between attempts and ends
 * the wait early (the engine's process has exited).
 */
export const waitUntilAnswering = async (
  endpoint: string,
  timeoutMs: number,
  failed: () => Error | undefined,
): Promise<void> => {
  const client = createLocalDynamoDbClient(endpoint, {
    maxAttempts: 1,
    timeouts: { connectionTimeout: 1_000, requestTimeout: 5_000 },
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  // An engine that answers, but with errors, is not starting up: it cannot use its data.
  let failingSince: number | undefined;
  let failures = 0;
  try {
    for (;;) {
      const failure = failed();
      if (failure !== undefined) throw failure;
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        lastError = error;
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status !== undefined && status >= 500) {
          failingSince ??= Date.now();
          failures++;
        } else {
          failingSince = undefined;
          failures = 0;
        }
        if (failures >= 5 && failingSince !== undefined && Date.now() - failingSince >= 1_000) {
          throw new EngineFailsCallsError((error as Error).message);
        }
      }
      if (Date.now() > deadline) {
        const reason = lastError instanceof Error ? lastError.message : String(lastError);
        throw new Error(
          `no answer to ListTables on ${endpoint} within ${timeoutMs / 1000} s (last error: ${reason})`,
        );
      }
      await sleep(50);
    }
  } finally {
    client.destroy();
  }
};
