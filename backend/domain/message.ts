/** A message as stored and as the API returns it. */
export interface Message {
  /** ULID: 26 Crockford base32 characters, time-ordered, unique. */
  readonly id: string;
  readonly board: string;
  readonly author: string;
  readonly text: string;
  /** ISO 8601, UTC, millisecond precision. */
  readonly createdAt: string;
}

/** Whether two messages are the same in every field (a write found already stored, for one). */
export const sameMessage = (a: Message, b: Message): boolean =>
  a.id === b.id &&
  a.board === b.board &&
  a.author === b.author &&
  a.text === b.text &&
  a.createdAt === b.createdAt;

/** One page of a board, newest first. */
export interface MessagePage {
  readonly messages: readonly Message[];
  /** Opaque; pass it back as `cursor` for the next (older) page. Null on the last page. */
  readonly nextCursor: string | null;
}

export const DEFAULT_BOARD = 'default';
