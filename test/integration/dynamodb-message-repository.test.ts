import assert from 'node:assert/strict';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { before, describe, it } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { CALL_LIMITS, createDocumentClient } from '../../backend/adapters/dynamodb-client.ts';
import { DynamoDbMessageRepository } from '../../backend/adapters/dynamodb-message-repository.ts';
import type { Message } from '../../backend/domain/message.ts';
import { createMessageService } from '../../backend/domain/message-service.ts';
import { applyLocalAwsEnvironment, localAwsEnvironment } from '../../backend/local/tables.ts';
import { createTestTable } from '../helpers/dynamodb.ts';
import { messageRepositoryContract, newBoard } from '../helpers/message-repository-contract.ts';

// createDocumentClient takes its credentials from the environment, as in Lambda: give it the
// local engines' fake ones, never the developer's real ones.
applyLocalAwsEnvironment();

let client: ReturnType<typeof createDocumentClient>;
let tableName: string;
let repository: DynamoDbMessageRepository;

before(async () => {
  const table = await createTestTable();
  tableName = table.tableName;
  client = createDocumentClient({ endpoint: table.endpoint, region: localAwsEnvironment.AWS_REGION });
  repository = new DynamoDbMessageRepository(client, tableName);
});

const getItem = async (board: string, id: string) =>
  (await client.send(new GetCommand({ TableName: tableName, Key: { board, id }, ConsistentRead: true })))
    .Item;

messageRepositoryContract('DynamoDbMessageRepository on a real engine', () => repository, getItem);

describe('the message service on DynamoDB', () => {
  it('stores 200 concurrent posts with unique ids, all readable through cursor pages', async () => {
    const board = newBoard('concurrent');
    const service = createMessageService({ repository, newId: monotonicFactory() });
    const posted = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        service.post(board, { author: `poster ${index}`, text: `post ${index}` }),
      ),
    );
    const postedIds = posted.map((message) => message.id);
    assert.equal(new Set(postedIds).size, 200, 'ids must be unique');

    const read: Message[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await service.list(board, { limit: 37, cursor });
      pages++;
      read.push(...page.messages);
      cursor = page.nextCursor ?? undefined;
      assert.ok(pages <= 20, 'pagination does not end');
    } while (cursor !== undefined);

    const readIds = read.map((message) => message.id);
    assert.equal(read.length, 200);
    assert.equal(new Set(readIds).size, 200, 'no message may appear on two pages');
    assert.deepEqual([...readIds].sort(), [...postedIds].sort());
    assert.deepEqual(readIds, [...readIds].sort().reverse(), 'pages must run newest first');
    const postedById = new Map(posted.map((message) => [message.id, message]));
    for (const message of read) assert.deepEqual(message, postedById.get(message.id));
  });
});

describe('a DynamoDB endpoint that never answers', () => {
  it('has the call limits for DynamoDB itself by default, not for a local engine', async () => {
    const aws = createDocumentClient({ region: 'us-east-1' });
    const local = createDocumentClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:8000' });
    try {
      assert.equal(await aws.config.maxAttempts(), 2);
      assert.notEqual(await local.config.maxAttempts(), 2);
    } finally {
      aws.destroy();
      local.destroy();
    }
  });

  it('fails the call (twice tried) instead of waiting for the function timeout', async () => {
    // Accepts connections and reads requests, never answers: a stalled engine or network.
    const attempts: Socket[] = [];
    const silent = createServer((socket) => {
      attempts.push(socket);
      socket.resume();
    });
    await new Promise<void>((ready) => silent.listen(0, '127.0.0.1', ready));
    const { port } = silent.address() as AddressInfo;
    // The limits are on for DynamoDB itself; here on for a stand-in that never answers.
    const stalled = createDocumentClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      callLimits: true,
    });
    try {
      await assert.rejects(new DynamoDbMessageRepository(stalled, 'any').list('b', { limit: 3 }), {
        name: 'TimeoutError',
      });
      assert.equal(attempts.length, 2, 'two attempts');
      // The limit on connecting too, which this stand-in, accepting at once, cannot show: without
      // it a connection that never completes waits out the function's timeout.
      const handler = stalled.config.requestHandler as { httpHandlerConfigs(): Record<string, unknown> };
      const { connectionTimeout, requestTimeout, throwOnRequestTimeout } = handler.httpHandlerConfigs();
      assert.deepEqual(
        { connectionTimeout, requestTimeout, throwOnRequestTimeout },
        {
          connectionTimeout: CALL_LIMITS.connectionTimeout,
          requestTimeout: CALL_LIMITS.requestTimeout,
          throwOnRequestTimeout: true,
        },
      );
    } finally {
      stalled.destroy();
      for (const socket of attempts) socket.destroy();
      silent.close();
    }
  });
});
