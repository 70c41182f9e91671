/**
 * How `npm run bench` judges and prints its figures (bench/lib/verdicts.ts, bench/lib/stats.ts):
 * the verdict goes by the unrounded ratio, and the printed ratio never reads as the budget's own
 * line when the verdict says otherwise.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, percentile } from '../../bench/lib/stats.ts';
import {
  CLI_START_BUDGET,
  COLD_START_BUDGET,
  formatRatio,
  MEMORY_GROWTH_BUDGET,
  memoryGrowth,
  THROUGHPUT_BUDGET,
} from '../../bench/lib/verdicts.ts';

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

  it('never meet a figure that was not measured', () => {
    for (const budget of [THROUGHPUT_BUDGET, COLD_START_BUDGET, CLI_START_BUDGET, MEMORY_GROWTH_BUDGET]) {
      assert.equal(budget.met(Number.NaN), false, budget.text);
    }
  });

  it('print a ratio near its line with as many decimals as show which side it is on', () => {
    assert.equal(THROUGHPUT_BUDGET.format(0.6996), '0.6996x');
    assert.equal(THROUGHPUT_BUDGET.format(0.704), '0.704x');
    assert.equal(THROUGHPUT_BUDGET.format(0.74), '0.74x');
    assert.equal(COLD_START_BUDGET.format(1.1002), '1.1002x');
    assert.equal(COLD_START_BUDGET.format(1.096), '1.096x');
    assert.equal(COLD_START_BUDGET.format(1.1), '1.10x');
    assert.equal(formatRatio(1.1002), '1.10x', 'without a line, two decimals');
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
});
