import { PayloadTooLargeError, ValidationError } from '../domain/errors.ts';
import { DEFAULT_BOARD } from '../domain/message.ts';
import { limits, validateBoard } from '../domain/validation.ts';
import type { ApiEvent } from './api-types.ts';

/** The board a request is about: `{board}` from the path, or the default board for `/messages`. */
export const boardOf = (event: ApiEvent): string =>
  validateBoard(event.pathParameters?.board ?? DEFAULT_BOARD);

/** A query string parameter; repeated keys arrive comma-joined (payload format 2.0) and fail validation. */
export const queryParam = (event: ApiEvent, name: string): string | undefined =>
  event.queryStringParameters?.[name];

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request body parsed as JSON. API Gateway base64-encodes bodies it treats as binary
 * (`isBase64Encoded`), so decode first; then enforce the size limit on the real bytes.
 */
export const jsonBody = (event: ApiEvent): unknown => {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : undefined;
  const size = bytes ? bytes.length : Buffer.byteLength(raw, 'utf8');
  if (size > limits.bodyMaxBytes) throw new PayloadTooLargeError(limits.bodyMaxBytes, size);
  let text = raw;
  if (bytes) {
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      throw new ValidationError('INVALID_JSON', 'request body is not valid UTF-8');
    }
  }
  // A leading byte order mark is not JSON, and no client should send one, but a parser may ignore
  // it (RFC 8259, section 8.1); the decoder above already drops it from a base64 body.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim().length === 0) {
    throw new ValidationError(
      'INVALID_JSON',
      'request body is empty: send a JSON object {"author": ..., "text": ...}',
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError('INVALID_JSON', `request body is not valid JSON: ${(error as Error).message}`);
  }
};
