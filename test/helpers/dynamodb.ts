import { randomUUID } from 'node:crypto';
import { type RunningEngine, startDynamoDbEngine } from '../../backend/local/dynamodb-engine.ts';
import { ensureMessagesTable } from '../../backend/local/tables.ts';

export interface TestTable {
  /** http://127.0.0.1:PORT of the run's DynamoDB engine. */
  readonly endpoint: string;
  /** A fresh, empty messages table made for the calling test. */
  readonly tableName: string;
}

let ownEngine: Promise<RunningEngine> | undefined;

/**
 * This process's own engine, for a test file run alone (`node --import tsx --test file`): one
 * in-memory engine, started on first use (WHITEBOARD_TEST_ENGINE picks it, default auto), shared
 * by every call in the process. Nothing to dispose: the engine does not keep the process alive,
 * a 'beforeExit' hook stops it once the tests are done, and if the process ends some other way
 * the engine module's own exit hook and watchdog end DynamoDB Local's JVM.
 */
const startOwnEngine = async (): Promise<RunningEngine> => {
  const engine = await startDynamoDbEngine({
    engine: process.env.WHITEBOARD_TEST_ENGINE ?? 'auto',
    inMemory: true,
  });
  process.once('beforeExit', () => {
    void engine.stop();
  });
  return engine;
};

/**
 * The DynamoDB engine of this test run (started by scripts/test.ts and passed in
 * WHITEBOARD_TEST_DYNAMODB_ENDPOINT; when a file runs alone, one is started for it and stopped
 * at exit), with a new uniquely named messages table, so test files can share one engine.
 */
export const createTestTable = async (): Promise<TestTable> => {
  const fromRun = process.env.WHITEBOARD_TEST_DYNAMODB_ENDPOINT;
  let endpoint: string;
  if (fromRun !== undefined && fromRun !== '') {
    endpoint = fromRun;
  } else {
    ownEngine ??= startOwnEngine();
    endpoint = (await ownEngine).endpoint;
  }
  const tableName = `whiteboard-test-${randomUUID()}`;
  await ensureMessagesTable(endpoint, tableName);
  return { endpoint, tableName };
};
