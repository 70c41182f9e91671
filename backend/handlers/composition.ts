import { createDocumentClient } from '../adapters/dynamodb-client.ts';
import { DynamoDbMessageRepository } from '../adapters/dynamodb-message-repository.ts';
import { config } from '../config.ts';
import { messageIdMaker } from '../domain/message.ts';
import { createMessageService, type MessageService } from '../domain/message-service.ts';
import { mapErrorStacks } from '../source-mapped-stack.ts';
import type { Powertools } from './instrument.ts';

/**
 * The composition root of a function: configuration, the traced DynamoDB client, the repository
 * and the service, built once per execution environment and reused while it is warm. It runs at
 * init: an error here (a setting missing) ends the init, and the runtime logs it, with its stack
 * mapped to the sources first (backend/source-mapped-stack.ts).
 */
export const createService = ({ tracer }: Pick<Powertools, 'tracer'>): MessageService => {
  try {
    const { tableName, dynamoDbEndpoint } = config();
    const client = tracer.captureAWSv3Client(createDocumentClient({ endpoint: dynamoDbEndpoint }));
    return createMessageService({
      repository: new DynamoDbMessageRepository(client, tableName),
      newId: messageIdMaker(),
    });
  } catch (error) {
    mapErrorStacks(error);
    throw error;
  }
};
