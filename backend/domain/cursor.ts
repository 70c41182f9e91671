import { ValidationError } from './errors.ts';
import { CURSOR_PATTERN, isMessageId } from './validation.ts';

/**
 * The pagination cursor: opaque to clients, base64url of `{"b": board, "k": last id}`. It names
 * its board so a cursor from one board cannot be replayed against another.
 */
export const encodeCursor = (board: string, lastId: string): string =>
  Buffer.from(JSON.stringify({ b: board, k: lastId }), 'utf8').toString('base64url');

const invalid = (message: string) => new ValidationError('INVALID_CURSOR', message);

/** Returns the id to continue after, or throws a ValidationError (400) for a cursor that is not ours. */
export const decodeCursor = (board: string, cursor: string): string => {
  if (!CURSOR_PATTERN.test(cursor)) {
    throw invalid('cursor is not a valid page cursor: pass nextCursor from the previous page unchanged');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('cursor is not a valid page cursor: pass nextCursor from the previous page unchanged');
  }
  const { b, k } = (parsed ?? {}) as { b?: unknown; k?: unknown };
  if (typeof b !== 'string' || typeof k !== 'string' || !isMessageId(k)) {
    throw invalid('cursor is not a valid page cursor: pass nextCursor from the previous page unchanged');
  }
  if (b !== board) {
    throw invalid(`cursor belongs to board ${JSON.stringify(b)}, not ${JSON.stringify(board)}`);
  }
  return k;
};
