import type { MessageService } from '../domain/message-service.ts';
import { parseLimit, parseSince, validateNewMessage } from '../domain/validation.ts';
import { type Endpoint, jsonResult } from './api-types.ts';
import { boardOf, jsonBody, queryParam } from './request.ts';

/*
 * Why no router here: each function serves one operation (backend/http/routes.ts), and API
 * Gateway has already matched the route before the function runs (`event.routeKey`). Powertools'
 * event-handler `Router` was considered: it would match the path a second time, turn every event
 * into a Web `Request` and back (a cost on every request and at cold start), and its validation
 * middleware answers 422 where this contract answers 400. So an endpoint is a plain function, and
 * its errors are mapped in one place (error-response.ts).
 */

/** What an endpoint reports besides its response, for metrics and traces. */
export interface EndpointObserver {
  board(board: string): void;
  messagesRead(count: number): void;
  messagesPosted(count: number): void;
}

/** GET /messages, GET /boards/{board}/messages: validate at the edge, then one domain call. */
export const readMessagesEndpoint =
  (service: MessageService, observe: EndpointObserver): Endpoint =>
  async (event) => {
    const board = boardOf(event);
    observe.board(board);
    const page = await service.list(board, {
      limit: parseLimit(queryParam(event, 'limit')),
      cursor: queryParam(event, 'cursor'),
      since: parseSince(queryParam(event, 'since')),
    });
    observe.messagesRead(page.messages.length);
    return jsonResult(200, page);
  };

/** POST /messages, POST /boards/{board}/messages. */
export const postMessageEndpoint =
  (service: MessageService, observe: EndpointObserver): Endpoint =>
  async (event) => {
    const board = boardOf(event);
    observe.board(board);
    const input = validateNewMessage(jsonBody(event));
    const message = await service.post(board, input);
    observe.messagesPosted(1);
    return jsonResult(201, message);
  };
