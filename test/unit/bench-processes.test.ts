/**
 * The bench's children (bench/lib/processes.ts): one that runs past its time limit is killed, and
 * the measurement fails with an error that names it, rather than hang the bench.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { tracked } from '../../bench/lib/processes.ts';

describe('a child of the bench with a time limit', () => {
  it('is killed past its limit, and the measurement fails naming it', async () => {
    const failures: Error[] = [];
    const child = tracked(
      spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }),
      {
        ms: 300,
        what: 'the hanging child',
        fail: (error) => failures.push(error),
      },
    );
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    assert.deepEqual([code, signal], [null, 'SIGKILL']);
    assert.deepEqual(
      failures.map((error) => error.message),
      ['the hanging child did not end within 0.3 s, and was stopped'],
    );
  });

  it('that ends in time is not failed', async () => {
    const failures: Error[] = [];
    const child = tracked(spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }), {
      ms: 60_000,
      what: 'the quick child',
      fail: (error) => failures.push(error),
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.deepEqual(failures, []);
  });
});
