/** Small statistics helpers for the benchmarks. */

export const sorted = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);

/** NaN (a figure not measured) would make the sort's order, and so the result, arbitrary. */
const unusable = (values: readonly number[]): boolean =>
  values.length === 0 || values.some((value) => Number.isNaN(value));

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when empty or one is NaN. */
export const percentile = (values: readonly number[], p: number): number => {
  if (unusable(values)) return Number.NaN;
  const ordered = sorted(values);
  const rank = Math.min(ordered.length - 1, Math.max(0, Math.ceil((p / 100) * ordered.length) - 1));
  return ordered[rank] as number;
};

/** NaN when empty or one is NaN. */
export const median = (values: readonly number[]): number => {
  if (unusable(values)) return Number.NaN;
  const ordered = sorted(values);
  const middle = ordered.length >> 1;
  return ordered.length % 2 === 1
    ? (ordered[middle] as number)
    : ((ordered[middle - 1] as number) + (ordered[middle] as number)) / 2;
};

export const mean = (values: readonly number[]): number =>
  values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;

export const round = (value: number, digits = 2): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/**
 * The order in which pair number `pair` runs its `count` candidates, candidate 0 being the baseline
 * and 1 the one judged against it: those two back to back, taking turns to go first (so that a
 * slow moment lands on either alike and each ratio compares neighbours), then any others, for
 * scale, in an order that rotates from pair to pair.
 */
export const pairOrder = (count: number, pair: number): number[] => {
  if (count < 2) return Array.from({ length: count }, (_, index) => index);
  const judged = pair % 2 === 0 ? [0, 1] : [1, 0];
  const others = Array.from({ length: Math.max(0, count - 2) }, (_, index) => 2 + index);
  const turn = others.length === 0 ? 0 : Math.floor(pair / 2) % others.length;
  return [...judged, ...others.slice(turn), ...others.slice(0, turn)].slice(0, count);
};
