/**
 * The in-memory repository that the unit tests and the handler benchmark use in place of DynamoDB
 * passes the suite the DynamoDB repository passes on a real engine.
 */
import { InMemoryMessageRepository } from '../../backend/adapters/in-memory-message-repository.ts';
import { messageRepositoryContract } from '../helpers/message-repository-contract.ts';

const repository = new InMemoryMessageRepository();
messageRepositoryContract('InMemoryMessageRepository', () => repository);
