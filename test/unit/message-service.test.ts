import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeTime } from 'ulid';
import { InMemoryMessageRepository } from '../../backend/adapters/in-memory-message-repository.ts';
import { decodeCursor } from '../../backend/domain/cursor.ts';
import { MessageIdConflictError, ValidationError } from '../../backend/domain/errors.ts';
import { type Message, messageIdMaker } from '../../backend/domain/message.ts';
import { createMessageService, type MessageService } from '../../backend/domain/message-service.ts';
import { isMessageId, parseLimit, validateNewMessage } from '../../backend/domain/validation.ts';
import { sequentialIds } from './helpers/ids.ts';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const T0 = Date.UTC(2024, 5, 17, 15, 52, 39, 80);

const setup = () => {
  const repository = new InMemoryMessageRepository();
  let clock = T0;
  const service = createMessageService({ repository, newId: sequentialIds(), now: () => clock++ });
  return { repository, service };
};

/** Posts `count` messages "m1".."mN" in order and returns them as stored, oldest first. */
const postMany = async (service: MessageService, board: string, count: number): Promise<Message[]> => {
  const posted: Message[] = [];
  for (let n = 1; n <= count; n++) posted.push(await service.post(board, { author: 'Ada', text: `m${n}` }));
  return posted;
};

/** Follows nextCursor from the first page to the end; fails instead of looping forever. */
const walk = async (service: MessageService, board: string, limit: number, since?: string) => {
  const pages: Message[][] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await service.list(board, { limit, cursor, since });
    pages.push([...page.messages]);
    if (page.nextCursor === null) return pages;
    cursor = page.nextCursor;
  }
  assert.fail('the cursor walk did not end within 100 pages');
};

describe('MessageService.post', () => {
  it('returns the stored message with the id from newId, the board, author, text and createdAt', async () => {
    const { service } = setup();
    const message = await service.post('default', { author: 'Ada', text: 'Hello' });
    assert.deepEqual(message, {
      id: '01J00000000000000000000001',
      board: 'default',
      author: 'Ada',
      text: 'Hello',
      createdAt: '2024-06-17T15:52:39.080Z',
    });
  });

  it('stores exactly what it returns', async () => {
    const { service } = setup();
    const message = await service.post('team', { author: 'Ada', text: 'Hello' });
    const page = await service.list('team', { limit: 3 });
    assert.deepEqual(page.messages, [message]);
  });

  it('stores the trimmed author and text of a validated body', async () => {
    const { service } = setup();
    await service.post('default', validateNewMessage({ author: '  Ada  ', text: '\n  two\nlines \t ' }));
    const [stored] = (await service.list('default', { limit: 1 })).messages;
    assert.equal(stored?.author, 'Ada');
    assert.equal(stored?.text, 'two\nlines');
  });

  it('gives the id generator the same time it writes as createdAt', async () => {
    const repository = new InMemoryMessageRepository();
    const times: number[] = [];
    const service = createMessageService({
      repository,
      newId: (now) => {
        times.push(now);
        return '01J0000000000000000000000Q';
      },
      now: () => T0,
    });
    const message = await service.post('default', { author: 'Ada', text: 'hi' });
    assert.deepEqual(times, [T0]);
    assert.equal(Date.parse(message.createdAt), T0);
  });

  it('keeps createdAt and the time in the id the same, and in order, when the clock steps back', async () => {
    const repository = new InMemoryMessageRepository();
    // A clock corrected backwards between posts, as NTP may, and the generator the functions use.
    const times = [T0, T0 - 5, T0 - 3, T0 + 2];
    const service = createMessageService({
      repository,
      newId: messageIdMaker(),
      now: () => times.shift() ?? assert.fail('more posts than times'),
    });
    const posted = await postMany(service, 'default', 4);
    for (const message of posted)
      assert.equal(Date.parse(message.createdAt), decodeTime(message.id), message.id);
    assert.deepEqual(
      posted.map((message) => Date.parse(message.createdAt)),
      [T0, T0, T0, T0 + 2],
    );
    // Newest first by id is newest first by createdAt too.
    const { messages } = await service.list('default', { limit: 4 });
    assert.deepEqual(
      messages.map((message) => message.text),
      ['m4', 'm3', 'm2', 'm1'],
    );
  });

  it("makes ids, with the functions' id maker, that rise in the order made within one millisecond", () => {
    const newId = messageIdMaker();
    const ids = Array.from({ length: 50 }, () => newId(T0));
    assert.deepEqual(ids, [...ids].sort());
    assert.equal(new Set(ids).size, 50);
    for (const id of ids) {
      assert.ok(isMessageId(id), id);
      assert.equal(decodeTime(id), T0);
    }
  });

  it('draws the random part of its ids from the CSPRNG in blocks, not a call for each character', (t) => {
    const newId = messageIdMaker();
    const draws: number[] = [];
    const nodeCrypto = process.getBuiltinModule('node:crypto');
    const randomFillSync = nodeCrypto.randomFillSync.bind(nodeCrypto);
    t.mock.method(nodeCrypto, 'randomFillSync', (array: Uint8Array) => {
      draws.push(array.byteLength);
      return randomFillSync(array);
    });
    // A new millisecond each: a new random part each (16 characters of 5 bits).
    const ids = Array.from({ length: 32 }, (_, i) => newId(T0 + i));
    assert.deepEqual(draws, [256, 256]);
    assert.equal(new Set(ids.map((id) => id.slice(10))).size, 32);
    for (const [i, id] of ids.entries()) {
      assert.ok(isMessageId(id), id);
      assert.equal(decodeTime(id), T0 + i);
    }
  });

  it('writes createdAt as ISO 8601 UTC with milliseconds when using the real clock', async () => {
    const repository = new InMemoryMessageRepository();
    const service = createMessageService({ repository, newId: sequentialIds() });
    const before = Date.now();
    const message = await service.post('default', { author: 'Ada', text: 'hi' });
    assert.match(message.createdAt, ISO_UTC);
    const after = Date.now();
    const createdAt = Date.parse(message.createdAt);
    assert.ok(createdAt >= before && createdAt <= after, 'createdAt is the time of the post');
  });

  it('makes one repository write per post', async () => {
    const { service, repository } = setup();
    await service.post('default', { author: 'Ada', text: 'hi' });
    assert.deepEqual(repository.calls, { put: 1 });
  });

  it('retries once with a new id when the first id is already taken, and stores the message once', async () => {
    const { service, repository } = setup();
    const existing = await service.post('default', { author: 'Bob', text: 'first' });
    const ids = [existing.id, '01J0000000000000000000000Z'];
    const retrying = createMessageService({
      repository,
      newId: () => ids.shift() ?? assert.fail('newId called more than twice'),
      now: () => T0 + 1000,
    });

    const message = await retrying.post('default', { author: 'Ada', text: 'second' });

    assert.equal(message.id, '01J0000000000000000000000Z');
    assert.equal(repository.calls.put, 3);
    const page = await service.list('default', { limit: 10 });
    assert.deepEqual(
      page.messages.map((m) => [m.id, m.text]),
      [
        ['01J0000000000000000000000Z', 'second'],
        [existing.id, 'first'],
      ],
      'the retry did not overwrite the existing message',
    );
  });

  it('surfaces a second id conflict as MessageIdConflictError without a third attempt', async () => {
    const { service, repository } = setup();
    const existing = await service.post('default', { author: 'Bob', text: 'first' });
    const broken = createMessageService({ repository, newId: () => existing.id, now: () => T0 });

    await assert.rejects(broken.post('default', { author: 'Ada', text: 'second' }), (error: unknown) => {
      assert.ok(error instanceof MessageIdConflictError);
      assert.equal(error.code, 'ID_CONFLICT');
      assert.equal(error.id, existing.id);
      return true;
    });
    assert.equal(repository.calls.put, 3, 'one put for the existing message, two attempts for the new one');
    const page = await service.list('default', { limit: 10 });
    assert.deepEqual(page.messages, [existing]);
  });

  it('does not retry an error that is not an id conflict', async () => {
    const repository = new InMemoryMessageRepository();
    let attempts = 0;
    repository.put = async () => {
      attempts++;
      throw new Error('ProvisionedThroughputExceededException');
    };
    const service = createMessageService({ repository, newId: sequentialIds() });
    await assert.rejects(service.post('default', { author: 'Ada', text: 'hi' }), /ProvisionedThroughput/);
    assert.equal(attempts, 1);
  });
});

describe('MessageService.list', () => {
  it('returns an empty page with no cursor for a board without messages', async () => {
    const { service } = setup();
    assert.deepEqual(await service.list('empty', { limit: 3 }), { messages: [], nextCursor: null });
  });

  it('returns messages newest first', async () => {
    const { service } = setup();
    const posted = await postMany(service, 'default', 5);
    const page = await service.list('default', { limit: 5 });
    assert.deepEqual(
      page.messages.map((m) => m.text),
      ['m5', 'm4', 'm3', 'm2', 'm1'],
    );
    assert.deepEqual(page.messages, [...posted].reverse());
  });

  it('returns the 3 most recent messages by default and a cursor to the older ones', async () => {
    const { service } = setup();
    await postMany(service, 'default', 5);
    const page = await service.list('default', { limit: parseLimit(undefined) });
    assert.deepEqual(
      page.messages.map((m) => m.text),
      ['m5', 'm4', 'm3'],
    );
    assert.equal(typeof page.nextCursor, 'string');
  });

  it('returns no cursor when the page is not full', async () => {
    const { service } = setup();
    await postMany(service, 'default', 2);
    const page = await service.list('default', { limit: 3 });
    assert.equal(page.messages.length, 2);
    assert.equal(page.nextCursor, null);
  });

  it('names the board and the last returned id in the cursor', async () => {
    const { service } = setup();
    await postMany(service, 'team', 4);
    const page = await service.list('team', { limit: 3 });
    assert.ok(page.nextCursor !== null);
    assert.equal(decodeCursor('team', page.nextCursor), page.messages.at(-1)?.id);
  });

  it('walks 10 messages with limit 3: every message exactly once, newest first, ending with a null cursor', async () => {
    const { service } = setup();
    const posted = await postMany(service, 'default', 10);
    const pages = await walk(service, 'default', 3);
    assert.deepEqual(
      pages.map((page) => page.length),
      [3, 3, 3, 1],
    );
    assert.deepEqual(pages.flat(), [...posted].reverse());
  });

  it('walks 9 messages with limit 3: the full last page has no cursor, so no empty page follows', async () => {
    const { service } = setup();
    const posted = await postMany(service, 'default', 9);
    const pages = await walk(service, 'default', 3);
    assert.deepEqual(
      pages.map((page) => page.length),
      [3, 3, 3],
    );
    assert.deepEqual(pages.flat(), [...posted].reverse());
  });

  it('walks a board one message at a time', async () => {
    const { service } = setup();
    const posted = await postMany(service, 'default', 4);
    const pages = await walk(service, 'default', 1);
    assert.deepEqual(pages.flat(), [...posted].reverse());
  });

  it('makes one repository query per page', async () => {
    const { service, repository } = setup();
    await postMany(service, 'default', 10);
    const pages = await walk(service, 'default', 3);
    assert.equal(repository.calls.list, pages.length);
  });

  it('with since, returns only messages newer than that id', async () => {
    const { service } = setup();
    const posted = await postMany(service, 'default', 5);
    const page = await service.list('default', { limit: 10, since: posted[2]?.id });
    assert.deepEqual(
      page.messages.map((m) => m.text),
      ['m5', 'm4'],
    );
    assert.equal(page.nextCursor, null);
  });

  it('with since set to the newest id, returns nothing', async () => {
    const { service } = setup();
    const posted = await postMany(service, 'default', 3);
    const page = await service.list('default', { limit: 3, since: posted.at(-1)?.id });
    assert.deepEqual(page, { messages: [], nextCursor: null });
  });

  it('walks pages of messages newer than since, each once, stopping at since', async () => {
    const { service } = setup();
    const posted = await postMany(service, 'default', 10);
    const since = posted[3]?.id;
    const pages = await walk(service, 'default', 4, since);
    assert.deepEqual(
      pages.flat().map((m) => m.text),
      ['m10', 'm9', 'm8', 'm7', 'm6', 'm5'],
    );
  });

  it('keeps boards apart', async () => {
    const { service } = setup();
    await postMany(service, 'a', 2);
    const [onB] = await postMany(service, 'b', 1);
    const page = await service.list('b', { limit: 10 });
    assert.deepEqual(page.messages, [onB]);
  });

  it('rejects a cursor from another board with INVALID_CURSOR before querying', async () => {
    const { service, repository } = setup();
    await postMany(service, 'a', 4);
    const first = await service.list('a', { limit: 3 });
    assert.ok(first.nextCursor !== null);
    const queries = repository.calls.list;

    await assert.rejects(service.list('b', { limit: 3, cursor: first.nextCursor }), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.code, 'INVALID_CURSOR');
      assert.match(error.message, /board "a"/);
      return true;
    });
    assert.equal(repository.calls.list, queries);
  });

  it('rejects a garbage cursor with INVALID_CURSOR', async () => {
    const { service } = setup();
    await assert.rejects(service.list('default', { limit: 3, cursor: '%%%' }), {
      name: 'ValidationError',
      code: 'INVALID_CURSOR',
    });
  });
});
