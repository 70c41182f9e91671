/**
 * The events the bench sends, built as the tests build theirs (test/helpers/api-events.ts) on
 * real API Gateway HTTP API events: the curl GET of a `$default` route as `GET /messages`, the
 * POST with a JSON body as `POST /messages` with a message as its body.
 */
import type { ApiEvent } from '../../backend/http/api-types.ts';
import { apiEvent, postEvent } from '../../test/helpers/api-events.ts';

export const getMessagesEvent = (): ApiEvent => apiEvent({ from: 'curl-get-default-route.json' });

export const postMessageEvent = (author = 'bench', text = 'A short message from the benchmark'): ApiEvent =>
  postEvent({ author, text });
