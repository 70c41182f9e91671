import {
  type AnsweredCode,
  PayloadTooLargeError,
  ValidationError,
  WhiteboardError,
} from '../domain/errors.ts';
import { type ApiResult, jsonResult } from './api-types.ts';

/**
 * The one place where errors become HTTP responses. Bodies have API Gateway's own error shape,
 * `{"message": "..."}` (e.g. its `{"message":"Not Found"}`), plus a stable `code` for programs.
 * Anything unexpected is a 500 that says nothing internal; the caller logs the full error. That
 * includes a MessageIdConflictError that survived the service's retry: a server-side failure the
 * client can only retry, not a conflict it caused.
 */
export const statusOf = (error: unknown): number => {
  if (error instanceof ValidationError) return 400;
  if (error instanceof PayloadTooLargeError) return 413;
  return 500;
};

export const errorResult = (error: unknown): ApiResult => {
  const statusCode = statusOf(error);
  if (statusCode === 500 || !(error instanceof WhiteboardError)) {
    return jsonResult(500, {
      message: 'Internal Server Error',
      code: 'INTERNAL_ERROR' satisfies AnsweredCode,
    });
  }
  return jsonResult(statusCode, { message: error.message, code: error.code });
};
