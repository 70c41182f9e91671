/**
 * The floor of the benchmarks: one lib-dynamodb call per request, as issue #6 describes it (a
 * Query of the 3 newest messages of a board for GET, a conditional PutItem for POST), and nothing
 * else. The real handlers ask for a little more: the GET reads one item beyond its page (`Limit` 4
 * for 3, to know whether an older page exists), and the put returns the existing item when its
 * condition fails; both are within the noise of a run. The cold start floor (`floorHandler`, in a
 * bundle) and the load floor (floor-server.ts, a bare node:http server) make it through the same
 * commands below, and the bare handler of figure 3 (handler-cost-child.ts) stores the same message.
 * Each makes its ids as the functions do (`messageIdMaker`): making an id is part of the work, not
 * one of our layers. The client is passed in so the naive Powertools bundle can trace it.
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { messageIdMaker } from '../../backend/domain/message.ts';

export const FLOOR_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** A GET's call: the 3 newest messages of a board, newest first. */
export const newestMessagesQuery = (tableName: string, board: string) =>
  new QueryCommand({
    TableName: tableName,
    KeyConditionExpression: '#pk = :board',
    ExpressionAttributeNames: { '#pk': 'board' },
    ExpressionAttributeValues: { ':board': board },
    ScanIndexForward: false,
    Limit: 3,
  });

/** A message with the stored fields of a real one, from a body taken as it is (no validation). */
export const bareMessage = (newId: (now: number) => string, board: string, body: string) => {
  const { author, text } = JSON.parse(body) as { author: string; text: string };
  const now = Date.now();
  return { id: newId(now), board, author, text, createdAt: new Date(now).toISOString() };
};

/** A POST's call: the message written only if its key is new. */
export const putMessageCommand = (tableName: string, message: Record<string, string>) =>
  new PutCommand({
    TableName: tableName,
    Item: message,
    ConditionExpression: 'attribute_not_exists(#sk)',
    ExpressionAttributeNames: { '#sk': 'id' },
  });

export const floorHandler = (client: DynamoDBDocumentClient, tableName: string) => {
  const newId = messageIdMaker();
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const board = event.pathParameters?.board ?? 'default';
    if (event.requestContext.http.method === 'GET') {
      const result = await client.send(newestMessagesQuery(tableName, board));
      return {
        statusCode: 200,
        headers: FLOOR_HEADERS,
        body: JSON.stringify({ messages: result.Items ?? [], nextCursor: null }),
      };
    }
    const message = bareMessage(newId, board, event.body ?? '{}');
    await client.send(putMessageCommand(tableName, message));
    return { statusCode: 201, headers: FLOOR_HEADERS, body: JSON.stringify(message) };
  };
};
