/**
 * When each environment of a worker thread started and finished its invocations, in shared
 * memory, written by the thread's runtime (runtime-worker.ts) and read by the main thread
 * (execution-environments.ts) only when an invocation's time may be up. So the main thread times an
 * invocation as Lambda does, from the moment its environment starts it: until then the thread may
 * be busy with its other environments, whose inits and invocations have limits of their own, and
 * in Lambda each environment has CPUs of its own ("Lambda function timeout": the time an invocation
 * may run). And it tells an invocation that finished, whose result is still on its way, from one
 * that timed out.
 *
 * Also a heartbeat: the runtime writes the time every HEARTBEAT_MS while its event loop turns. A
 * handler that timed out while its thread still turns is waiting (on DynamoDB, say): only its
 * environment is ended, as in Lambda. One whose thread stopped turning is stuck in synchronous
 * code, and only ending the thread stops it.
 *
 * Layout: an Int32 pair per environment (the id of the invocation it started last, of the one it
 * finished last), the heartbeat (ms after `epochMs`), then a Float64 per environment (when it
 * started that invocation, epoch ms). The start time is written before the id is published with
 * Atomics, so a reader that sees the id sees the time.
 */

/** How often a runtime's event loop writes the heartbeat. */
export const HEARTBEAT_MS = 50;

/** A heartbeat older than this: the thread's event loop is not turning. */
const STUCK_AFTER_MS = 5 * HEARTBEAT_MS;

export interface InvocationClockData {
  readonly buffer: SharedArrayBuffer;
  /** How many environments the thread hosts in its life. */
  readonly environments: number;
  /** Epoch ms the heartbeat counts from. */
  readonly epochMs: number;
}

/** Int32s: a pair per environment and the heartbeat; the Float64s start on an 8-byte boundary. */
const int32s = (environments: number): number => 2 * environments + 1;
const float64sAt = (environments: number): number =>
  Math.ceil((int32s(environments) * Int32Array.BYTES_PER_ELEMENT) / 8) * 8;

export const createInvocationClock = (environments: number): InvocationClockData => ({
  buffer: new SharedArrayBuffer(float64sAt(environments) + environments * Float64Array.BYTES_PER_ELEMENT),
  environments,
  epochMs: Date.now(),
});

export class InvocationClock {
  readonly #ids: Int32Array;
  readonly #startedAt: Float64Array;
  readonly #heartbeat: number;
  readonly #epochMs: number;

  constructor({ buffer, environments, epochMs }: InvocationClockData) {
    this.#ids = new Int32Array(buffer, 0, int32s(environments));
    this.#startedAt = new Float64Array(buffer, float64sAt(environments), environments);
    this.#heartbeat = int32s(environments) - 1;
    this.#epochMs = epochMs;
  }

  // The runtime's side.

  started(environment: number, id: number, nowMs: number): void {
    this.#startedAt[environment] = nowMs;
    Atomics.store(this.#ids, 2 * environment, id);
  }

  finished(environment: number, id: number): void {
    Atomics.store(this.#ids, 2 * environment + 1, id);
  }

  beat(nowMs: number): void {
    Atomics.store(this.#ids, this.#heartbeat, nowMs - this.#epochMs);
  }

  // The main thread's side.

  /** When `environment` started invocation `id`, or undefined if it has not started it yet. */
  startedAt(environment: number, id: number): number | undefined {
    return Atomics.load(this.#ids, 2 * environment) === id ? this.#startedAt[environment] : undefined;
  }

  hasFinished(environment: number, id: number): boolean {
    return Atomics.load(this.#ids, 2 * environment + 1) === id;
  }

  /** Whether the thread's event loop turned lately: not stuck in synchronous code. */
  turning(nowMs: number): boolean {
    return nowMs - this.#epochMs - Atomics.load(this.#ids, this.#heartbeat) < STUCK_AFTER_MS;
  }
}
