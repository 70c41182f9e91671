/**
 * The runtime of a worker thread that hosts execution environments of one function. Each
 * environment is its own copy of the function: the bundle's entry module imported under a URL of
 * its own, so evaluated afresh (the init phase, a cold start), with its own handler, Powertools
 * objects and SDK client. The main thread (execution-environments.ts) gives each environment one
 * invocation at a time, like the Lambda Node.js runtime; several environments of a thread run
 * theirs side by side on its event loop. The code the entry imports from the bundle's chunks (all
 * the library code: build.ts) is one instance that the copies share: it holds no per-environment
 * state.
 *
 * Why copies in a thread and not a thread each: on a machine with few cores, every thread more
 * costs CPU on every invocation, where a copy costs little (npm run bench, "4 copies, 1 thread"
 * against "4 copies, 4 threads"; docs/performance-history.md).
 *
 * The result goes back JSON-serialised, as Lambda serialises it, so a result that only works
 * in-process (a function, a cycle) fails here as it would in AWS.
 *
 * Bundled by backend/local/build.ts; it runs without tsx.
 */

import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';
import { InvocationClock, type InvocationClockData } from './invocation-clock.ts';
import { installInvokeStore } from './invoke-store.ts';
import { invocationContext, newLogStreamName } from './lambda-context.ts';
import { LogRingWriter } from './log-channel.ts';

export interface RuntimeWorkerData {
  readonly bundlePath: string;
  readonly handlerName: string;
  readonly functionName: string;
  readonly memorySize: number;
  readonly region: string;
  /** Shared memory for what the function writes to stdout and stderr (log-channel.ts). */
  readonly logRing: SharedArrayBuffer;
  /** Shared memory for when invocations start and finish (invocation-clock.ts). */
  readonly clock: InvocationClockData;
}

/** Start environment `environmentIndex`: load another copy of the function (a cold start). */
export interface InitMessage {
  readonly type: 'init';
  readonly environmentIndex: number;
}

export interface InvokeMessage {
  readonly type: 'invoke';
  readonly id: number;
  /** The environment that runs it; it runs nothing else until this one ends. */
  readonly environmentIndex: number;
  /**
   * The event as JSON, serialised once by the gateway: the Lambda runtime, too, receives the
   * event as a JSON document and parses it for the handler. A string crosses to the worker as a
   * copy of its bytes, where an object would be walked and rebuilt field by field.
   */
  readonly event: string;
  readonly requestId: string;
  /** The function's timeout: the invocation's deadline is this long after it starts here. */
  readonly timeoutMs: number;
  readonly traceHeader: string;
}

export type RuntimeMessage =
  | { readonly type: 'ready'; readonly environmentIndex: number; readonly initMs: number }
  /** The shared log ring is full: read it (log-channel.ts). */
  | { readonly type: 'drain-logs' }
  | {
      readonly type: 'init-error';
      readonly environmentIndex: number;
      readonly errorType: string;
      readonly errorMessage: string;
    }
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

// Each invocation's request id and X-Ray trace header, where Powertools and aws-xray-sdk-core read
// them before `_X_AMZN_TRACE_ID`, which environments sharing this thread's `process.env` cannot
// each hold (invoke-store.ts).
// Tracing locally (the real Tracer, not yet run here) will need a thread per environment: the
// copies share the one aws-xray-sdk-core of the bundle's chunk, and with it its Lambda facade
// segment, so concurrent invocations' subsegments land in each other's traces (tried: 8 of 8
// DynamoDB subsegments under the last trace). AWS_LAMBDA_MAX_CONCURRENCY, Powertools' Managed
// Instances mode, is no way out: there Powertools Tracer keeps each invocation's active segment in
// the InvokeStore, but not the Lambda facade segment, which aws-xray-sdk-core keeps once per
// loaded copy, so once for all the environments of a thread (Powertools 2.36, tracer's
// ProviderService.getSegment).
const invokeStore = installInvokeStore();
const { REQUEST_ID, X_RAY_TRACE_ID } = InvokeStoreBase.PROTECTED_KEYS;

interface LoadedEnvironment {
  readonly handler: Handler;
  readonly logStreamName: string;
}

const environments = new Map<number, LoadedEnvironment>();
const bundleUrl = pathToFileURL(data.bundlePath).href;

const startEnvironment = async ({ environmentIndex }: InitMessage) => {
  const started = performance.now();
  try {
    // A URL of its own makes the import evaluate the entry module again: a fresh copy of the
    // function's own modules. The chunks it imports (the libraries: build.ts) are evaluated once.
    const module = (await import(`${bundleUrl}?environment=${environmentIndex}`)) as Record<string, unknown>;
    const handler = module[data.handlerName];
    if (typeof handler !== 'function') {
      throw Object.assign(
        new Error(`${data.bundlePath} does not export a function named ${data.handlerName}`),
        { name: 'Runtime.HandlerNotFound' },
      );
    }
    environments.set(environmentIndex, {
      handler: handler as Handler,
      logStreamName: newLogStreamName(),
    });
    port.postMessage({
      type: 'ready',
      environmentIndex,
      initMs: performance.now() - started,
    } satisfies RuntimeMessage);
  } catch (error) {
    console.error(error);
    port.postMessage({
      type: 'init-error',
      environmentIndex,
      ...describeError(error),
    } satisfies RuntimeMessage);
  }
};

const clock = new InvocationClock(data.clock);

const invoke = async (message: InvokeMessage) => {
  // The function's time starts now, when this environment starts the invocation (the thread may
  // have been busy with its other environments until now).
  const startedAt = Date.now();
  clock.started(message.environmentIndex, message.id, startedAt);
  // Lambda sets the trace header of each invocation in the environment (AWS docs, "Defined
  // runtime environment variables": _X_AMZN_TRACE_ID). Environments in this thread share
  // `process.env`: it holds the header of the invocation that started last, and the InvokeStore
  // holds each invocation's own.
  process.env._X_AMZN_TRACE_ID = message.traceHeader;
  const loaded = environments.get(message.environmentIndex);
  try {
    if (!loaded) throw new Error(`environment ${message.environmentIndex} is not started`);
    const context = invocationContext({
      functionName: data.functionName,
      memorySize: data.memorySize,
      region: data.region,
      requestId: message.requestId,
      deadlineMs: startedAt + message.timeoutMs,
      logStreamName: loaded.logStreamName,
    });
    const result = await invokeStore.run(
      { [REQUEST_ID]: message.requestId, [X_RAY_TRACE_ID]: message.traceHeader },
      () => loaded.handler(JSON.parse(message.event), context),
    );
    // Serialised first: a result's toJSON is the function's own code, which still has its time.
    const payload = JSON.stringify(result) ?? 'null';
    clock.finished(message.environmentIndex, message.id);
    port.postMessage({ type: 'result', id: message.id, payload } satisfies RuntimeMessage);
  } catch (error) {
    // What the Lambda runtime logs for a failed invocation.
    console.error(`${new Date().toISOString()}\t${message.requestId}\tERROR\tInvoke Error`, error);
    const described = describeError(error);
    clock.finished(message.environmentIndex, message.id);
    port.postMessage({ type: 'error', id: message.id, ...described } satisfies RuntimeMessage);
  }
};

port.on('message', (message: InitMessage | InvokeMessage) => {
  if (message.type === 'init') void startEnvironment(message);
  else void invoke(message);
});
