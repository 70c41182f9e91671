/**
 * The one lib-dynamodb call per request that the real handlers make (a Query of the 3 newest
 * messages of a board for GET, a conditional PutItem for POST), and nothing else: the floor of the
 * cold start benchmark. The client is passed in so the naive Powertools bundle can trace it.
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { monotonicFactory } from 'ulid';

const headers = { 'content-type': 'application/json; charset=utf-8' };

export const floorHandler = (client: DynamoDBDocumentClient, tableName: string) => {
  const newId = monotonicFactory();
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const board = event.pathParameters?.board ?? 'default';
    if (event.requestContext.http.method === 'GET') {
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :board',
          ExpressionAttributeNames: { '#pk': 'board' },
          ExpressionAttributeValues: { ':board': board },
          ScanIndexForward: false,
          Limit: 3,
        }),
      );
      return {
        statusCode: 200,
        headers,
        body: JSON.stringify({ messages: result.Items ?? [], nextCursor: null }),
      };
    }
    const { author, text } = JSON.parse(event.body ?? '{}') as Record<string, string>;
    const now = Date.now();
    const message = { id: newId(now), board, author, text, createdAt: new Date(now).toISOString() };
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: message,
        ConditionExpression: 'attribute_not_exists(#sk)',
        ExpressionAttributeNames: { '#sk': 'id' },
      }),
    );
    return { statusCode: 201, headers, body: JSON.stringify(message) };
  };
};
