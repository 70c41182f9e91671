/**
 * API Gateway HTTP API (payload format 2.0) events and Lambda contexts for unit tests, built on a
 * real event captured from an HTTP API (test/fixtures/apigw-http/post-with-json-body.json) so
 * every field a handler might read has the shape and casing API Gateway really sends.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import type { ApiEvent } from '../../../backend/http/api-types.ts';
import { type HttpMethod, routeKey } from '../../../backend/http/routes.ts';
import { invocationContext } from '../../../backend/local/lambda-context.ts';

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/apigw-http/post-with-json-body.json', import.meta.url), 'utf8'),
) as ApiEvent;

export interface EventOptions {
  readonly method?: HttpMethod;
  /** The `{board}` path parameter; absent means the `/messages` route (the default board). */
  readonly board?: string | undefined;
  /** Query string parameters as API Gateway delivers them (repeated keys already comma-joined). */
  readonly query?: Readonly<Record<string, string>> | undefined;
  /** The raw body as API Gateway puts it in the event (base64 when `isBase64Encoded`). */
  readonly body?: string | undefined;
  readonly isBase64Encoded?: boolean;
  /** `requestContext.requestId`; a fresh one when absent. */
  readonly requestId?: string;
}

/** A payload 2.0 event for one of the API's routes. */
export const apiEvent = ({
  method = 'GET',
  board,
  query,
  body,
  isBase64Encoded = false,
  requestId = `${randomUUID().replaceAll('-', '').slice(0, 14)}=`,
}: EventOptions = {}): ApiEvent => {
  const event = structuredClone(fixture);
  const path = board === undefined ? '/messages' : '/boards/{board}/messages';
  // Decoded, as an HTTP API hands the path over (backend/local/event.ts).
  const rawPath = board === undefined ? '/messages' : `/boards/${board}/messages`;
  const key = routeKey({ method, path });

  event.routeKey = key;
  event.rawPath = rawPath;
  event.rawQueryString = query === undefined ? '' : new URLSearchParams(query).toString();
  // A real HTTP API leaves these keys out when there is nothing to put in them.
  if (board === undefined) delete event.pathParameters;
  else event.pathParameters = { board };
  if (query === undefined) delete event.queryStringParameters;
  else event.queryStringParameters = { ...query };
  if (body === undefined) delete event.body;
  else event.body = body;
  event.isBase64Encoded = isBase64Encoded;

  const contentLength =
    body === undefined ? 0 : isBase64Encoded ? Buffer.from(body, 'base64').length : Buffer.byteLength(body);
  event.headers = { ...event.headers, 'content-length': String(contentLength) };
  if (body !== undefined) event.headers['content-type'] = 'application/json';
  else delete event.headers['content-type'];

  event.requestContext = {
    ...event.requestContext,
    routeKey: key,
    requestId,
    http: { ...event.requestContext.http, method, path: rawPath },
  };
  return event;
};

/** A POST with a JSON body (anything JSON.stringify accepts). */
export const postEvent = (body: unknown, options: Omit<EventOptions, 'method' | 'body'> = {}): ApiEvent =>
  apiEvent({ ...options, method: 'POST', body: JSON.stringify(body) });

/** A Lambda context with every field the runtime sets, as the local runtime fills it. */
export const lambdaContext = (overrides: Partial<Context> = {}): Context => ({
  ...invocationContext({
    functionName: overrides.functionName ?? 'whiteboard-PostMessage',
    memorySize: 256,
    region: 'eu-west-1',
    requestId: randomUUID(),
    deadlineMs: Date.now() + 5000,
    logStreamName: '2024/06/17/[$LATEST]0123456789abcdef0123456789abcdef',
  }),
  ...overrides,
});
