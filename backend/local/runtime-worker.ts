/**
 * The runtime inside one local execution environment (a worker thread): it loads the function's
 * bundle once (the init phase, a cold start) and then runs one invocation at a time, like the
 * Lambda Node.js runtime. The result goes back JSON-serialised, as Lambda serialises it, so a
 * result that only works in-process (a function, a cycle) fails here as it would in AWS.
 *
 * Bundled by backend/local/build.ts; it runs without tsx.
 */

import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import { invocationContext } from './lambda-context.ts';
import { LogRingWriter } from './log-channel.ts';

export interface RuntimeWorkerData {
  readonly bundlePath: string;
  readonly handlerName: string;
  readonly functionName: string;
  readonly memorySize: number;
  readonly region: string;
  /** Shared memory for what the function writes to stdout and stderr (log-channel.ts). */
  readonly logRing: SharedArrayBuffer;
}

export interface InvokeMessage {
  readonly id: number;
  /**
   * The event as JSON, serialised once by the gateway: the Lambda runtime, too, receives the
   * event as a JSON document and parses it for the handler. A string crosses to the worker as a
   * copy of its bytes, where an object would be walked and rebuilt field by field.
   */
  readonly event: string;
  readonly requestId: string;
  readonly deadlineMs: number;
  readonly traceId: string;
}

export type RuntimeMessage =
  | { readonly type: 'ready'; readonly initMs: number }
  /** The shared log ring is full: read it (log-channel.ts). */
  | { readonly type: 'drain-logs' }
  | { readonly type: 'init-error'; readonly errorType: string; readonly errorMessage: string }
  | { readonly type: 'result'; readonly id: number; readonly payload: string }
  | {
      readonly type: 'error';
      readonly id: number;
      readonly errorType: string;
      readonly errorMessage: string;
    };

const data = workerData as RuntimeWorkerData;
const port = parentPort;
if (!port) throw new Error('runtime-worker must run in a worker thread');

const describeError = (error: unknown) => ({
  errorType: error instanceof Error ? error.name : 'Error',
  errorMessage: error instanceof Error ? error.message : String(error),
});

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * The function's stdout and stderr go to the main thread through shared memory (log-channel.ts),
 * not through the worker's stdio streams: those cost a round of stream machinery on both threads
 * for every write and arrive on another port, in no fixed order with the result. Each write is in
 * the shared ring as soon as it returns, so a line written just before a handler hangs or exits
 * is not lost; a write waits while the ring is full, as a write to a full pipe would. Console
 * (Powertools' too) calls `stream.write`, so replacing `write` on the two streams catches every
 * line.
 */
const logRing = new LogRingWriter(data.logRing, () =>
  port.postMessage({ type: 'drain-logs' } satisfies RuntimeMessage),
);
for (const name of ['stdout', 'stderr'] as const) {
  const stream = process[name];
  stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : Buffer.from(chunk as Uint8Array).toString(
            typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
          );
    logRing.write(name, text);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  }) as typeof stream.write;
}

const started = performance.now();
const handlerReady: Promise<Handler> = import(pathToFileURL(data.bundlePath).href).then((module) => {
  const handler = (module as Record<string, unknown>)[data.handlerName];
  if (typeof handler !== 'function') {
    throw Object.assign(
      new Error(`${data.bundlePath} does not export a function named ${data.handlerName}`),
      {
        name: 'Runtime.HandlerNotFound',
      },
    );
  }
  return handler as Handler;
});
handlerReady.then(
  () => port.postMessage({ type: 'ready', initMs: performance.now() - started } satisfies RuntimeMessage),
  (error: unknown) => {
    console.error(error);
    port.postMessage({ type: 'init-error', ...describeError(error) } satisfies RuntimeMessage);
  },
);

const logStreamName = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${Math.random().toString(16).slice(2)}`;

port.on('message', async (message: InvokeMessage) => {
  // Lambda sets the trace header of each invocation in the environment (AWS docs, "Defined
  // runtime environment variables": _X_AMZN_TRACE_ID). process.env is this worker's own copy.
  process.env._X_AMZN_TRACE_ID = message.traceId;
  const context = invocationContext({
    functionName: data.functionName,
    memorySize: data.memorySize,
    region: data.region,
    requestId: message.requestId,
    deadlineMs: message.deadlineMs,
    logStreamName,
  });
  try {
    const handler = await handlerReady;
    const result = await handler(JSON.parse(message.event), context);
    port.postMessage({
      type: 'result',
      id: message.id,
      payload: JSON.stringify(result) ?? 'null',
    } satisfies RuntimeMessage);
  } catch (error) {
    // What the Lambda runtime logs for a failed invocation.
    console.error(`${new Date().toISOString()}\t${message.requestId}\tERROR\tInvoke Error`, error);
    port.postMessage({ type: 'error', id: message.id, ...describeError(error) } satisfies RuntimeMessage);
  }
});
