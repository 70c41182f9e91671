import { monotonicFactory } from 'ulid';
import { createDocumentClient } from '../adapters/dynamodb-client.ts';
import { DynamoDbMessageRepository } from '../adapters/dynamodb-message-repository.ts';
import { config } from '../config.ts';
import { createMessageService, type MessageService } from '../domain/message-service.ts';
import type { Powertools } from './instrument.ts';

/**
 * The composition root of a function: configuration, the traced DynamoDB client, the repository
 * and the service, built once per execution environment and reused while it is warm.
 */
export const createService = ({ tracer }: Pick<Powertools, 'tracer'>): MessageService => {
  const { tableName, dynamoDbEndpoint } = config();
  const client = tracer.captureAWSv3Client(createDocumentClient({ endpoint: dynamoDbEndpoint }));
  return createMessageService({
    repository: new DynamoDbMessageRepository(client, tableName),
    newId: monotonicFactory(),
  });
};
