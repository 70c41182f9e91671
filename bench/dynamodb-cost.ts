/**
 * Figure 5: DynamoDB calls and capacity per request, from `ReturnConsumedCapacity` (added by a
 * middleware, lib/capacity.ts), through the endpoints, service and DynamoDB repository the
 * handlers run, on the benchmark's engine. GET reads a board of 3 small messages; POST writes one
 * small message. Budget: one Query of 0.5 read capacity units per GET (an eventually consistent
 * read of up to 4 KB), one PutItem of 1 write capacity unit per POST (up to 1 KB).
 */
import { createDocumentClient } from '../backend/adapters/dynamodb-client.ts';
import { DynamoDbMessageRepository } from '../backend/adapters/dynamodb-message-repository.ts';
import { messageIdMaker } from '../backend/domain/message.ts';
import { createMessageService } from '../backend/domain/message-service.ts';
import type { EndpointObserver } from '../backend/http/endpoints.ts';
import { postMessageEndpoint, readMessagesEndpoint } from '../backend/http/endpoints.ts';
import { ensureMessagesTable, localAwsEnvironment } from '../backend/local/tables.ts';
import { recordCapacity } from './lib/capacity.ts';
import { getMessagesEvent, postMessageEvent } from './lib/events.ts';

export interface RequestCost {
  readonly requests: number;
  /** Commands per request, by name (e.g. { QueryCommand: 1 }). */
  readonly commandsPerRequest: Readonly<Record<string, number>>;
  /** Capacity units per request (read units for GET, write units for POST). */
  readonly capacityUnitsPerRequest: number;
  /** The most capacity one call consumed: the budget holds for every request, not on average. */
  readonly maxCapacityUnitsPerCall: number;
  /** Whether the engine reported ConsumedCapacity on every answer. */
  readonly reported: boolean;
}

export interface DynamoDbCostFigures {
  readonly get: RequestCost;
  readonly post: RequestCost;
}

const TABLE = 'bench-dynamodb-cost';
const REQUESTS = 10;
const noObserver: EndpointObserver = {
  board: () => undefined,
  messagesRead: () => undefined,
  messagesPosted: () => undefined,
};

export const measureDynamoDbCost = async (endpoint: string): Promise<DynamoDbCostFigures> => {
  await ensureMessagesTable(endpoint, TABLE);
  Object.assign(process.env, localAwsEnvironment);
  const client = createDocumentClient({ endpoint, region: localAwsEnvironment.AWS_REGION });
  try {
    const records = recordCapacity(client);
    const service = createMessageService({
      repository: new DynamoDbMessageRepository(client, TABLE),
      newId: messageIdMaker(),
    });
    const read = readMessagesEndpoint(service, noObserver);
    const post = postMessageEndpoint(service, noObserver);
    const measure = async (
      call: () => Promise<{ statusCode: number }>,
      expected: number,
    ): Promise<RequestCost> => {
      records.length = 0;
      for (let i = 0; i < REQUESTS; i++) {
        const { statusCode } = await call();
        if (statusCode !== expected)
          throw new Error(`DynamoDB cost: answered ${statusCode}, not ${expected}`);
      }
      const counts: Record<string, number> = {};
      for (const { command } of records) counts[command] = (counts[command] ?? 0) + 1;
      const commandsPerRequest = Object.fromEntries(
        Object.entries(counts).map(([command, count]) => [command, count / REQUESTS]),
      );
      return {
        requests: REQUESTS,
        commandsPerRequest,
        capacityUnitsPerRequest:
          records.reduce((sum, record) => sum + (record.capacityUnits ?? 0), 0) / REQUESTS,
        maxCapacityUnitsPerCall: Math.max(...records.map((record) => record.capacityUnits ?? Number.NaN)),
        reported: records.every((record) => record.capacityUnits !== undefined),
      };
    };
    // Five small messages on the board first, as the load test seeds it: a GET reads a full page
    // and the one item more that tells whether an older page exists (Limit 4).
    for (let i = 0; i < 5; i++) await post(postMessageEvent('seed', `message ${i}`));
    const get = await measure(() => read(getMessagesEvent()), 200);
    const postCost = await measure(() => post(postMessageEvent()), 201);
    return { get, post: postCost };
  } finally {
    client.destroy();
  }
};
