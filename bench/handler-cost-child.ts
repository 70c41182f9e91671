/**
 * Figure 3, run in a child process of its own (handler-cost.ts): the handlers as they ship
 * (backend/handlers: instrument, Powertools from powertools.ts, endpoints, validation, service) on
 * the in-memory repository, against bare handlers that return the same JSON from the same
 * repository with no routing, validation or Powertools. Times every warm invocation, alternating
 * blocks of the two so a noisy moment hits both. Powertools writes its log and EMF lines to this
 * process's stdout, a pipe the parent drains, as a terminal or Lambda's log pipe would.
 */
import type { Context } from 'aws-lambda';
import { InMemoryMessageRepository } from '../backend/adapters/in-memory-message-repository.ts';
import { encodeCursor } from '../backend/domain/cursor.ts';
import { messageIdMaker } from '../backend/domain/message.ts';
import { createMessageService } from '../backend/domain/message-service.ts';
import { instrument, observer } from '../backend/handlers/instrument.ts';
import * as powertools from '../backend/handlers/powertools.ts';
import type { ApiEvent, ApiResult } from '../backend/http/api-types.ts';
import { postMessageEndpoint, readMessagesEndpoint } from '../backend/http/endpoints.ts';
import { functions } from '../backend/http/routes.ts';
import { bareMessage, FLOOR_HEADERS } from './floor/floor-call.ts';
import { getMessagesEvent, postMessageEvent } from './lib/events.ts';
import { benchContext } from './lib/lambda-context.ts';
import { percentile } from './lib/stats.ts';

export interface HandlerCostRequest {
  readonly invocations: number;
  readonly warmup: number;
}

export interface TimedHandler {
  readonly p50Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
}

export interface HandlerCostReport {
  readonly method: 'GET' | 'POST';
  readonly invocations: number;
  readonly ours: TimedHandler;
  readonly bare: TimedHandler;
}

type Handler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

const context = benchContext(functions.readMessages);

/** A fresh repository (a board of 5 messages), and one handler of one method on it. */
const setUp = async (method: 'GET' | 'POST', name: 'ours' | 'bare'): Promise<Handler> => {
  const repository = new InMemoryMessageRepository();
  const newId = messageIdMaker();
  const service = createMessageService({ repository, newId });
  for (let i = 0; i < 5; i++) await service.post('default', { author: 'seed', text: `seed ${i}` });
  if (name === 'ours') {
    const endpoint = method === 'GET' ? readMessagesEndpoint : postMessageEndpoint;
    return instrument(powertools, endpoint(service, observer(powertools)));
  }
  if (method === 'GET') {
    return async () => {
      const { messages, lastId } = await repository.list('default', { limit: 3 });
      return {
        statusCode: 200,
        headers: { ...FLOOR_HEADERS },
        body: JSON.stringify({
          messages,
          nextCursor: lastId === undefined ? null : encodeCursor('default', lastId),
        }),
      };
    };
  }
  return async (event) => {
    const message = bareMessage(newId, 'default', event.body ?? '');
    await repository.put(message);
    return { statusCode: 201, headers: { ...FLOOR_HEADERS }, body: JSON.stringify(message) };
  };
};

// Posts grow the in-memory board (and its sort); a fresh one for each handler's block keeps it
// small, and the same size for both.
const BLOCK = 250;

const measure = async (method: 'GET' | 'POST', request: HandlerCostRequest): Promise<HandlerCostReport> => {
  const event = method === 'GET' ? getMessagesEvent() : postMessageEvent();
  const times = { ours: [] as number[], bare: [] as number[] };
  const total = request.warmup + request.invocations;
  for (let done = 0, block = 0; done < total; done += BLOCK, block++) {
    // Alternate which goes first in each pair of blocks.
    const order = block % 2 === 0 ? (['ours', 'bare'] as const) : (['bare', 'ours'] as const);
    for (const name of order) {
      const handler = await setUp(method, name);
      for (let i = 0; i < BLOCK; i++) {
        const started = performance.now();
        const result = await handler(event, context);
        const elapsed = performance.now() - started;
        if (result.statusCode >= 300)
          throw new Error(`${name} ${method} answered ${result.statusCode}: ${result.body}`);
        if (done >= request.warmup) times[name].push(elapsed * 1000);
      }
    }
  }
  const summary = (values: number[]): TimedHandler => ({
    p50Us: percentile(values, 50),
    p99Us: percentile(values, 99),
    meanUs: values.reduce((sum, value) => sum + value, 0) / values.length,
  });
  return { method, invocations: times.ours.length, ours: summary(times.ours), bare: summary(times.bare) };
};

// The bench went away (a fork's IPC channel closes with its parent): no one will read the figures.
process.once('disconnect', () => process.exit(1));
process.once('message', async (request: HandlerCostRequest) => {
  try {
    const reports = [await measure('GET', request), await measure('POST', request)];
    process.send?.({ reports }, () => process.exit(0));
  } catch (error) {
    process.send?.({ error: (error as Error).stack ?? String(error) }, () => process.exit(1));
  }
});
