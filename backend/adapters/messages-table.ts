/**
 * The messages table's key schema, shared by the DynamoDB repository, the local stack (which
 * creates the table when missing) and the CDK stack.
 *
 * Partition key `board`, sort key `id` (a ULID: time-ordered and unique), so the newest messages of
 * a board are one Query with `ScanIndexForward: false`.
 */
export const messagesTable = {
  partitionKey: 'board',
  sortKey: 'id',
  /** Default name locally; in AWS CloudFormation names the table and passes it as TABLE_NAME. */
  localName: 'whiteboard-messages',
} as const;
