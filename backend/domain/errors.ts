/**
 * Typed errors of the domain. They say what was wrong and carry a stable machine `code`; the
 * HTTP layer maps each class to a status in exactly one place (backend/http/error-response.ts).
 */

/** The codes of a 400: what was wrong with the request. README ("The HTTP contract") lists each. */
export const VALIDATION_CODES = [
  'INVALID_JSON',
  'INVALID_BODY',
  'INVALID_AUTHOR',
  'INVALID_TEXT',
  'INVALID_BOARD',
  'INVALID_LIMIT',
  'INVALID_CURSOR',
  'INVALID_SINCE',
] as const;
export type ValidationCode = (typeof VALIDATION_CODES)[number];

/** Every code the API answers with, which a client may act on (README lists each). */
export const ANSWERED_CODES = [
  ...VALIDATION_CODES,
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'SERVICE_BUSY',
  'INTERNAL_ERROR',
] as const;
export type AnsweredCode = (typeof ANSWERED_CODES)[number];

/**
 * A domain error's code: one the API answers with, or ID_CONFLICT, which only the log shows (the
 * API answers a conflict that survived the service's retry as INTERNAL_ERROR).
 */
export type ErrorCode = AnsweredCode | 'ID_CONFLICT';

export abstract class WhiteboardError extends Error {
  abstract readonly code: ErrorCode;
}

/** The request is malformed or breaks a rule of the contract: nothing was stored. */
export class ValidationError extends WhiteboardError {
  constructor(
    readonly code: ValidationCode,
    message: string,
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** The request body is larger than the API accepts. */
export class PayloadTooLargeError extends WhiteboardError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(
    readonly limitBytes: number,
    readonly actualBytes: number,
  ) {
    super(`request body is ${actualBytes} bytes; the limit is ${limitBytes} bytes`);
    this.name = 'PayloadTooLargeError';
  }
}

/** A body that is not plain UTF-8 JSON (another type, another charset, or compressed): it was not read. */
export class UnsupportedMediaTypeError extends WhiteboardError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  constructor(
    readonly contentType: string | undefined,
    /** What else is wrong with a body declared as JSON: its charset or its Content-Encoding. */
    readonly problem?: { readonly charset: string } | { readonly contentEncoding: string },
  ) {
    const quoted = (value: string) => JSON.stringify(value.slice(0, 100));
    super(
      problem === undefined
        ? `request body must be sent with Content-Type: application/json; it came ${
            contentType === undefined ? 'without one' : `as ${quoted(contentType)}`
          }`
        : 'charset' in problem
          ? `request body must be JSON in UTF-8; it came as charset ${quoted(problem.charset)}`
          : `request body must be sent uncompressed; it came with Content-Encoding ${quoted(problem.contentEncoding)}`,
    );
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** A conditional write found an item with the same key: the message was not written. */
export class MessageIdConflictError extends WhiteboardError {
  readonly code = 'ID_CONFLICT';
  constructor(
    readonly board: string,
    readonly id: string,
  ) {
    super(`a message with id ${id} already exists on board ${board}`);
    this.name = 'MessageIdConflictError';
  }
}

/**
 * The message store refused the request for now: DynamoDB throttled it, and its retry too (a board
 * written faster than its partition takes, docs/scaling.md). Worth another try after a moment.
 */
export class StoreBusyError extends WhiteboardError {
  readonly code = 'SERVICE_BUSY';
  constructor(options?: ErrorOptions) {
    super('the message store is busy; try again in a moment', options);
    this.name = 'StoreBusyError';
  }
}
