import type { ListResult, MessageRepository } from '../ports/message-repository.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { MessageIdConflictError } from './errors.ts';
import type { Message, MessagePage } from './message.ts';
import type { NewMessageInput } from './validation.ts';

export interface MessageServiceDeps {
  readonly repository: MessageRepository;
  /** Returns a new time-ordered unique id for the given time (a ULID). */
  readonly newId: (now: number) => string;
  readonly now?: () => number;
}

export interface ListQuery {
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly since?: string | undefined;
}

// An id collision needs two ULIDs with the same millisecond and the same 80 random bits; one
// retry with a fresh id is already more than enough, a second guards against a broken generator.
const PUT_ATTEMPTS = 2;

export const createMessageService = ({ repository, newId, now = Date.now }: MessageServiceDeps) => {
  // The time of the last message made here. A clock stepped back (an NTP correction) must not give
  // a message an earlier createdAt than one made before it: a monotonic ULID generator keeps its
  // last time then, and the id, which orders a board, would say one time and createdAt another.
  let lastTime = Number.NEGATIVE_INFINITY;
  const messageTime = (): number => {
    lastTime = Math.max(now(), lastTime);
    return lastTime;
  };
  return {
    /** Stores a validated message on a validated board; never overwrites another message. */
    async post(board: string, input: NewMessageInput): Promise<Message> {
      for (let attempt = 1; ; attempt++) {
        const time = messageTime();
        const message: Message = {
          id: newId(time),
          board,
          author: input.author,
          text: input.text,
          createdAt: new Date(time).toISOString(),
        };
        try {
          await repository.put(message);
          return message;
        } catch (error) {
          if (!(error instanceof MessageIdConflictError) || attempt >= PUT_ATTEMPTS) throw error;
        }
      }
    },

    /** A newest-first page of a board; `cursor` continues a previous page, `since` keeps only newer messages. */
    async list(board: string, query: ListQuery): Promise<MessagePage> {
      const before = query.cursor === undefined ? undefined : decodeCursor(board, query.cursor);
      const result: ListResult = await repository.list(board, {
        limit: query.limit,
        before,
        after: query.since,
      });
      return {
        messages: result.messages,
        nextCursor: result.lastId === undefined ? null : encodeCursor(board, result.lastId),
      };
    },
  };
};

export type MessageService = ReturnType<typeof createMessageService>;
