/**
 * Real API Gateway HTTP API events (test/fixtures/apigw-http, captured from real APIs) turned
 * into requests to our routes: the curl GET of the $default route as `GET /messages`, the POST
 * with a JSON body as `POST /messages` with a message as its body.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ApiEvent } from '../../backend/http/api-types.ts';
import { repoRoot } from './processes.ts';

const fixture = (name: string): ApiEvent =>
  JSON.parse(readFileSync(resolve(repoRoot, 'test/fixtures/apigw-http', name), 'utf8')) as ApiEvent;

const onRoute = (event: ApiEvent, method: 'GET' | 'POST'): ApiEvent => {
  const routeKey = `${method} /messages`;
  event.routeKey = routeKey;
  event.rawPath = '/messages';
  event.requestContext = {
    ...event.requestContext,
    routeKey,
    requestId: `${randomBytes(10).toString('base64url')}=`,
    timeEpoch: Date.now(),
    http: { ...event.requestContext.http, method, path: '/messages' },
  };
  return event;
};

export const getMessagesEvent = (): ApiEvent => onRoute(fixture('curl-get-default-route.json'), 'GET');

export const postMessageEvent = (author = 'bench', text = 'A short message from the benchmark'): ApiEvent => {
  const event = onRoute(fixture('post-with-json-body.json'), 'POST');
  event.body = JSON.stringify({ author, text });
  event.headers = {
    ...event.headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(event.body)),
  };
  return event;
};
