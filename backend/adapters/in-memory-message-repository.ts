import { MessageIdConflictError } from '../domain/errors.ts';
import { type Message, sameMessage } from '../domain/message.ts';
import type { ListOptions, ListResult, MessageRepository } from '../ports/message-repository.ts';

/** An operation of the MessageRepository port, by its method's name. */
export type RepositoryOperation = keyof MessageRepository;

/**
 * An in-memory MessageRepository with the DynamoDB one's semantics (conditional put, newest-first
 * pages, `lastId` only when older messages follow). For unit tests and the handler micro-benchmark only.
 */
export class InMemoryMessageRepository implements MessageRepository {
  readonly #boards = new Map<string, Message[]>();
  readonly #calls = new Map<RepositoryOperation, number>();

  /**
   * The operations called so far and how many times each, leaving out those never called: tests
   * assert what a request costs in storage operations, `{ put: 1 }` for one write and nothing else,
   * which an operation added to the port later does not change.
   */
  get calls(): Partial<Record<RepositoryOperation, number>> {
    return Object.fromEntries(this.#calls);
  }

  /** Forgets the calls counted so far. */
  resetCalls(): void {
    this.#calls.clear();
  }

  /** Counts a call of `operation`; a test's stand-in for an operation counts it as well. */
  protected count(operation: RepositoryOperation): void {
    this.#calls.set(operation, (this.#calls.get(operation) ?? 0) + 1);
  }

  /** What a board holds, newest first, read without being counted: for a test to look at. */
  held(board: string): Message[] {
    return [...(this.#boards.get(board) ?? [])].reverse();
  }

  async put(message: Message): Promise<void> {
    this.count('put');
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
    this.count('list');
    const newestFirst = this.held(board).filter(
      (message) =>
        (before === undefined || message.id < before) && (after === undefined || message.id > after),
    );
    const messages = newestFirst.slice(0, limit);
    const lastId = newestFirst.length > limit ? messages.at(-1)?.id : undefined;
    return { messages, lastId };
  }
}
