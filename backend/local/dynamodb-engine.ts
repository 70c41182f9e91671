// STUB: to be implemented (see the helper brief). Signature is the contract.
export type EngineChoice = 'auto' | 'dynamodb-local' | 'dynalite';

export interface EngineOptions {
  /** Which engine; 'auto' = DynamoDB Local when Java 17+ is found, else dynalite. */
  readonly engine?: EngineChoice | string;
  /** Keep data in memory only (nothing written to disk). */
  readonly inMemory?: boolean;
  /** Folder for persistent data (default .whiteboard/data/<engine>). */
  readonly dataDir?: string;
  /** Port to listen on, 127.0.0.1; 0 or absent picks a free one. */
  readonly port?: number;
}

export interface RunningEngine {
  /** 'DynamoDB Local 3.3.0' or 'dynalite 4.0.0' style human name. */
  readonly name: string;
  readonly kind: 'dynamodb-local' | 'dynalite';
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export const startDynamoDbEngine = async (_options: EngineOptions = {}): Promise<RunningEngine> => {
  throw new Error('not implemented');
};
