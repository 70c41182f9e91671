/** How the local stack and the bench end on a signal (backend/local/graceful-stop.ts). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts the fixture and resolves once it handles the signals. */
const start = async (...args: string[]) => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/processes/graceful-stop.ts', ...args],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  const waiting = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const check of waiting) check();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  /** Resolves once standard output holds `text`. */
  const printed = (text: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!stdout.includes(text)) return;
        waiting.delete(check);
        resolve();
      };
      waiting.add(check);
      check();
    });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  await printed('ready\n');
  return {
    child,
    printed,
    ended: async () => {
      const [code] = await exited;
      return { code, stdout, stderr };
    },
  };
};

describe('handleStopSignals', () => {
  for (const [signal, code] of [
    ['SIGINT', 3],
    ['SIGTERM', 4],
  ] as const) {
    it(`on ${signal}, says what it stops, stops it once, and exits with that signal's code when done`, async () => {
      const fixture = await start('resolve', '50');
      fixture.child.kill(signal);
      const ended = await fixture.ended();
      assert.equal(ended.stdout, `ready\n\n${signal}: stopping the fixture...\nstop called\nStopped.\n`);
      assert.equal(ended.stderr, '');
      assert.equal(ended.code, code);
    });
  }

  it('exits at once on a second signal, with 128 + its number, without waiting for the stop', async () => {
    // A limit no slow machine reaches before the second signal is sent.
    const fixture = await start('resolve', '30000', '60000');
    fixture.child.kill('SIGINT');
    await fixture.printed('stop called\n');
    fixture.child.kill('SIGTERM');
    const ended = await fixture.ended();
    assert.equal(ended.code, 143);
    assert.equal(ended.stderr, 'Forced exit.\n');
    assert.doesNotMatch(ended.stdout, /Stopped/);
    assert.equal(ended.stdout.match(/stop called/g)?.length, 1);
  });

  for (const [mode, when, says] of [
    ['never', 'the stop takes longer than its limit', 'Stopping took too long; exiting anyway.\n'],
    ['reject', 'the stop fails', 'error while stopping: boom\n'],
  ] as const) {
    it(`exits with 1 and says so when ${when}`, async () => {
      const fixture = await start(mode);
      fixture.child.kill('SIGINT');
      const ended = await fixture.ended();
      assert.equal(ended.code, 1);
      assert.equal(ended.stderr, says);
      assert.doesNotMatch(ended.stdout, /Stopped/);
    });
  }
});
