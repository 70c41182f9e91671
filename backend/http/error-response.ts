import {
  type AnsweredCode,
  PayloadTooLargeError,
  StoreBusyError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../domain/errors.ts';
import { escapeControls } from '../domain/validation.ts';
import { type ApiResult, jsonResult } from './api-types.ts';

/**
 * The one place where errors become HTTP responses. Bodies have API Gateway's own error shape,
 * `{"message": "..."}` (e.g. its `{"message":"Not Found"}`), plus a stable `code` for programs.
 * DynamoDB's refusal for now (StoreBusyError) is a 503 with Retry-After, which a client may retry.
 * Anything unexpected is a 500 that says nothing internal; the caller logs the full error. That
 * includes a MessageIdConflictError that survived the service's retry: a server-side failure the
 * client can only retry, not a conflict it caused. The errors a client caused are listed with
 * their status in `clientError`; one whose code the API does not answer with (AnsweredCode, each in
 * README) does not compile there.
 */
const clientError = (error: unknown) => {
  if (error instanceof ValidationError) return { status: 400, error };
  if (error instanceof PayloadTooLargeError) return { status: 413, error };
  if (error instanceof UnsupportedMediaTypeError) return { status: 415, error };
  return undefined;
};

export interface ErrorAnswer {
  readonly result: ApiResult;
  /** The answer's `code`, also named by the request's log line (instrument.ts). */
  readonly code: AnsweredCode;
}

export const errorAnswer = (error: unknown): ErrorAnswer => {
  const known = clientError(error);
  if (known) {
    const { message, code } = known.error;
    // Messages quote what the client sent (a board name, a query value, a piece of a body).
    return { result: jsonResult(known.status, { message: escapeControls(message), code }), code };
  }
  if (error instanceof StoreBusyError) {
    // Unavailable for now, and when to come back (RFC 9110, 15.6.4 and 10.2.3): the SDK's own retry
    // waited well under a second, so one second is a first step a client can take and back off from.
    const { message, code } = error;
    const result = jsonResult(503, { message, code });
    return { result: { ...result, headers: { ...result.headers, 'retry-after': '1' } }, code };
  }
  const code: AnsweredCode = 'INTERNAL_ERROR';
  return { result: jsonResult(500, { message: 'Internal Server Error', code }), code };
};
