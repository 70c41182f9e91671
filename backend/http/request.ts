import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../domain/errors.ts';
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
 * Whether a Content-Type declares JSON: `application/json` or a `+json` type, whatever its
 * parameters (`charset`). Only a body so declared is read. The types a web page may send to another
 * site without the browser asking that site first (a CORS "simple request": text/plain and form
 * data) are not JSON, so a page of an origin the API's CORS settings leave out cannot post through
 * its visitors' browsers either ("reject requests containing unexpected or missing content type
 * headers with HTTP response status 415 Unsupported Media Type": OWASP REST Security Cheat Sheet,
 * "Validate content types"). Payload format 2.0 gives header names in lower case and joins a
 * repeated header's values with commas, which no JSON type matches.
 */
const declaresJson = (contentType: string | undefined): boolean => {
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
};

/**
 * Why a body declared as JSON cannot be read, if it cannot. "JSON text exchanged between systems
 * that are not part of a closed ecosystem MUST be encoded using UTF-8" (RFC 8259, section 8.1), so
 * a charset other than UTF-8 (or ASCII, a part of it) is refused, as is a Content-Encoding other
 * than `identity`: "An origin server MAY respond with a status code of 415 (Unsupported Media Type)
 * if a representation in the request message has a content coding that is not acceptable" (RFC
 * 9110, section 8.4). Both were answered as a body that is not valid UTF-8 or JSON.
 */
const unreadable = (
  event: ApiEvent,
  contentType: string | undefined,
): UnsupportedMediaTypeError | undefined => {
  const coding = event.headers?.['content-encoding']?.trim();
  if (coding !== undefined && coding !== '' && coding.toLowerCase() !== 'identity') {
    return new UnsupportedMediaTypeError(contentType, { contentEncoding: coding });
  }
  const charset = /;\s*charset\s*=\s*"?([^";]*)"?/i.exec(contentType ?? '')?.[1]?.trim();
  if (charset !== undefined && !/^(?:utf-?8|us-ascii)$/i.test(charset)) {
    return new UnsupportedMediaTypeError(contentType, { charset });
  }
  return undefined;
};

/**
 * The request body parsed as JSON. API Gateway base64-encodes bodies it treats as binary
 * (`isBase64Encoded`), so decode first; then enforce the size limit on the real bytes.
 */
export const jsonBody = (event: ApiEvent): unknown => {
  const raw = event.body ?? '';
  // A request without a body declares no type: it is told that the body is missing (below).
  const contentType = event.headers?.['content-type'];
  if (raw.length > 0 && !declaresJson(contentType)) throw new UnsupportedMediaTypeError(contentType);
  const refused = raw.length > 0 ? unreadable(event, contentType) : undefined;
  if (refused) throw refused;
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
    // V8's message quotes the body around the fault, cut in UTF-16 units: perhaps in the middle of
    // an emoji's surrogate pair, which a strict JSON parser of the answer would refuse.
    const reason = (error as Error).message.toWellFormed();
    throw new ValidationError('INVALID_JSON', `request body is not valid JSON: ${reason}`);
  }
};
