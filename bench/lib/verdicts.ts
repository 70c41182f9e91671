/**
 * How the bench judges a figure against its budget and prints it: pure functions, so that
 * test/unit/bench-verdicts.test.ts can pin them (run.ts, which uses them, starts the bench when
 * imported).
 */

/**
 * A ratio as the table prints it: two decimals, more where two would print the budget's own line
 * (0.6996 is not 0.70x, 1.1002 is not 1.10x), so that the printed figure always shows why the
 * verdict went the way it did.
 */
export const formatRatio = (ratio: number, line?: number): string => {
  let digits = 2;
  while (
    line !== undefined &&
    digits < 20 &&
    ratio !== line &&
    ratio.toFixed(digits) === line.toFixed(digits)
  ) {
    digits++;
  }
  return `${ratio.toFixed(digits)}x`;
};

export interface RatioBudget {
  /** As the table prints it: `<= 1.10x`. */
  readonly text: string;
  /**
   * By the unrounded ratio; NaN (not measured) and an infinite ratio (a baseline of 0: nothing to
   * compare with) are never met.
   */
  readonly met: (ratio: number) => boolean;
  readonly format: (ratio: number) => string;
}

/** A ratio budget of issue #6: at most (`<=`) or at least (`>=`) `line` times its baseline. */
export const ratioBudget = (bound: '<=' | '>=', line: number): RatioBudget => ({
  text: `${bound} ${line.toFixed(2)}x`,
  met: (ratio) => Number.isFinite(ratio) && (bound === '<=' ? ratio <= line : ratio >= line),
  format: (ratio) => formatRatio(ratio, line),
});

export const COLD_START_BUDGET = ratioBudget('<=', 1.1);
export const THROUGHPUT_BUDGET = ratioBudget('>=', 0.7);
export const CLI_START_BUDGET = ratioBudget('<=', 1.6);
/** Figure 1: the stack's p99 latency within 3x the floor's. */
export const P99_BUDGET = ratioBudget('<=', 3);
/** Figure 6: no round's peak memory more than 5% over the first round's. */
export const MEMORY_GROWTH_BUDGET = ratioBudget('<=', 1.05);

/**
 * The largest of each later round's peak over the first round's: what figure 6 is judged by. NaN
 * with fewer than two rounds, as nothing could grow.
 */
export const memoryGrowth = (peaks: readonly number[]): number => {
  const [first, ...later] = peaks;
  if (first === undefined || later.length === 0) return Number.NaN;
  return Math.max(...later.map((peak) => peak / first));
};
