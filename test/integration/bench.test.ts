/**
 * `npm run bench` when it cannot or should not run (the run itself takes minutes and is not
 * tested): a usage error is one line and exit 2, before anything starts; without Java 17+ it
 * fails at once instead of measuring on dynalite; the folders of killed runs are removed; the
 * floor server ends when the bench that started it is killed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { processAlive } from '../../backend/local/process-alive.ts';
import { ownTempFolder } from '../../backend/local/temp-folders.ts';
import { buildBenchBundles } from '../../bench/lib/bundles.ts';
import { type Ended, OLDER_NODE_ENV, runScript, startOrphaned } from '../helpers/run-script.ts';
import { besideLeftoverFolders } from '../helpers/temp-folders.ts';

/**
 * Runs bench/run.ts with `args` to its exit. Every case here must end before anything starts: a
 * run that gets past its checks is interrupted (the bench cleans up on SIGINT) and fails the test.
 */
const bench = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Ended> =>
  runScript('bench/run.ts', args, env, 30_000);

const assertOneLineError = (ended: Ended, code: number, message: RegExp) => {
  assert.equal(ended.code, code, `exit code; stderr:\n${ended.stderr}`);
  const [first, ...rest] = ended.stderr.trimEnd().split('\n');
  assert.match(first ?? '', message);
  assert.deepEqual(
    rest,
    code === 2 ? ['(run `npm run bench -- --help` for the options)'] : [],
    'nothing else: no stack trace, no progress (nothing started)',
  );
  assert.equal(ended.stdout, '');
};

describe('npm run bench', () => {
  it("refuses a Node.js older than package.json's engines in one line (exit 1)", async () => {
    const ended = await bench(['--quick'], OLDER_NODE_ENV);
    assertOneLineError(
      ended,
      1,
      /^npm run bench: Node\.js 18\.20\.4 \(.+\) is older than whiteboard supports: /,
    );
  });

  it('--help prints the usage and the engine setting', async () => {
    const ended = await bench(['--help']);
    assert.equal(ended.code, 0);
    assert.match(ended.stdout, /^Usage: npm run bench/);
    assert.match(ended.stdout, /WHITEBOARD_BENCH_ENGINE/);
  });

  for (const [args, env, message] of [
    [['--bogus'], {}, /^npm run bench: Unknown option '--bogus'$/],
    [['--json'], {}, /^npm run bench: Option '--json <value>' argument missing$/],
    [['--json', '/nonexistent-folder/figures.json'], {}, /the folder \/nonexistent-folder does not exist$/],
    [['--json', tmpdir()], {}, /is a folder$/],
    [[], { WHITEBOARD_BENCH_ENGINE: 'auto' }, /WHITEBOARD_BENCH_ENGINE=auto is not an engine/],
  ] as const) {
    it(`fails with one line and exit 2: ${[...args, ...Object.entries(env).map((e) => e.join('='))].join(' ')}`, async () => {
      assertOneLineError(await bench(args, env), 2, message);
    });
  }

  it('without Java 17+ fails at once on DynamoDB Local, pointing to dynalite, rather than fall back', async () => {
    // No java on this PATH (node is run by its full path).
    const { path: emptyPath, remove: removeEmptyPath } = ownTempFolder('whiteboard-bench-test-path-');
    try {
      const ended = await bench([], { PATH: emptyPath, WHITEBOARD_BENCH_ENGINE: '' });
      assertOneLineError(
        ended,
        1,
        /^npm run bench: DynamoDB Local needs Java 17\+ .*set WHITEBOARD_BENCH_ENGINE=dynalite to run anyway, figures not comparable$/,
      );
    } finally {
      removeEmptyPath();
    }
  });

  it('removes the bundle folders of runs that are gone, and names its own with its pid', async () => {
    await besideLeftoverFolders('whiteboard-bench-', 'floor', async ({ orphan, inUse }) => {
      const bundles = await buildBenchBundles();
      try {
        assert.match(basename(bundles.dir), new RegExp(`^whiteboard-bench-${process.pid}-`));
        assert.equal(existsSync(orphan), false, `${orphan} was removed`);
        assert.equal(existsSync(inUse), true, `${inUse} was kept`);
      } finally {
        bundles.remove();
      }
      assert.equal(existsSync(bundles.dir), false);
    });
  });

  it('the floor server ends when the process that started it is killed', async () => {
    // The bench's part, killed outright: nothing of it runs to stop the floor.
    const { pid } = await startOrphaned('bench/floor/floor-server.ts', [], 'floor ready at', {
      TABLE_NAME: 'unused',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
    });
    // The watch looks once a second.
    for (let waited = 0; processAlive(pid) && waited < 10_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const stillAlive = processAlive(pid);
    if (stillAlive) process.kill(pid, 'SIGKILL');
    assert.equal(stillAlive, false, 'the floor server stopped by itself');
  });
});
