/**
 * Typed errors of the domain. They say what was wrong and carry a stable machine `code`; the
 * HTTP layer maps each class to a status in exactly one place (backend/http/error-response.ts).
 */
export abstract class WhiteboardError extends Error {
  abstract readonly code: string;
}

/** The request is malformed or breaks a rule of the contract: nothing was stored. */
export class ValidationError extends WhiteboardError {
  constructor(
    readonly code: string,
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
