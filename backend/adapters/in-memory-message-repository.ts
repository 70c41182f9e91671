import { MessageIdConflictError } from '../domain/errors.ts';
import { type Message, sameMessage } from '../domain/message.ts';
import type { ListOptions, ListResult, MessageRepository } from '../ports/message-repository.ts';

/**
 * An in-memory MessageRepository with the DynamoDB one's semantics (conditional put, newest-first
 * pages, `lastId` only when older messages follow). For unit tests and the handler micro-benchmark only.
 */
export class InMemoryMessageRepository implements MessageRepository {
  readonly #boards = new Map<string, Message[]>();
  /** Calls made, so tests can assert how many storage operations a request costs. */
  readonly calls = { put: 0, list: 0 };

  async put(message: Message): Promise<void> {
    this.calls.put++;
    const board = this.#boards.get(message.board) ?? [];
    const existing = board.find((stored) => stored.id === message.id);
    if (existing) {
      // As the DynamoDB one: the very same message again is a retried write that landed.
      if (sameMessage(existing, message)) return;
      throw new MessageIdConflictError(message.board, message.id);
    }
    board.push(message);
    board.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.#boards.set(message.board, board);
  }

  async list(board: string, { limit, before, after }: ListOptions): Promise<ListResult> {
    this.calls.list++;
    const newestFirst = [...(this.#boards.get(board) ?? [])]
      .reverse()
      .filter(
        (message) =>
          (before === undefined || message.id < before) && (after === undefined || message.id > after),
      );
    const messages = newestFirst.slice(0, limit);
    const lastId = newestFirst.length > limit ? messages.at(-1)?.id : undefined;
    return { messages, lastId };
  }
}
