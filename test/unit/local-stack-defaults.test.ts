/**
 * The local stack's default number of execution environments per function (README, "The local
 * stack"): 16 to a shared thread for each CPU core but one, at least 16; with a thread each, one per
 * core and one more, at least 2.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ENVIRONMENTS_PER_THREAD, defaultMaxEnvironments } from '../../backend/local/stack.ts';

describe('the default number of execution environments per function', () => {
  it('is 16 to a shared thread for each core but one, and at least 16', () => {
    assert.equal(DEFAULT_ENVIRONMENTS_PER_THREAD, 16);
    for (const [cores, expected] of [
      [1, 16],
      [2, 16],
      [3, 32],
      [8, 112],
    ] as const) {
      assert.equal(
        defaultMaxEnvironments(DEFAULT_ENVIRONMENTS_PER_THREAD, cores),
        expected,
        `${cores} cores`,
      );
    }
  });

  it('is one per core and one more with a thread each, and at least 2', () => {
    for (const [cores, expected] of [
      [1, 2],
      [2, 3],
      [8, 9],
    ] as const) {
      assert.equal(defaultMaxEnvironments(1, cores), expected, `${cores} cores`);
    }
  });
});
