/**
 * The repository's reading of a Query's answer where no local engine can be made to give it: a
 * Query that stops at DynamoDB's 1 MB read limit before `Limit` items. With today's field limits a
 * page of 101 messages stays under 1 MB (at most about 8.5 KB a message), so only a stand-in client
 * reaches it; nor will one throttle. The Query itself is tested on real engines (test/integration).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbMessageRepository } from '../../backend/adapters/dynamodb-message-repository.ts';
import { StoreBusyError } from '../../backend/domain/errors.ts';

const item = (id: string) => ({
  board: 'default',
  id,
  author: 'ann',
  text: `message ${id}`,
  createdAt: '2026-11-27T12:00:00.000Z',
});

/** A client that answers every Query with `answer`, and records the Limit it was asked for. */
const answering = (answer: {
  Items: Record<string, unknown>[];
  LastEvaluatedKey?: Record<string, unknown>;
}) => {
  const limits: (number | undefined)[] = [];
  const client = {
    send: async (command: QueryCommand) => {
      limits.push(command.input.Limit);
      return answer;
    },
  } as unknown as DynamoDBDocumentClient;
  return { repository: new DynamoDbMessageRepository(client, 'messages'), limits };
};

describe('DynamoDbMessageRepository.list, a page cut short', () => {
  const older = '01KBZZZZZZZZZZZZZZZZZZZZZ1';

  it('gives a cursor when the Query stopped at 1 MB with fewer items than asked for', async () => {
    const { repository, limits } = answering({
      Items: [item(older)],
      LastEvaluatedKey: { board: 'default', id: older },
    });
    const { messages, lastId } = await repository.list('default', { limit: 2 });
    assert.deepEqual(limits, [3]);
    assert.deepEqual(
      messages.map(({ id }) => id),
      [older],
    );
    assert.equal(lastId, older);
  });

  it('gives no cursor when the Query read everything there was', async () => {
    const { repository } = answering({ Items: [item(older)] });
    assert.equal((await repository.list('default', { limit: 2 })).lastId, undefined);
  });
});

describe('DynamoDbMessageRepository, a request DynamoDB throttles', () => {
  /** A client whose every call fails with an error named as the SDK names DynamoDB's `name`. */
  const failingWith = (name: string) => {
    const error = Object.assign(new Error(`${name} from DynamoDB`), { name });
    const client = { send: async () => Promise.reject(error) } as unknown as DynamoDBDocumentClient;
    return { repository: new DynamoDbMessageRepository(client, 'messages'), error };
  };

  for (const name of [
    'ProvisionedThroughputExceededException',
    'ThrottlingException',
    'RequestLimitExceeded',
  ]) {
    it(`says ${name} as StoreBusyError, for a read and for a write, keeping it as the cause`, async () => {
      const { repository, error } = failingWith(name);
      const busy = (thrown: unknown) => thrown instanceof StoreBusyError && thrown.cause === error;
      await assert.rejects(repository.list('default', { limit: 3 }), busy);
      await assert.rejects(repository.put(item('01KBZZZZZZZZZZZZZZZZZZZZZ1')), busy);
    });
  }

  it('leaves any other error as it is', async () => {
    const { repository, error } = failingWith('ResourceNotFoundException');
    await assert.rejects(repository.list('default', { limit: 3 }), (thrown) => thrown === error);
    await assert.rejects(repository.put(item('01KBZZZZZZZZZZZZZZZZZZZZZ1')), (thrown) => thrown === error);
  });
});
