// STUB: implemented by the engine work. Signature is the contract for every integration test.
export interface TestTable {
  /** http://127.0.0.1:PORT of the run's DynamoDB engine. */
  readonly endpoint: string;
  /** A fresh, empty messages table made for the calling test. */
  readonly tableName: string;
}

/**
 * The DynamoDB engine of this test run (started by scripts/test.ts and passed in
 * WHITEBOARD_TEST_DYNAMODB_ENDPOINT; when a file runs alone, one is started for it and stopped
 * at exit), with a new uniquely named messages table.
 */
export const createTestTable = async (): Promise<TestTable> => {
  throw new Error('not implemented');
};
