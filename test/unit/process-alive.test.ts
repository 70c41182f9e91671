/** Stopping child processes (backend/local/process-alive.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runScript } from '../helpers/run-script.ts';

describe('terminate', () => {
  it('kills a child that ignores SIGTERM, and the caller lives to see it even with nothing else to wait for', async () => {
    const { code, stdout, stderr } = await runScript(
      'test/fixtures/processes/terminate-stubborn-child.ts',
      [],
      {},
      20_000,
    );
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'stopped SIGKILL\n');
  });
});
