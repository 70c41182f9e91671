/**
 * What one autocannon run (bench/load.ts, with `excludeErrorStats`) tells of a server: a pure
 * function, so that test/unit/bench-verdicts.test.ts can pin how a round is read.
 */
import type { Result } from 'autocannon';

export interface Answers {
  /** 2xx answers a second. */
  readonly rps: number;
  /** Latencies of the 2xx answers, ms; NaN when there was none. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** 2xx answers. */
  readonly requests: number;
  /** Socket errors, timeouts and non-2xx answers. */
  readonly errors: number;
}

export const answersOf = (result: Result): Answers => {
  // With excludeErrorStats the latency histogram holds the 2xx answers alone.
  const requests = result.latency.totalCount ?? 0;
  return {
    rps: requests / result.duration,
    // An empty histogram reads 0 ms, the best latency there is: a round that got no answer has none.
    p50Ms: requests === 0 ? Number.NaN : result.latency.p50,
    p99Ms: requests === 0 ? Number.NaN : result.latency.p99,
    requests,
    // autocannon counts a timeout in `errors` too (lib/run.js, onTimeout): not added again here.
    errors: result.errors + result.non2xx,
  };
};
