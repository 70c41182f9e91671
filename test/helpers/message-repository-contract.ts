/**
 * What every MessageRepository must do (backend/ports/message-repository.ts), as one suite run
 * against the DynamoDB repository on a real engine (test/integration) and against the in-memory
 * one that unit tests use in its place (test/unit): a fake that behaves otherwise would let the
 * unit tests pass on behaviour DynamoDB does not have.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { monotonicFactory } from 'ulid';
import { MessageIdConflictError } from '../../backend/domain/errors.ts';
import type { Message } from '../../backend/domain/message.ts';
import type { MessageRepository } from '../../backend/ports/message-repository.ts';

const newId = monotonicFactory();
let boards = 0;
/** Every test works on boards of its own, in storage the tests share. */
export const newBoard = (label: string) => `${label}-${process.pid}-${++boards}`;

/** `count` messages with ascending (time-ordered) ids, oldest first. */
const makeMessages = (board: string, count: number): Message[] => {
  const start = Date.parse('2025-01-01T00:00:00.000Z');
  return Array.from({ length: count }, (_, index) => {
    const time = start + index * 1_000;
    return {
      id: newId(time),
      board,
      author: `author ${index}`,
      text: `message ${index} on ${board}`,
      createdAt: new Date(time).toISOString(),
    };
  });
};

/** Stores messages in a shuffled order, so any order seen later comes from the repository. */
const putAll = async (repository: MessageRepository, messages: readonly Message[]) => {
  const shuffled = [...messages].sort(() => Math.random() - 0.5);
  for (const message of shuffled) await repository.put(message);
};

const newestFirst = (messages: readonly Message[]) => [...messages].reverse();

/**
 * The suite, as `describe(name)`. `repository` is read in each test (the DynamoDB one exists only
 * once the suite's `before` made its table); `stored` reads a message as the storage holds it, where
 * the storage can be read past the repository.
 */
export const messageRepositoryContract = (
  name: string,
  repository: () => MessageRepository,
  stored?: (board: string, id: string) => Promise<unknown>,
): void => {
  describe(name, () => {
    it('lists what was put, newest first, with nothing left to page', async () => {
      const board = newBoard('list');
      const messages = makeMessages(board, 5);
      await putAll(repository(), messages);

      const result = await repository().list(board, { limit: 10 });
      assert.deepEqual(result.messages, newestFirst(messages));
      assert.equal(result.lastId, undefined);

      const firstTwo = await repository().list(board, { limit: 2 });
      assert.deepEqual(
        firstTwo.messages.map((message) => message.id),
        newestFirst(messages)
          .slice(0, 2)
          .map((message) => message.id),
      );
      assert.equal(firstTwo.lastId, firstTwo.messages[1]?.id);
    });

    it('pages with `before` through every message exactly once', async () => {
      const board = newBoard('pages');
      const messages = makeMessages(board, 23);
      await putAll(repository(), messages);

      const seen: string[] = [];
      let before: string | undefined;
      let pages = 0;
      do {
        const page = await repository().list(board, { limit: 5, before });
        pages++;
        assert.ok(page.messages.length <= 5, `page ${pages} has ${page.messages.length} messages`);
        seen.push(...page.messages.map((message) => message.id));
        before = page.lastId;
        assert.ok(pages <= 10, 'pagination does not end');
      } while (before !== undefined);

      assert.deepEqual(
        seen,
        newestFirst(messages).map((message) => message.id),
      );
      assert.equal(new Set(seen).size, messages.length);
      assert.equal(pages, 5);
    });

    it('with `after`, returns only newer messages', async () => {
      const board = newBoard('after');
      const messages = makeMessages(board, 10);
      await putAll(repository(), messages);
      const pivot = messages[6];
      assert.ok(pivot);

      const newer = await repository().list(board, { limit: 100, after: pivot.id });
      assert.deepEqual(newer.messages, newestFirst(messages.slice(7)));

      const newest = messages.at(-1);
      assert.ok(newest);
      assert.deepEqual((await repository().list(board, { limit: 100, after: newest.id })).messages, []);
    });

    it('ends with the page that holds the oldest message, even when it is full', async () => {
      const board = newBoard('full');
      const messages = makeMessages(board, 6);
      await putAll(repository(), messages);

      const first = await repository().list(board, { limit: 3 });
      assert.equal(first.lastId, newestFirst(messages)[2]?.id);
      const last = await repository().list(board, { limit: 3, before: first.lastId });
      assert.deepEqual(last.messages, newestFirst(messages).slice(3));
      assert.equal(last.lastId, undefined, 'no cursor to an empty page');
      const exact = await repository().list(board, { limit: 6 });
      assert.equal(exact.lastId, undefined);
    });

    it('with `before` and `after`, returns what lies between, and nothing when nothing can', async () => {
      const board = newBoard('between');
      const messages = makeMessages(board, 8);
      await putAll(repository(), messages);
      const id = (index: number) => messages[index]?.id as string;

      const between = await repository().list(board, { limit: 10, before: id(6), after: id(2) });
      assert.deepEqual(between.messages, newestFirst(messages.slice(3, 6)));
      const paged = await repository().list(board, { limit: 2, before: id(6), after: id(2) });
      assert.deepEqual(paged.messages, newestFirst(messages.slice(4, 6)));
      assert.equal(paged.lastId, id(4));
      // A cursor at or below `after`: DynamoDB refuses such a start key; the page is empty.
      for (const [before, after] of [
        [id(2), id(2)],
        [id(1), id(5)],
      ])
        assert.deepEqual(await repository().list(board, { limit: 10, before, after }), {
          messages: [],
          lastId: undefined,
        });
    });

    it('refuses to overwrite a message with the same board and id', async () => {
      const board = newBoard('conflict');
      const [original] = makeMessages(board, 1);
      assert.ok(original);
      await repository().put(original);

      const impostor: Message = { ...original, author: 'someone else', text: 'overwritten?' };
      await assert.rejects(repository().put(impostor), (error: unknown) => {
        assert.ok(
          error instanceof MessageIdConflictError,
          `expected MessageIdConflictError, got ${String(error)}`,
        );
        assert.equal(error.board, board);
        assert.equal(error.id, original.id);
        return true;
      });
      if (stored !== undefined) assert.deepEqual(await stored(board, original.id), { ...original });
      assert.deepEqual((await repository().list(board, { limit: 10 })).messages, [original]);
    });

    it('takes a second write of the very same message (an SDK retry of a write that landed) as done, storing it once', async () => {
      const board = newBoard('retried');
      const [message] = makeMessages(board, 1);
      assert.ok(message);
      await repository().put(message);
      await repository().put({ ...message });
      assert.deepEqual((await repository().list(board, { limit: 10 })).messages, [message]);
      // Only the very same message: any one field different (the key aside) is another message
      // with that id. Typed so that a field added to Message must be added here.
      const changed: { readonly [K in Exclude<keyof Message, 'board' | 'id'>]: Message[K] } = {
        author: `${message.author} (changed)`,
        text: `${message.text} (changed)`,
        createdAt: '2025-01-01T00:00:00.001Z',
      };
      for (const [field, value] of Object.entries(changed)) {
        await assert.rejects(repository().put({ ...message, [field]: value }), MessageIdConflictError, field);
      }
      assert.deepEqual((await repository().list(board, { limit: 10 })).messages, [message]);
    });

    it('keeps boards apart, even for the same id', async () => {
      const boardA = newBoard('board-a');
      const boardB = newBoard('board-b');
      const onA = makeMessages(boardA, 3);
      const onB = onA.map((message) => ({ ...message, board: boardB, text: `${message.text} (b)` }));
      await putAll(repository(), [...onA, ...onB]);

      assert.deepEqual((await repository().list(boardA, { limit: 10 })).messages, newestFirst(onA));
      assert.deepEqual((await repository().list(boardB, { limit: 10 })).messages, newestFirst(onB));
      assert.deepEqual((await repository().list(newBoard('empty'), { limit: 10 })).messages, []);
    });
  });
};
