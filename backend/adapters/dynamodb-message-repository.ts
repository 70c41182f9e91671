import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { MessageIdConflictError, StoreBusyError } from '../domain/errors.ts';
import { type Message, sameMessage } from '../domain/message.ts';
import type { ListOptions, ListResult, MessageRepository } from '../ports/message-repository.ts';
import { messagesTable } from './messages-table.ts';

const { partitionKey: PK, sortKey: SK } = messagesTable;

const toMessage = (item: Record<string, unknown>): Message => ({
  id: String(item.id),
  board: String(item.board),
  author: String(item.author),
  text: String(item.text),
  createdAt: String(item.createdAt),
});

/** A raw item (as a ConditionalCheckFailedException carries it) of string attributes, read plain. */
const plainItem = (item: Record<string, AttributeValue>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(item).map(([name, value]) => [name, value.S]));

/**
 * DynamoDB's errors for a request it throttled, each "OK to retry" (DynamoDB Developer Guide, "Error
 * handling with DynamoDB", "Error messages and codes"): the SDK has retried it already
 * (adapters/dynamodb-client.ts); what is still refused becomes a StoreBusyError, the API's 503.
 */
const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
]);

/** `error` as the domain says it: a throttled request as StoreBusyError, anything else as it is. */
const translated = (error: unknown): unknown =>
  error instanceof Error && THROTTLING_ERRORS.has(error.name) ? new StoreBusyError({ cause: error }) : error;

/**
 * Messages in DynamoDB: one item per message, key (board, id).
 *
 * Writes are conditional on the key being new, so two messages can never overwrite each other
 * (DynamoDB Developer Guide, "Condition expressions": attribute_not_exists on the key).
 * Reads are one Query per page, newest first (`ScanIndexForward: false`), never a Scan.
 */
export class DynamoDbMessageRepository implements MessageRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(message: Message): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...message },
          ConditionExpression: 'attribute_not_exists(#sk)',
          ExpressionAttributeNames: { '#sk': SK },
          // On a failed condition DynamoDB returns the item that is there, at no extra cost.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        // The SDK retries a write whose answer was lost (a timeout, a dropped connection), and the
        // first try may have landed: finding this very message there means it is stored, not that
        // another message has its id (which would make the service post it again, twice).
        if (error.Item && sameMessage(toMessage(plainItem(error.Item)), message)) return;
        throw new MessageIdConflictError(message.board, message.id);
      }
      throw translated(error);
    }
  }

  async list(board: string, { limit, before, after }: ListOptions): Promise<ListResult> {
    // Older than the cursor and newer than `after`: nothing, when the cursor is not above `after`.
    // DynamoDB would refuse the query ("The provided starting key does not match the range key
    // predicate"), as an ExclusiveStartKey must satisfy the key condition.
    if (before !== undefined && after !== undefined && before <= after) {
      return { messages: [], lastId: undefined };
    }
    const names: Record<string, string> = { '#pk': PK };
    const values: Record<string, unknown> = { ':board': board };
    let condition = '#pk = :board';
    if (after !== undefined) {
      names['#sk'] = SK;
      values[':after'] = after;
      condition += ' AND #sk > :after';
    }
    let result: QueryCommandOutput;
    try {
      result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          // One more than the page: whether it comes back says whether older messages follow, which
          // LastEvaluatedKey cannot say: it is set whenever Limit items were read, and "If
          // LastEvaluatedKey is not empty, it does not necessarily mean that there is more data in
          // the result set" (DynamoDB Developer Guide, "Paginating table query results").
          Limit: limit + 1,
          ...(before === undefined ? {} : { ExclusiveStartKey: { [PK]: board, [SK]: before } }),
        }),
      );
    } catch (error) {
      throw translated(error);
    }
    const items = (result.Items ?? []).map(toMessage);
    const messages = items.slice(0, limit);
    if (items.length > limit) return { messages, lastId: messages.at(-1)?.id };
    // Fewer items than asked for and still a LastEvaluatedKey: the Query stopped at its 1 MB limit
    // (same page of the guide), so older messages may follow the last one returned.
    return { messages, lastId: result.LastEvaluatedKey === undefined ? undefined : messages.at(-1)?.id };
  }
}
