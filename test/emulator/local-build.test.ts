/**
 * The local stack's build (backend/local/build.ts): each function's index.mjs holds only the
 * function's own modules, and the library code is in chunks, which the environments of a thread
 * share. Read from the source maps, which name every source file of an output.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { type FunctionId, functions } from '../../backend/http/routes.ts';
import { buildLocal } from '../../backend/local/build.ts';
import { sourcesOf } from '../helpers/source-maps.ts';
import { besideLeftoverFolders } from '../helpers/temp-folders.ts';

describe('the local build', async () => {
  const { bundles } = await buildLocal();
  for (const id of Object.keys(functions) as FunctionId[]) {
    it(`${id}: index.mjs holds the function's own modules, the chunks the libraries`, () => {
      const index = bundles[id];
      const own = sourcesOf(index);
      assert.ok(
        own.some((source) => source.endsWith(functions[id].entry.replace(/^backend\//, ''))),
        `index.mjs of ${id} holds its entry module: ${own.join(', ')}`,
      );
      assert.deepEqual(
        own.filter((source) => source.includes('node_modules/')),
        [],
        'no library code in index.mjs',
      );
      const chunks = join(dirname(index), 'chunks');
      const shared = readdirSync(chunks)
        .filter((file) => file.endsWith('.mjs'))
        .flatMap((file) => sourcesOf(join(chunks, file)));
      for (const library of [
        '@aws-sdk/client-dynamodb/',
        '@aws-sdk/lib-dynamodb/',
        '@aws-lambda-powertools/logger/',
      ]) {
        assert.ok(
          shared.some((source) => source.includes(`node_modules/${library}`)),
          `${library} is in a chunk`,
        );
      }
    });
  }
});

describe('build folders', () => {
  it('of a process that is gone (killed, its exit hook never ran) are removed at the next build', async () => {
    await besideLeftoverFolders('whiteboard-local-', 'readMessages', async ({ orphan, inUse }) => {
      // A process of its own: this one has built already, and builds once. The script awaits at
      // its top level, so it is given as an ES module: Node.js 20.18 (the oldest that package.json
      // allows) reads `-e` as CommonJS, where 20.19 and later detect the module syntax.
      const build = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          "await import('./backend/local/build.ts').then((m) => m.buildLocal())",
        ],
        { stdio: 'ignore' },
      );
      assert.equal(await new Promise((resolve) => build.once('exit', resolve)), 0);
      assert.equal(existsSync(orphan), false, `${orphan} was removed`);
      assert.equal(existsSync(inUse), true, `${inUse} was kept`);
    });
  });
});
