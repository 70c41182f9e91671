/**
 * How `npm run bench` judges and prints its figures (bench/lib/verdicts.ts, bench/lib/stats.ts):
 * the verdict goes by the unrounded ratio, and the printed ratio never reads as the budget's own
 * line when the verdict says otherwise.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Result } from 'autocannon';
import { answersOf } from '../../bench/lib/autocannon-answers.ts';
import { median, pairOrder, percentile } from '../../bench/lib/stats.ts';
import {
  CLI_START_BUDGET,
  COLD_START_BUDGET,
  formatRatio,
  MEMORY_GROWTH_BUDGET,
  memoryGrowth,
  P99_BUDGET,
  THROUGHPUT_BUDGET,
} from '../../bench/lib/verdicts.ts';

const BUDGETS = [THROUGHPUT_BUDGET, COLD_START_BUDGET, CLI_START_BUDGET, MEMORY_GROWTH_BUDGET, P99_BUDGET];

describe('bench verdicts', () => {
  it('judge by the unrounded ratio, at most or at least as the budget says', () => {
    assert.equal(THROUGHPUT_BUDGET.met(0.7), true);
    assert.equal(THROUGHPUT_BUDGET.met(0.6996), false);
    assert.equal(THROUGHPUT_BUDGET.met(0.95), true);
    assert.equal(COLD_START_BUDGET.met(1.1), true);
    assert.equal(COLD_START_BUDGET.met(1.1002), false);
    assert.equal(COLD_START_BUDGET.met(0.9), true);
    assert.equal(CLI_START_BUDGET.met(1.6), true);
    assert.equal(CLI_START_BUDGET.met(1.61), false);
  });

  it('never meet a figure that was not measured, nor one against a baseline of 0', () => {
    for (const budget of BUDGETS) {
      assert.equal(budget.met(Number.NaN), false, budget.text);
      // A floor that answered nothing: stack / 0.
      assert.equal(budget.met(Number.POSITIVE_INFINITY), false, budget.text);
      assert.equal(budget.met(Number.NEGATIVE_INFINITY), false, budget.text);
    }
  });

  it('judge p99 latency like the other ratios, printing why a ratio just over 3 missed', () => {
    assert.equal(P99_BUDGET.met(3), true);
    assert.equal(P99_BUDGET.met(3.004), false);
    assert.equal(P99_BUDGET.format(3.004), '3.004x');
    assert.equal(P99_BUDGET.text, '<= 3.00x');
  });

  it('print a ratio near its line with as many decimals as show which side it is on', () => {
    assert.equal(THROUGHPUT_BUDGET.format(0.6996), '0.6996x');
    assert.equal(THROUGHPUT_BUDGET.format(0.704), '0.704x');
    assert.equal(THROUGHPUT_BUDGET.format(0.74), '0.74x');
    assert.equal(COLD_START_BUDGET.format(1.1002), '1.1002x');
    assert.equal(COLD_START_BUDGET.format(1.096), '1.096x');
    assert.equal(COLD_START_BUDGET.format(1.1), '1.10x');
    assert.equal(formatRatio(1.1002), '1.10x', 'without a line, two decimals');
    assert.equal(THROUGHPUT_BUDGET.format(0.69999996), '0.69999996x', 'as many decimals as it takes');
    // The next double above 1.1: over the line, which 15 decimals would not show.
    const justOver = 1.1 + 2.220446049250313e-16;
    assert.equal(COLD_START_BUDGET.met(justOver), false);
    assert.equal(COLD_START_BUDGET.format(justOver), '1.1000000000000003x');
    assert.equal(THROUGHPUT_BUDGET.text, '>= 0.70x');
    assert.equal(COLD_START_BUDGET.text, '<= 1.10x');
  });

  it('judge memory by the highest later round against the first, not the last', () => {
    const mib = 2 ** 20;
    const grew = [100, 107, 101, 100, 102].map((peak) => peak * mib);
    assert.equal(memoryGrowth(grew), 1.07);
    assert.equal(MEMORY_GROWTH_BUDGET.met(memoryGrowth(grew)), false);
    const flat = [268, 269, 247, 246, 249].map((peak) => peak * mib);
    assert.equal(MEMORY_GROWTH_BUDGET.met(memoryGrowth(flat)), true);
    assert.ok(Number.isNaN(memoryGrowth([100 * mib])), 'one round cannot show growth');
    assert.ok(Number.isNaN(memoryGrowth([])));
  });

  it('take medians and nearest-rank percentiles', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
    const values = Array.from({ length: 200 }, (_, index) => 200 - index);
    assert.equal(percentile(values, 99), 198);
    assert.equal(percentile(values, 50), 100);
    assert.equal(percentile([7], 99), 7);
  });

  it('give no median or percentile of values one of which was not measured', () => {
    // Sorting with NaN gives an order that depends on where the NaN stands.
    assert.ok(Number.isNaN(median([Number.NaN, 3, 1])));
    assert.ok(Number.isNaN(median([5, Number.NaN, 1, 3, 2])));
    assert.ok(Number.isNaN(percentile([1, Number.NaN], 99)));
  });

  it('run the judged pair back to back, taking turns to go first, and the others after', () => {
    assert.deepEqual(pairOrder(1, 1), [0], 'a lone candidate runs alone');
    for (const count of [2, 3, 4]) {
      const orders = Array.from({ length: 8 }, (_, pair) => pairOrder(count, pair));
      for (const order of orders) {
        assert.deepEqual(
          [...order].sort(),
          Array.from({ length: count }, (_, index) => index),
          'each once',
        );
        assert.deepEqual([...order.slice(0, 2)].sort(), [0, 1], `baseline and judged adjacent: ${order}`);
      }
      assert.deepEqual(
        orders.map((order) => order[0]),
        [0, 1, 0, 1, 0, 1, 0, 1],
        'the baseline first in every other pair',
      );
      if (count > 3) {
        assert.notDeepEqual(orders[0]?.slice(2), orders[2]?.slice(2), 'the others rotate');
      }
    }
  });

  it('read a load round by its 2xx answers, counting the rest as errors', () => {
    const round = (over: Partial<Result>): Result =>
      ({
        duration: 10,
        errors: 0,
        timeouts: 0,
        non2xx: 0,
        resets: 0,
        '2xx': 0,
        statusCodeStats: {},
        latency: { p50: 0, p99: 0, totalCount: 0 },
        ...over,
      }) as unknown as Result;
    const answered = answersOf(
      round({
        errors: 2,
        timeouts: 2,
        non2xx: 3,
        latency: { p50: 4, p99: 9, totalCount: 5000 } as Result['latency'],
      }),
    );
    assert.equal(answered.rps, 500);
    assert.equal(answered.p99Ms, 9);
    assert.equal(answered.errors, 5, 'a timeout is in errors already');
    // A server that answered nothing: autocannon's empty histogram reads p99 0 ms.
    const silent = answersOf(round({ errors: 160 }));
    assert.equal(silent.rps, 0);
    assert.ok(Number.isNaN(silent.p99Ms), 'no answer has no latency, not the best one');
    assert.equal(P99_BUDGET.met(silent.p99Ms / 30), false);
  });
});
