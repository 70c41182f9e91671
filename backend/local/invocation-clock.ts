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
 * Layout: an Int32 pair per environment (the id of the invocation it started last, of the one it
 * finished last), then a Float64 per environment (when it started that invocation, epoch ms). The
 * start time is written before the id is published with Atomics, so a reader that sees the id
 * sees the time.
 */

export interface InvocationClockData {
  readonly buffer: SharedArrayBuffer;
  /** How many environments the thread hosts in its life. */
  readonly environments: number;
}

/** Int32s: a pair per environment; the Float64s start on an 8-byte boundary. */
const int32s = (environments: number): number => 2 * environments;
const float64sAt = (environments: number): number =>
  Math.ceil((int32s(environments) * Int32Array.BYTES_PER_ELEMENT) / 8) * 8;

export const createInvocationClock = (environments: number): InvocationClockData => ({
  buffer: new SharedArrayBuffer(float64sAt(environments) + environments * Float64Array.BYTES_PER_ELEMENT),
  environments,
});

export class InvocationClock {
  readonly #ids: Int32Array;
  readonly #startedAt: Float64Array;

  constructor({ buffer, environments }: InvocationClockData) {
    this.#ids = new Int32Array(buffer, 0, int32s(environments));
    this.#startedAt = new Float64Array(buffer, float64sAt(environments), environments);
  }

  // The runtime's side.

  started(environment: number, id: number, nowMs: number): void {
    this.#startedAt[environment] = nowMs;
    Atomics.store(this.#ids, 2 * environment, id);
  }

  finished(environment: number, id: number): void {
    Atomics.store(this.#ids, 2 * environment + 1, id);
  }

  // The main thread's side.

  /** When `environment` started invocation `id`, or undefined if it has not started it yet. */
  startedAt(environment: number, id: number): number | undefined {
    return Atomics.load(this.#ids, 2 * environment) === id ? this.#startedAt[environment] : undefined;
  }

  /** Whether it finished invocation `id`: its result is serialised and on its way. */
  hasFinished(environment: number, id: number): boolean {
    return Atomics.load(this.#ids, 2 * environment + 1) === id;
  }
}
