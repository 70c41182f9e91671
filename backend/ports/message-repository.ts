import type { Message } from '../domain/message.ts';

export interface ListOptions {
  /** Most items to return. */
  readonly limit: number;
  /** Continue with messages older than this id (exclusive). */
  readonly before?: string | undefined;
  /** Only messages newer than this id (exclusive). */
  readonly after?: string | undefined;
}

export interface ListResult {
  /** Newest first. */
  readonly messages: Message[];
  /** Set when more (older) messages follow: the id of the last message returned. */
  readonly lastId: string | undefined;
}

/** What the domain needs from storage. Implemented by DynamoDB (and in memory for unit tests). */
export interface MessageRepository {
  /** Stores a new message; throws MessageIdConflictError rather than overwrite an existing one. */
  put(message: Message): Promise<void>;
  /** Newest-first page of a board. */
  list(board: string, options: ListOptions): Promise<ListResult>;
}
