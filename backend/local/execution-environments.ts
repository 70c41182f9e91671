/**
 * Lambda-like execution environments for one function, hosted in worker threads.
 *
 * Like Lambda (AWS docs, "Understanding the Lambda execution environment lifecycle" and "Lambda
 * function scaling"): an environment runs one invocation at a time and is reused while warm; when
 * every environment is busy a new one is created (a cold start: the bundle is loaded again); an
 * invocation that runs past the function's timeout, counted from when its environment starts it,
 * is stopped by discarding its environment, so a runaway handler (even a synchronous infinite
 * loop) cannot take the server down.
 *
 * Unlike Lambda, where each environment has CPUs of its own, environments here share this
 * machine's cores, and a thread apiece costs CPU on every invocation. So a worker thread hosts up
 * to `environmentsPerThread` environments, each its own copy of the function's modules
 * (runtime-worker.ts), side by side on the thread's event loop. What they share, and what that
 * changes:
 * - the library code. The local build puts it in chunks that every copy imports (build.ts), so
 *   the SDK and Powertools are loaded and optimised once per thread; each copy still creates its
 *   own objects from them (handler, Powertools objects, SDK client);
 * - the thread's `process.env` and `globalThis`. Each invocation's X-Ray trace header is in the
 *   InvokeStore (invoke-store.ts), as in Lambda's runtime for concurrent invocations, where
 *   Powertools and the X-Ray SDK read it; `process.env._X_AMZN_TRACE_ID` holds the header of the
 *   invocation that started last;
 * - the thread's time. An invocation's timeout counts from when its environment starts it, not
 *   from when it was handed to the thread, which may first finish its other environments' work
 *   (invocation-clock.ts);
 * - the thread's fate. Stopping an invocation that timed out, or a crash (`process.exit`, an
 *   uncaught exception), ends the thread: the invocations of the other environments in it end as
 *   crashes. (Ending only the environment of a handler that waits was tried: its code, abandoned
 *   in the shared thread, could still write, log, or loop and hold the thread for good.)
 * - the thread's memory. Its heap is bounded by the function's memory size, as one environment's
 *   is in Lambda, however many environments it hosts. V8 cannot unload a module, so an environment
 *   reclaimed while idle keeps its memory until its thread ends. A thread takes no new environment
 *   once it has hosted `environmentsPerThread`, and ends with the last of its environments.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { FunctionDefinition } from '../http/routes.ts';
import { createInvocationClock, InvocationClock } from './invocation-clock.ts';
import { createLogRing, LogRingReader, type LogStream } from './log-channel.ts';
import type { InitMessage, InvokeMessage, RuntimeMessage, RuntimeWorkerData } from './runtime-worker.ts';

export type InvocationOutcome =
  | { readonly kind: 'result'; readonly payload: string }
  | { readonly kind: 'error'; readonly errorType: string; readonly errorMessage: string }
  | { readonly kind: 'timeout'; readonly timeoutSeconds: number; readonly phase: 'init' | 'invoke' }
  | { readonly kind: 'crash'; readonly reason: string };

export interface EnvironmentEvents {
  /** A line the function wrote to stdout or stderr. */
  log(functionId: string, line: string, stream: 'stdout' | 'stderr'): void;
  coldStart(functionId: string, initMs: number): void;
}

export interface FunctionEnvironmentsOptions {
  readonly definition: FunctionDefinition;
  readonly runtimePath: string;
  readonly bundlePath: string;
  /** The environment variables every environment of this function starts with. */
  readonly variables: Readonly<Record<string, string>>;
  readonly region: string;
  /** Most environments at once; further invocations wait for one to be free. */
  readonly maxEnvironments: number;
  /**
   * Most environments a worker thread hosts in its life. Default 1 here, a thread each as in
   * Lambda; the local stack passes 16 unless `--thread-per-environment` (stack.ts).
   */
  readonly environmentsPerThread?: number;
  /** An environment idle this long is shut down, as Lambda reclaims idle environments. */
  readonly idleTimeoutMs: number;
  /** How long a function's init may take (Lambda's 10 s; shorter in tests). */
  readonly initLimitMs?: number;
  readonly events: EnvironmentEvents;
}

/** How often the lines of invocations still running are read (log-channel.ts). */
const LOG_DRAIN_MS = 50;

/**
 * "The Init phase is limited to 10 seconds. If all three tasks do not complete within 10 seconds,
 * Lambda retries the Init phase at the time of the first function invocation with the configured
 * function timeout" (Lambda Developer Guide, "Understanding the Lambda execution environment
 * lifecycle"). So an invocation waits for an init at most this plus the function's timeout.
 */
export const LAMBDA_INIT_LIMIT_MS = 10_000;

/** Why the other invocations of a thread end when one of them, or an init, times out. */
const ENDED_WITH_NEIGHBOUR =
  'its worker thread was ended to stop an init or invocation that timed out in another environment of ' +
  'the thread (npm start -- --thread-per-environment gives each environment a thread of its own)';
const SHUTTING_DOWN = 'the local stack is shutting down';

/** How often an invocation whose environment has not started it yet is looked at again. */
const NOT_STARTED_RECHECK_MS = 100;

interface Pending {
  readonly resolve: (outcome: InvocationOutcome) => void;
  /** Until the main thread looks at the invocation's time again (invocation-clock.ts). */
  timer: NodeJS.Timeout;
}

/** A worker thread and the environments it hosts. */
class Host {
  readonly worker: Worker;
  /** Environments started in this thread, alive or gone. */
  started = 0;
  readonly environments = new Map<number, Environment>();
  /** Invocations running in this thread, by id. */
  readonly pending = new Map<number, Pending>();
  dead = false;
  /** Reads what the functions wrote (log-channel.ts) and hands it on as lines. */
  readonly drainLogs: () => void;
  /** When its environments started and finished their invocations (invocation-clock.ts). */
  readonly clock: InvocationClock;

  constructor(options: FunctionEnvironmentsOptions, perThread: number, onExit: (host: Host) => void) {
    const { definition, runtimePath, bundlePath, variables, region, events } = options;
    const logRing = createLogRing();
    const clock = createInvocationClock(perThread);
    this.clock = new InvocationClock(clock);
    this.worker = new Worker(runtimePath, {
      workerData: {
        bundlePath,
        handlerName: definition.handler,
        functionName: definition.id,
        memorySize: definition.memorySize,
        region,
        logRing,
        clock,
      } satisfies RuntimeWorkerData,
      env: { ...variables },
      // Not the parent's flags: the parent may run under tsx, the function must not. Source maps
      // on, where the deployed functions map only the stacks they log
      // (backend/source-mapped-stack.ts): locally every stack trace should point at the sources,
      // and a cold start is rare.
      execArgv: ['--enable-source-maps'],
      stdout: true,
      stderr: true,
      // Lambda's memory size bounds the heap of an environment, and here of a thread, whatever the
      // number of environments in it: their own state is small, and V8 lets a heap grow the
      // further between collections the higher its limit. With 8 times the limit for 8
      // environments, the stack's resident memory swung by 80 MiB from one load round to the
      // next; with the one limit it stayed within 3%, at the same throughput.
      resourceLimits: { maxOldGenerationSizeMb: definition.memorySize },
    });
    const logTo = (stream: LogStream) => (line: string) => events.log(definition.id, line, stream);
    const lines = { stdout: lineSplitter(logTo('stdout')), stderr: lineSplitter(logTo('stderr')) };
    const reader = new LogRingReader(logRing);
    const toLines = (stream: LogStream, text: string) => lines[stream].push(text);
    this.drainLogs = () => reader.drain(toLines);
    // The runtime writes what the function writes into the ring (runtime-worker.ts); the worker's
    // streams carry only what bypasses it (writes before the runtime starts, native code).
    pipeLines(this.worker.stdout, logTo('stdout'));
    pipeLines(this.worker.stderr, logTo('stderr'));

    this.worker.on('message', (message: RuntimeMessage) => {
      // What was written before this message was sent comes first.
      this.drainLogs();
      switch (message.type) {
        case 'drain-logs':
          return;
        case 'ready':
          events.coldStart(definition.id, message.initMs);
          this.environments.get(message.environmentIndex)?.settleReady();
          return;
        case 'init-error':
          this.environments
            .get(message.environmentIndex)
            ?.settleReady(new Error(`${message.errorType}: ${message.errorMessage}`));
          return;
        default:
          this.settle(
            message.id,
            message.type === 'result'
              ? { kind: 'result', payload: message.payload }
              : { kind: 'error', errorType: message.errorType, errorMessage: message.errorMessage },
          );
      }
    });
    this.worker.on('error', (error) => this.fail(`${error.name}: ${error.message}`));
    this.worker.once('exit', (code) => {
      // The ring outlives the worker: the last lines of a crashed or stopped thread.
      this.drainLogs();
      lines.stdout.end();
      lines.stderr.end();
      this.fail(`the runtime exited with code ${code}`);
      onExit(this);
    });
  }

  startEnvironment(): Environment {
    const env = new Environment(this, this.started++);
    this.environments.set(env.index, env);
    this.worker.postMessage({ type: 'init', environmentIndex: env.index } satisfies InitMessage);
    return env;
  }

  settle(id: number, outcome: InvocationOutcome) {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }

  /** Ends what runs in this thread: its invocations with `reason`, and environments still starting. */
  fail(reason: string) {
    this.dead = true;
    for (const id of [...this.pending.keys()]) this.settle(id, { kind: 'crash', reason });
    for (const env of this.environments.values()) env.settleReady(new Error(reason));
  }
}

/** One copy of the function in a host's thread; one invocation at a time. */
class Environment {
  readonly ready: Promise<void>;
  readonly settleReady: (error?: Error) => void;
  /** Its init has finished: `ready` resolved. */
  initialised = false;
  lastUsed = Date.now();
  gone = false;

  constructor(
    readonly host: Host,
    readonly index: number,
  ) {
    let settle: (error?: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      settle = (error) => {
        if (error) reject(error);
        else {
          this.initialised = true;
          resolve();
        }
      };
    });
    this.ready.catch(() => undefined);
    this.settleReady = settle;
  }

  get dead(): boolean {
    return this.gone || this.host.dead;
  }
}

/** Cuts text that arrives in pieces into lines; `end` hands over an unfinished last line. */
const lineSplitter = (onLine: (line: string) => void) => {
  let rest = '';
  return {
    push(text: string) {
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        const line = rest + text.slice(start, end);
        rest = '';
        if (line.length > 0) onLine(line);
        start = end + 1;
      }
      rest += text.slice(start);
    },
    end() {
      if (rest.length > 0) onLine(rest);
      rest = '';
    },
  };
};

/** Splits a worker's stdout/stderr into lines without blocking either thread. */
const pipeLines = (stream: NodeJS.ReadableStream, onLine: (line: string) => void) => {
  const lines = lineSplitter(onLine);
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => lines.push(chunk));
  stream.on('end', () => lines.end());
};

export class FunctionEnvironments {
  readonly #options: FunctionEnvironmentsOptions;
  readonly #perThread: number;
  readonly #all = new Set<Environment>();
  readonly #hosts = new Set<Host>();
  /** Warm and free, most recently used last (reused first). */
  readonly #idle: Environment[] = [];
  /** Invocations waiting for a free environment; `undefined` when the stack shuts down. */
  readonly #waiting: Array<(env: Environment | undefined) => void> = [];
  readonly #reaper: NodeJS.Timeout;
  /** Shows what running invocations write while they run, not only when they end. */
  readonly #logDrainer: NodeJS.Timeout;
  #nextId = 1;
  #closed = false;
  readonly stats = { coldStarts: 0, invocations: 0, timeouts: 0, crashes: 0 };

  constructor(options: FunctionEnvironmentsOptions) {
    this.#options = options;
    this.#perThread = Math.max(1, options.environmentsPerThread ?? 1);
    this.#reaper = setInterval(() => this.#reapIdle(), Math.min(options.idleTimeoutMs, 30_000));
    this.#reaper.unref();
    this.#logDrainer = setInterval(() => {
      for (const host of this.#hosts) if (host.pending.size > 0) host.drainLogs();
    }, LOG_DRAIN_MS);
    this.#logDrainer.unref();
  }

  /** Environments alive now (warm, busy or starting). */
  get size(): number {
    return this.#all.size;
  }

  /** Worker threads alive now. */
  get threads(): number {
    return this.#hosts.size;
  }

  /**
   * Runs one invocation of `eventJson` (the event serialised once, as Lambda receives it) with the
   * trace header Lambda would give it. Its request id is Lambda's own, a UUID, not API Gateway's.
   */
  async invoke(eventJson: string, traceHeader: string): Promise<InvocationOutcome> {
    const shuttingDown: InvocationOutcome = { kind: 'crash', reason: SHUTTING_DOWN };
    if (this.#closed) return shuttingDown;
    this.stats.invocations++;
    const env = await this.#acquire();
    if (!env) return shuttingDown;
    const { timeout } = this.#options.definition;
    // A warm environment (most invocations) has nothing to wait for.
    if (!env.initialised) {
      const initLimitMs = (this.#options.initLimitMs ?? LAMBDA_INIT_LIMIT_MS) + timeout * 1000;
      let initTimer: NodeJS.Timeout | undefined;
      const initTimedOut = new Promise<true>((resolve) => {
        initTimer = setTimeout(() => resolve(true), initLimitMs);
      });
      try {
        if (await Promise.race([env.ready, initTimedOut])) {
          this.stats.timeouts++;
          env.host.fail(ENDED_WITH_NEIGHBOUR);
          this.#endHost(env.host);
          return { kind: 'timeout', timeoutSeconds: initLimitMs / 1000, phase: 'init' };
        }
      } catch (error) {
        this.#discard(env);
        // Closing rejects the environments still starting: no failure of the function's init, so
        // the invocation ends as the running ones do.
        if (this.#closed) return shuttingDown;
        return { kind: 'error', errorType: 'Runtime.InitError', errorMessage: (error as Error).message };
      } finally {
        clearTimeout(initTimer);
      }
    }
    if (env.dead) {
      this.#discard(env);
      return { kind: 'crash', reason: 'the execution environment stopped before the invocation' };
    }
    const { host } = env;
    const timeoutMs = timeout * 1000;
    const id = this.#nextId++;
    const outcome = await new Promise<InvocationOutcome>((resolve) => {
      // Looked at when the timeout could first be up, and again as long as it is not (nothing is
      // done per invocation otherwise). The time counts from when the environment started the
      // invocation, as in Lambda (invocation-clock.ts).
      const timeUp = () => {
        const pending = host.pending.get(id);
        if (!pending) return;
        // The result is on its way: this thread can run its timers before the message.
        if (host.clock.hasFinished(env.index, id)) return;
        const now = Date.now();
        const startedAt = host.clock.startedAt(env.index, id);
        // Not started: the thread is busy with its other environments, whose inits and
        // invocations have limits of their own (each ends the thread at its limit).
        if (startedAt === undefined || startedAt + timeoutMs > now) {
          pending.timer = setTimeout(
            timeUp,
            startedAt === undefined ? NOT_STARTED_RECHECK_MS : startedAt + timeoutMs - now,
          );
          return;
        }
        this.stats.timeouts++;
        host.settle(id, { kind: 'timeout', timeoutSeconds: timeout, phase: 'invoke' });
        // The only way to stop what runs in a thread is to end the thread: nothing of the
        // invocation runs after its timeout, as in Lambda, where the environment is reset.
        host.fail(ENDED_WITH_NEIGHBOUR);
        this.#endHost(host);
      };
      host.pending.set(id, { resolve, timer: setTimeout(timeUp, timeoutMs) });
      host.worker.postMessage({
        type: 'invoke',
        id,
        environmentIndex: env.index,
        event: eventJson,
        requestId: randomUUID(),
        timeoutMs,
        traceHeader,
      } satisfies InvokeMessage);
    });
    if (outcome.kind === 'crash') this.stats.crashes++;
    this.#release(env);
    return outcome;
  }

  async #acquire(): Promise<Environment | undefined> {
    const warm = this.#idle.pop();
    if (warm) return warm;
    if (this.#all.size < this.#options.maxEnvironments) return this.#create();
    return new Promise<Environment | undefined>((resolve) => this.#waiting.push(resolve));
  }

  #create(): Environment {
    this.stats.coldStarts++;
    let host: Host | undefined;
    for (const candidate of this.#hosts) {
      if (!candidate.dead && candidate.started < this.#perThread) {
        host = candidate;
        break;
      }
    }
    if (!host) {
      host = new Host(this.#options, this.#perThread, (exited) => this.#endHost(exited));
      this.#hosts.add(host);
    }
    const env = host.startEnvironment();
    this.#all.add(env);
    return env;
  }

  #release(env: Environment) {
    if (env.dead || !this.#all.has(env)) {
      this.#discard(env);
      return;
    }
    env.lastUsed = Date.now();
    const waiter = this.#waiting.shift();
    if (waiter) waiter(env);
    else this.#idle.push(env);
  }

  #discard(env: Environment) {
    env.gone = true;
    const wasMember = this.#all.delete(env);
    const idleIndex = this.#idle.indexOf(env);
    if (idleIndex !== -1) this.#idle.splice(idleIndex, 1);
    const { host } = env;
    host.environments.delete(env.index);
    // A thread ends with its last environment: what idle copies hold goes with it.
    if (host.environments.size === 0) this.#endHost(host);
    // Someone waiting for a free environment gets a new one in place of this.
    if (
      wasMember &&
      !this.#closed &&
      this.#waiting.length > 0 &&
      this.#all.size < this.#options.maxEnvironments
    ) {
      this.#waiting.shift()?.(this.#create());
    }
  }

  /** Ends a thread and every environment in it. */
  #endHost(host: Host) {
    if (!this.#hosts.delete(host)) return;
    host.dead = true;
    void host.worker.terminate();
    for (const env of [...host.environments.values()]) this.#discard(env);
  }

  #reapIdle() {
    const cutoff = Date.now() - this.#options.idleTimeoutMs;
    for (const env of [...this.#idle]) if (env.lastUsed < cutoff) this.#discard(env);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#reaper);
    clearInterval(this.#logDrainer);
    const hosts = [...this.#hosts];
    this.#hosts.clear();
    this.#all.clear();
    this.#idle.length = 0;
    for (const waiter of this.#waiting.splice(0)) waiter(undefined);
    for (const host of hosts) host.fail(SHUTTING_DOWN);
    await Promise.all(hosts.map((host) => host.worker.terminate()));
  }
}
