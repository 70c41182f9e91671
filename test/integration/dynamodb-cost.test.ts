/**
 * The deterministic budgets of the issue on performance: what one request costs in DynamoDB.
 * The real handler modules (backend/handlers/read-messages.ts, post-message.ts, Powertools and
 * all) run against a real engine; a middleware on every document client they create counts the
 * commands each request sends and asks for `ReturnConsumedCapacity: 'TOTAL'` (production code
 * never asks: the answer would only grow), so each answer says what it consumed.
 *
 * Budget: a GET of the 3 newest small messages is one Query of 0.5 read capacity units (an
 * eventually consistent read of up to 4 KB); a POST of a small message is one PutItem of 1 write
 * capacity unit (up to 1 KB) (DynamoDB Developer Guide, "Read/write capacity mode").
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiEvent, ApiResult } from '../../backend/http/api-types.ts';
import { commonEnvironment } from '../../backend/http/routes.ts';
import { applyLocalAwsEnvironment } from '../../backend/local/tables.ts';
import { apiEvent, lambdaContext, postEvent } from '../helpers/api-events.ts';
import { createTestTable } from '../helpers/dynamodb.ts';
import { captureOutput } from '../unit/helpers/output.ts';

interface Sent {
  readonly command: string;
  readonly tableName: unknown;
  /** Whether the handler's own request asked for ConsumedCapacity (it must not). */
  readonly askedByHandler: boolean;
  /** Undefined when the engine returned no ConsumedCapacity. */
  readonly capacityUnits: number | undefined;
}

const sent: Sent[] = [];

/** Every document client created from now on counts what it sends (see the file comment). */
const instrumentDocumentClients = () => {
  const from = DynamoDBDocumentClient.from.bind(DynamoDBDocumentClient);
  DynamoDBDocumentClient.from = (...args: Parameters<typeof DynamoDBDocumentClient.from>) => {
    const client = from(...args);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        const askedByHandler = input.ReturnConsumedCapacity !== undefined;
        input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } })
          .ConsumedCapacity;
        sent.push({
          command: String(context.commandName),
          tableName: input.TableName,
          askedByHandler,
          capacityUnits: consumed?.CapacityUnits,
        });
        return result;
      },
      { step: 'initialize', name: 'testConsumedCapacity' },
    );
    return client;
  };
};

type Handler = (event: ApiEvent, context: ReturnType<typeof lambdaContext>) => Promise<ApiResult>;
let readMessages: Handler;
let postMessage: Handler;
let tableName: string;

before(async () => {
  const table = await createTestTable();
  tableName = table.tableName;
  // What the handlers read at init: the environment of a deployed function, on the local engine.
  applyLocalAwsEnvironment();
  Object.assign(process.env, commonEnvironment, {
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  instrumentDocumentClients();
  readMessages = (await import('../../backend/handlers/read-messages.ts')).handler as Handler;
  postMessage = (await import('../../backend/handlers/post-message.ts')).handler as Handler;
});

/** One invocation; what it sent to DynamoDB. Powertools' log lines are swallowed. */
const invoke = async (handler: Handler, event: ApiEvent) => {
  sent.length = 0;
  const { result } = await captureOutput(() => handler(event, lambdaContext()));
  return { result, sent: [...sent] };
};

const post = (board: string, text = 'A short message') =>
  invoke(postMessage, postEvent({ author: 'ann', text }, { board }));

let boards = 0;
const freshBoard = () => `cost-${process.pid}-${++boards}`;

describe('DynamoDB cost per request', () => {
  it('gets ConsumedCapacity back from the engine when a request asks for it', async () => {
    const board = freshBoard();
    await post(board);
    const { sent: calls } = await invoke(readMessages, apiEvent({ board }));
    assert.equal(calls.length, 1);
    assert.equal(typeof calls[0]?.capacityUnits, 'number', 'the engine returned no ConsumedCapacity');
  });

  it('GET of the 3 newest small messages: one Query of 0.5 read capacity units', async () => {
    const board = freshBoard();
    for (let i = 0; i < 3; i++) await post(board, `message ${i}`);
    const { result, sent: calls } = await invoke(readMessages, apiEvent({ board }));
    assert.equal(result.statusCode, 200);
    assert.equal((JSON.parse(result.body) as { messages: unknown[] }).messages.length, 3);
    assert.deepEqual(
      calls.map(({ command, tableName: table, capacityUnits }) => ({ command, table, capacityUnits })),
      [{ command: 'QueryCommand', table: tableName, capacityUnits: 0.5 }],
    );
  });

  it('GET reads one page, not the board: still one Query of 0.5 units with 20 messages on it', async () => {
    const board = freshBoard();
    // About 8 KB in all, so that reading the whole board would cost more (one unit per 4 KB read
    // eventually consistent, rounded up, is 0.5), where the page of 3 still fits in 4 KB.
    for (let i = 0; i < 20; i++) await post(board, `message ${i} ${'x'.repeat(400)}`);
    const { result, sent: calls } = await invoke(readMessages, apiEvent({ board }));
    assert.equal(result.statusCode, 200);
    assert.deepEqual(
      calls.map(({ command, capacityUnits }) => ({ command, capacityUnits })),
      [{ command: 'QueryCommand', capacityUnits: 0.5 }],
    );
  });

  it('POST of a small message: one PutItem of 1 write capacity unit', async () => {
    const board = freshBoard();
    const { result, sent: calls } = await post(board, 'Message text');
    assert.equal(result.statusCode, 201);
    assert.deepEqual(
      calls.map(({ command, tableName: table, capacityUnits }) => ({ command, table, capacityUnits })),
      [{ command: 'PutItemCommand', table: tableName, capacityUnits: 1 }],
    );
  });

  it('never asks for ConsumedCapacity in production code', async () => {
    const board = freshBoard();
    const posted = await post(board);
    const read = await invoke(readMessages, apiEvent({ board }));
    assert.deepEqual(
      [...posted.sent, ...read.sent].map((call) => call.askedByHandler),
      [false, false],
    );
  });
});
