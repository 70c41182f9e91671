/**
 * API Gateway HTTP API (payload format 2.0) events for our routes, and Lambda contexts, for the
 * unit, integration and infra tests and the bench alike. Each event starts from a real event
 * captured from an HTTP API (test/fixtures/apigw-http, origins in its README), so every field a
 * handler might read has the shape and casing API Gateway really sends.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import type { ApiEvent } from '../../backend/http/api-types.ts';
import { type HttpMethod, routeKey, routes } from '../../backend/http/routes.ts';
import { invocationContext } from '../../backend/local/lambda-context.ts';

/** The captured events an event may start from. */
export type CapturedEvent = 'post-with-json-body.json' | 'curl-get-default-route.json' | 'no-auth.json';

const captured = new Map<CapturedEvent, ApiEvent>();
const capturedEvent = (name: CapturedEvent): ApiEvent => {
  let event = captured.get(name);
  if (event === undefined) {
    const file = new URL(`../fixtures/apigw-http/${name}`, import.meta.url);
    event = JSON.parse(readFileSync(file, 'utf8')) as ApiEvent;
    captured.set(name, event);
  }
  return structuredClone(event);
};

export interface EventOptions {
  readonly method?: HttpMethod;
  /** The route's path as routes.ts declares it; `/messages`, or the board's route with `board`. */
  readonly path?: string;
  /** The `{board}` path parameter (the board's route unless `path` says otherwise). */
  readonly board?: string | undefined;
  /** Path parameters besides `board`, by the names in the route's path. */
  readonly pathParameters?: Readonly<Record<string, string>>;
  /** Query string parameters as API Gateway delivers them (repeated keys already comma-joined). */
  readonly query?: Readonly<Record<string, string>> | undefined;
  /** The raw body as API Gateway puts it in the event (base64 when `isBase64Encoded`). */
  readonly body?: string | undefined;
  readonly isBase64Encoded?: boolean;
  /** `requestContext.requestId`; a fresh one when absent. */
  readonly requestId?: string;
  /** The captured event to start from: a POST with a JSON body unless told. */
  readonly from?: CapturedEvent;
}

/** A payload 2.0 event for one of the API's routes (it fails for a route the API does not have). */
export const apiEvent = ({
  method = 'GET',
  board,
  path = board === undefined ? '/messages' : '/boards/{board}/messages',
  pathParameters: otherParameters = {},
  query,
  body,
  isBase64Encoded = false,
  requestId = `${randomUUID().replaceAll('-', '').slice(0, 14)}=`,
  from = 'post-with-json-body.json',
}: EventOptions = {}): ApiEvent => {
  const event = capturedEvent(from);
  if (!routes.some((route) => route.method === method && route.path === path))
    throw new Error(`${method} ${path} is not one of the API's routes`);
  const parameters: Record<string, string> = { ...otherParameters };
  if (board !== undefined) parameters.board = board;
  // Decoded, as an HTTP API hands the path over (backend/local/event.ts).
  const used = new Set<string>();
  const rawPath = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = parameters[name];
    if (value === undefined) throw new Error(`${method} ${path} needs the path parameter ${name}`);
    used.add(name);
    return value;
  });
  // API Gateway sends only the route's own parameters: another would be a typo in the test.
  const unused = Object.keys(parameters).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`${method} ${path} has no path parameter ${unused.join(', ')}`);
  const key = routeKey({ method, path });

  event.routeKey = key;
  event.rawPath = rawPath;
  event.rawQueryString = query === undefined ? '' : new URLSearchParams(query).toString();
  // A real HTTP API leaves these keys out when there is nothing to put in them.
  if (Object.keys(parameters).length === 0) delete event.pathParameters;
  else event.pathParameters = parameters;
  if (query === undefined) delete event.queryStringParameters;
  else event.queryStringParameters = { ...query };
  if (body === undefined) delete event.body;
  else event.body = body;
  event.isBase64Encoded = isBase64Encoded;

  // API Gateway sends a content-length, 0 without a body (curl-get-default-route.json).
  const contentLength =
    body === undefined ? 0 : isBase64Encoded ? Buffer.from(body, 'base64').length : Buffer.byteLength(body);
  event.headers = { ...event.headers, 'content-length': String(contentLength) };
  if (body !== undefined) event.headers['content-type'] = 'application/json';
  else delete event.headers['content-type'];

  event.requestContext = {
    ...event.requestContext,
    routeKey: key,
    requestId,
    timeEpoch: Date.now(),
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
