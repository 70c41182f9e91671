/**
 * Lambda result -> HTTP response, as API Gateway does for payload format 2.0 (AWS docs, "Create
 * AWS Lambda proxy integrations for HTTP APIs in API Gateway", "Lambda function response for
 * format 2.0"):
 * - a result with `statusCode` is used as given: `headers` (less those about the connection, which
 *   are the gateway's), `cookies` (each becomes a `set-cookie` header), `body`, and
 *   `isBase64Encoded` (the body is decoded to bytes);
 * - any other valid JSON result is inferred: status 200, `content-type: application/json`, the
 *   result itself as the body (AWS knowledge center, "api-gateway-status-codes-http-api");
 * - a result API Gateway cannot use is its own 500 `{"message":"Internal Server Error"}` (AWS docs,
 *   "Troubleshooting issues with HTTP API Lambda integrations").
 */

import { validateHeaderName, validateHeaderValue } from 'node:http';

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** API Gateway's own error responses: `{"message": "..."}` with a JSON content type. */
export const gatewayError = (statusCode: number, message: string): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ message })),
});

export const internalServerError = () => gatewayError(500, 'Internal Server Error');

/** Lambda's synchronous invocation payload limit, request and response (AWS Lambda quotas). */
export const LAMBDA_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

/** Whether a payload, in UTF-8 as Lambda counts it, is over that limit. */
export const overLambdaPayloadLimit = (json: string): boolean =>
  // UTF-8 takes at most 3 bytes per UTF-16 unit: only a long payload needs its bytes counted.
  json.length > LAMBDA_PAYLOAD_LIMIT_BYTES / 3 && Buffer.byteLength(json) > LAMBDA_PAYLOAD_LIMIT_BYTES;

export type ResultOutcome =
  | { readonly ok: true; readonly response: HttpResponse }
  | { readonly ok: false; readonly reason: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Headers about the client's connection to the gateway, not the function's to decide: an
 * intermediary drops connection-specific fields (RFC 9110, 7.6.1), and HTTP APIs reserve them
 * (API Gateway Developer Guide, "Transform API requests and responses for HTTP APIs", "Reserved
 * headers"). Passed on, `transfer-encoding` beside the gateway's `content-length` would break the
 * answer's framing. `content-length` is the gateway's own too: it sets it from the body.
 */
const CONNECTION_HEADERS = new Set([
  'connection',
  'content-length',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Why a header cannot be sent as the function gave it (Node's own check), or undefined. */
const headerProblem = (name: string, value: string): string | undefined => {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return undefined;
  } catch (error) {
    return `header ${JSON.stringify(name.slice(0, 100))} cannot be sent: ${(error as Error).message}`;
  }
};

const headerValue = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined;

export const toHttpResponse = (result: unknown): ResultOutcome => {
  if (!isRecord(result) || !('statusCode' in result)) {
    // Inferred format: the whole result is the body.
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return {
      ok: true,
      response: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) },
    };
  }
  const { statusCode, headers, cookies, body, isBase64Encoded } = result;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 200 ||
    statusCode > 599
  ) {
    // A 1xx is never a final answer (RFC 9110, 15.2): sent as one, the client waits for another.
    return {
      ok: false,
      reason: `statusCode must be an integer from 200 to 599, got ${JSON.stringify(statusCode)}`,
    };
  }
  const out: Record<string, string | string[]> = {};
  if (headers !== undefined) {
    if (!isRecord(headers)) return { ok: false, reason: 'headers must be an object of strings' };
    for (const [name, value] of Object.entries(headers)) {
      const text = headerValue(value);
      if (text === undefined)
        return { ok: false, reason: `header ${name} must be a string, number or boolean` };
      const problem = headerProblem(name, text);
      if (problem !== undefined) return { ok: false, reason: problem };
      if (!CONNECTION_HEADERS.has(name.toLowerCase())) out[name.toLowerCase()] = text;
    }
  }
  if (cookies !== undefined) {
    if (!Array.isArray(cookies) || !cookies.every((cookie) => typeof cookie === 'string')) {
      return { ok: false, reason: 'cookies must be an array of strings' };
    }
    const problem = cookies.map((cookie) => headerProblem('set-cookie', cookie)).find(Boolean);
    if (problem !== undefined) return { ok: false, reason: problem };
    if (cookies.length > 0) out['set-cookie'] = cookies as string[];
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return {
      ok: false,
      reason: `body must be a string, got ${Array.isArray(body) ? 'an array' : typeof body}`,
    };
  }
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== 'boolean') {
    return { ok: false, reason: 'isBase64Encoded must be a boolean' };
  }
  const text = typeof body === 'string' ? body : '';
  return {
    ok: true,
    response: {
      statusCode,
      headers: out,
      body: isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text),
    },
  };
};
