import { type ValidationCode, ValidationError } from './errors.ts';

/** The limits of the HTTP contract (README, "The HTTP contract"). */
export const limits = {
  authorMaxChars: 64,
  textMaxChars: 2000,
  boardMaxChars: 64,
  pageDefault: 3,
  pageMax: 100,
  /**
   * Room for the largest valid message however its JSON is written: a client that escapes every
   * non-ASCII character (Python's json.dumps does by default) sends an emoji as 12 bytes
   * (`\ud83d\ude00`), so 64 + 2000 of them take about 24.8 KB.
   */
  bodyMaxBytes: 32 * 1024,
} as const;

export const BOARD_PATTERN = new RegExp(`^[A-Za-z0-9_-]{1,${limits.boardMaxChars}}$`);
/** What a board name may be, as the API's error and the CLI's usage error say it. */
export const BOARD_RULE = `use 1-${limits.boardMaxChars} letters, digits, "_" or "-"`;
/**
 * What a page cursor can look like (backend/domain/cursor.ts writes base64url), checked before it
 * is decoded; the CLI checks `--cursor` against it too.
 */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,512}$/;
// Crockford base32, as this API writes ids (upper case). A ULID's 26 characters could hold 130
// bits, of which it uses 128, so it starts with 0-7 (ULID spec, "Overflow Errors when Parsing
// Base32 Strings": the largest valid ULID is 7ZZZZZZZZZZZZZZZZZZZZZZZZZ).
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
/** Characters a field refuses, and how its error names them. */
interface Forbidden {
  readonly pattern: RegExp;
  readonly name: string;
}
// C0 controls, DEL and C1 controls; in an author (one line, shown beside others' text) also the line
// and paragraph separators and the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
// U+2066-U+2069), which reorder what is shown after them: a name needs none (a right-to-left name
// is shown right to left without them; the marks U+200E, U+200F and U+061C stay allowed). Text may
// still hold tab, line feed and carriage return.
const IN_AUTHOR: Forbidden = {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  pattern: /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u,
  name: 'control characters, line breaks or bidirectional overrides',
};
const UNSAFE_IN_A_LINE = new RegExp(IN_AUTHOR.pattern.source, 'gu');

/**
 * `text` with what an author may not hold (above) written out as `\uxxxx`, as JSON.stringify writes
 * C0 controls: for an error message that quotes what the client sent, which a client may print as
 * it comes. JSON.stringify escapes only C0 controls, and a quoted C1 control or bidirectional
 * override would still act on a terminal or reorder the line around it.
 */
export const escapeControls = (text: string): string =>
  text.replace(UNSAFE_IN_A_LINE, (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);

const IN_TEXT: Forbidden = {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  pattern: /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u,
  name: 'control characters',
};
// What shows as nothing: `trim()` leaves zero-width and format characters (U+200B, U+2060, soft
// hyphen) and the Hangul fillers (U+3164), which Unicode lists as default ignorable, and the blank
// Braille pattern (U+2800), drawn as an empty cell: a value of only these would look empty on every
// client. So would combining marks with no character to mark (shown alone, or as a dotted circle).
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800\p{M}]+$/u;

export interface NewMessageInput {
  readonly author: string;
  readonly text: string;
}

/** Counts characters as people do (code points), not UTF-16 units: an emoji is one character. */
const charCount = (value: string): number => {
  let count = 0;
  for (const _ of value) count++;
  return count;
};

/**
 * What is wrong with the length of a trimmed value, if anything: the rule and its wording, which
 * the CLI also checks before it sends (naming the option instead of the field).
 */
export const lengthProblem = (field: string, trimmed: string, maxChars: number): string | undefined => {
  const length = charCount(trimmed);
  return length > maxChars ? `${field} is ${length} characters; at most ${maxChars} are allowed` : undefined;
};

const describe = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'object'
        ? 'an object'
        : `a ${typeof value}`;

const requireString = (
  field: string,
  value: unknown,
  maxChars: number,
  forbidden: Forbidden,
  code: ValidationCode,
): string => {
  if (typeof value !== 'string') {
    throw new ValidationError(
      code,
      value === undefined ? `${field} is required` : `${field} must be a string, got ${describe(value)}`,
    );
  }
  const trimmed = value.trim();
  if (trimmed === '') throw new ValidationError(code, `${field} must not be empty`);
  if (INVISIBLE_ONLY.test(trimmed)) {
    throw new ValidationError(code, `${field} must not be empty (it holds only invisible characters)`);
  }
  const tooLong = lengthProblem(field, trimmed, maxChars);
  if (tooLong !== undefined) throw new ValidationError(code, tooLong);
  if (forbidden.pattern.test(trimmed)) {
    throw new ValidationError(code, `${field} must not contain ${forbidden.name}`);
  }
  // A lone surrogate is not a character: it would be stored as garbage and break clients.
  if (!trimmed.isWellFormed()) {
    throw new ValidationError(code, `${field} must be valid Unicode (it holds a lone surrogate)`);
  }
  return trimmed;
};

/**
 * What the client sent, quoted in an error message: JSON, cut to `maxChars` code points, so that an
 * answer stays small and never ends in half a surrogate pair.
 */
const quoted = (value: string, maxChars: number): string =>
  JSON.stringify(
    Array.from(value.slice(0, 2 * maxChars))
      .slice(0, maxChars)
      .join(''),
  );

/**
 * Validates a parsed JSON body for a new message: an object with string `author` (1-64
 * characters after trimming, no control characters) and `text` (1-2000, may hold newlines and
 * tabs), and nothing else. Returns the trimmed values.
 */
export const validateNewMessage = (body: unknown): NewMessageInput => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('INVALID_BODY', `request body must be a JSON object, got ${describe(body)}`);
  }
  const unknown = Object.keys(body).filter((key) => key !== 'author' && key !== 'text');
  if (unknown.length > 0) {
    // Named as the other messages quote a value: cut short, so that an answer stays small.
    const named = unknown.slice(0, 5).map((key) => quoted(key, 40));
    const more = unknown.length > named.length ? ` and ${unknown.length - named.length} more` : '';
    throw new ValidationError(
      'INVALID_BODY',
      `unknown field${unknown.length > 1 ? 's' : ''} ${named.join(', ')}${more}; only "author" and "text" are accepted`,
    );
  }
  const { author, text } = body as Record<string, unknown>;
  return {
    author: requireString('author', author, limits.authorMaxChars, IN_AUTHOR, 'INVALID_AUTHOR'),
    text: requireString('text', text, limits.textMaxChars, IN_TEXT, 'INVALID_TEXT'),
  };
};

export const validateBoard = (board: string): string => {
  if (!BOARD_PATTERN.test(board)) {
    throw new ValidationError('INVALID_BOARD', `board ${quoted(board, 80)} is invalid: ${BOARD_RULE}`);
  }
  return board;
};

/**
 * `?limit=`: absent means the default page size (3); otherwise a whole number 1-100, written in
 * ASCII digits, leading zeros allowed (`0100` is 100, as `03` is 3 and as the CLI's `--limit`
 * takes them). Past the zeros, more than 3 digits is over 100 without being converted.
 */
export const parseLimit = (raw: string | undefined): number => {
  if (raw === undefined) return limits.pageDefault;
  if (!/^0*[0-9]{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > limits.pageMax) {
    throw new ValidationError(
      'INVALID_LIMIT',
      `limit must be a whole number from 1 to ${limits.pageMax}, got ${quoted(raw, 40)}`,
    );
  }
  return Number(raw);
};

/**
 * `?since=`: a message id (ULID); only messages newer than it are returned. ULIDs are case
 * insensitive (ULID spec, "Features"); ids are stored in upper case, and compared so.
 */
export const parseSince = (raw: string | undefined): string | undefined => {
  if (raw === undefined) return undefined;
  // ASCII letters only: Unicode's upper case turns some other characters into ULID letters
  // (U+017F, long s, into S; U+00DF, sharp s, into SS), which would let them pass.
  const id = raw.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
  if (!isMessageId(id)) {
    throw new ValidationError('INVALID_SINCE', `since must be a message id, got ${quoted(raw, 40)}`);
  }
  return id;
};

export const isMessageId = (value: string): boolean => ULID_PATTERN.test(value);
