/**
 * The whiteboard HTTP API as the CLI sees it: its paths, and checks that an answer has the shape
 * the contract promises before anything is printed from it.
 */
// The contract's types, limits and patterns come from the API's own definitions, so client and
// server cannot disagree on them (type imports cost nothing at run time; the rest is constants).
import { DEFAULT_BOARD, type Message, type MessagePage } from '../backend/domain/message.ts';
import {
  BOARD_PATTERN,
  BOARD_RULE,
  CURSOR_PATTERN,
  isMessageId,
  lengthProblem,
  limits,
} from '../backend/domain/validation.ts';
import { ResponseError } from './errors.ts';
import type { HttpClient } from './http-client.ts';

export {
  BOARD_PATTERN,
  BOARD_RULE,
  CURSOR_PATTERN,
  DEFAULT_BOARD,
  isMessageId,
  lengthProblem,
  limits,
  type Message,
  type MessagePage,
};
export const MAX_LIMIT = limits.pageMax;

export interface ReadQuery {
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
  readonly since?: string | undefined;
}

/** A page as the API sent it (for --json, which prints it unchanged) and as checked fields. */
export interface ReadResult {
  readonly raw: unknown;
  readonly page: MessagePage;
}

export interface PostResult {
  readonly raw: unknown;
  readonly message: Message;
}

/** `/messages` is the `default` board; other boards live under `/boards/{board}/messages`. */
export const messagesPath = (board: string): string =>
  board === DEFAULT_BOARD ? '/messages' : `/boards/${encodeURIComponent(board)}/messages`;

/**
 * The fields the CLI needs of a message, each a string. Its own list, not the domain's
 * MESSAGE_FIELDS: a field added to messages later must not be required of an API deployed before.
 */
const REQUIRED_FIELDS = ['id', 'board', 'author', 'text', 'createdAt'] as const;

/** Where the API is, for error messages: its base URL and `ResolvedUrl.wrongApiHint`. */
export interface ApiLocation {
  readonly baseUrl: string;
  readonly wrongApiHint: string;
}

const toMessage = (value: unknown, where: string, hint: string): Message => {
  if (typeof value !== 'object' || value === null)
    throw new ResponseError(`${where} is not a message object; ${hint}`);
  for (const field of REQUIRED_FIELDS) {
    if (typeof (value as Record<string, unknown>)[field] !== 'string') {
      throw new ResponseError(`${where} has no string "${field}"; ${hint}`);
    }
  }
  return value as Message;
};

/** `url`: the URL that answered, named in the error when the answer is not a page. */
export const toPage = (value: unknown, url: string, hint: string): MessagePage => {
  if (
    typeof value !== 'object' ||
    value === null ||
    !Array.isArray((value as { messages?: unknown }).messages)
  ) {
    throw new ResponseError(`the answer from ${url} has no "messages" list; ${hint}`);
  }
  const { messages, nextCursor } = value as { messages: unknown[]; nextCursor?: unknown };
  if (nextCursor !== null && nextCursor !== undefined && typeof nextCursor !== 'string') {
    throw new ResponseError(`the answer from ${url} has a "nextCursor" that is not a string; ${hint}`);
  }
  return {
    messages: messages.map((message, index) =>
      toMessage(message, `message ${index + 1} of the answer from ${url}`, hint),
    ),
    nextCursor: typeof nextCursor === 'string' ? nextCursor : null,
  };
};

export const createApi = (client: HttpClient, { baseUrl, wrongApiHint }: ApiLocation) => ({
  async post(board: string, input: { readonly author: string; readonly text: string }): Promise<PostResult> {
    const path = messagesPath(board);
    const raw = await client.post(path, { author: input.author, text: input.text });
    return { raw, message: toMessage(raw, `the stored message from ${baseUrl}${path}`, wrongApiHint) };
  },

  async read(board: string, query: ReadQuery = {}): Promise<ReadResult> {
    const path = messagesPath(board);
    const raw = await client.get(path, { limit: query.limit, cursor: query.cursor, since: query.since });
    return { raw, page: toPage(raw, `${baseUrl}${path}`, wrongApiHint) };
  },
});

export type Api = ReturnType<typeof createApi>;
