/**
 * Counts the DynamoDB commands a document client sends and the capacity each consumed: an SDK
 * middleware adds `ReturnConsumedCapacity: 'TOTAL'` to every request (production code never asks
 * for it) and records `ConsumedCapacity` from every answer.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface CommandRecord {
  readonly command: string;
  /** Undefined when the engine returned no ConsumedCapacity. */
  readonly capacityUnits: number | undefined;
}

export const recordCapacity = (client: DynamoDBDocumentClient): CommandRecord[] => {
  const records: CommandRecord[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
      records.push({ command: String(context.commandName), capacityUnits: consumed?.CapacityUnits });
      return result;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );
  return records;
};
