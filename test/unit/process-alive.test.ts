/** Stopping child processes (backend/local/process-alive.ts). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive, procStatFields } from '../../backend/local/process-alive.ts';
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

describe('processAlive', () => {
  it('takes this process for alive, and a process that ended but was not waited for (a zombie) for ended', async () => {
    assert.equal(processAlive(process.pid), true);
    // The shell starts a short sleep, prints its id, then becomes a long sleep, which never waits
    // for its children: the short one, once ended, stays a zombie until the long one ends.
    const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const pid = Number(
        await new Promise<string>((resolve) => parent.stdout.once('data', (chunk) => resolve(String(chunk)))),
      );
      assert.ok(pid > 0);
      for (let waited = 0; procStatFields(pid)?.[0] !== 'Z' && waited < 10_000; waited += 50) await sleep(50);
      assert.equal(procStatFields(pid)?.[0], 'Z', 'the short sleep is a zombie');
      assert.equal(processAlive(pid), false);
      assert.equal(processAlive(parent.pid as number), true, 'its parent, the long sleep, runs');
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
