/**
 * The in-memory repository that the unit tests and the handler benchmark use in place of DynamoDB
 * passes the suite the DynamoDB repository passes on a real engine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryMessageRepository } from '../../backend/adapters/in-memory-message-repository.ts';
import { messageRepositoryContract } from '../helpers/message-repository-contract.ts';

const repository = new InMemoryMessageRepository();
messageRepositoryContract('InMemoryMessageRepository', () => repository);

describe('InMemoryMessageRepository: the calls it counts', () => {
  const message = {
    id: '01J00000000000000000000000',
    board: 'counted',
    author: 'Ada',
    text: 'hi',
    createdAt: '2024-06-01T00:00:00.000Z',
  };

  it('lists only the operations called, each with its count, and forgets them when reset', async () => {
    const counted = new InMemoryMessageRepository();
    assert.deepEqual(counted.calls, {});
    await counted.put(message);
    assert.deepEqual(counted.calls, { put: 1 });
    await counted.list('counted', { limit: 3 });
    await counted.list('counted', { limit: 3 });
    assert.deepEqual(counted.calls, { put: 1, list: 2 });
    counted.resetCalls();
    assert.deepEqual(counted.calls, {});
  });

  it('reads what a board holds, newest first, without counting it', async () => {
    const counted = new InMemoryMessageRepository();
    const newer = { ...message, id: '01J00000000000000000000001', text: 'newer' };
    await counted.put(newer);
    await counted.put(message);
    counted.resetCalls();
    assert.deepEqual(counted.held('counted'), [newer, message]);
    assert.deepEqual(counted.held('empty'), []);
    assert.deepEqual(counted.calls, {});
  });
});
