import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ownTempFolder } from '../../backend/local/temp-folders.ts';
import { mapErrorStacks, sourceMappedStack } from '../../backend/source-mapped-stack.ts';

// Spaces, parentheses and letters beyond ASCII, as in "/Users/Jane Doe/My Projects (old)/...".
const { path: dir, remove: removeDir } = ownTempFolder('whiteboard source map (ünï)-');
after(removeDir);

/** A minified ES module bundle with its source map beside it, as the Lambda bundles are. */
const out = join(dir, 'out', 'index.mjs');
before(async () => {
  writeFileSync(
    join(dir, 'thrower.ts'),
    [
      'export const first = () => 1;',
      '',
      'export function fail(reason: string): never {',
      "  throw new Error('failed: ' + reason);",
      '}',
      '',
    ].join('\n'),
  );
  await build({
    entryPoints: [join(dir, 'thrower.ts')],
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'error',
  });
});

/** Where V8 would place the `throw` of thrower.ts in the bundle: `file:line:column`, 1-based. */
const thrownAt = (file: string) => {
  const lines = readFileSync(out, 'utf8').split('\n');
  const line = lines.findIndex((text) => text.includes('throw new Error'));
  assert.ok(line >= 0, 'the bundle throws');
  return `${file}:${line + 1}:${(lines[line] as string).indexOf('throw new Error') + 1}`;
};

describe('source-mapped stacks', () => {
  it('names the source file, line and column of a place in a minified bundle, and leaves the rest', () => {
    const stack = [
      // A message that quotes a place stays as it is: only frames are mapped.
      `Error: failed: ${thrownAt(out)}`,
      `    at fail (${thrownAt(pathToFileURL(out).href)})`,
      `    at async ${thrownAt(out)}`,
      `    at Object.run [as handler] (${thrownAt(out)})`,
      `    at ${thrownAt(out)}`,
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at file:///nowhere/without-a-map.mjs:3:7',
    ].join('\n');
    assert.equal(
      sourceMappedStack(stack),
      [
        `Error: failed: ${thrownAt(out)}`,
        // The source as the map names it, relative to the bundle's folder, without the `../`.
        '    at fail (thrower.ts:4:3)',
        '    at async thrower.ts:4:3',
        '    at Object.run [as handler] (thrower.ts:4:3)',
        '    at thrower.ts:4:3',
        '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
        '    at file:///nowhere/without-a-map.mjs:3:7',
      ].join('\n'),
    );
  });

  it('leaves a line longer than any frame as it is (a long message quoted in a stack)', () => {
    const long = `    at ${'x'.repeat(5_000)} (${thrownAt(out)})`;
    const stack = `Error: x\n${long}\n    at fail (${thrownAt(out)})`;
    assert.equal(sourceMappedStack(stack), `Error: x\n${long}\n    at fail (thrower.ts:4:3)`);
  });

  it('leaves a place it cannot read as it is', () => {
    const stack = 'Error: x\n    at file:///var/task/a%2Fb.mjs:10:1';
    assert.equal(sourceMappedStack(stack), stack);
  });

  it('never throws on an error it cannot change, and maps the causes too', () => {
    // As deployed: Node maps nothing itself (this test runs under tsx, which turns it on).
    const before = process.sourceMapsEnabled;
    process.setSourceMapsEnabled(false);
    try {
      const frozen = Object.freeze(new Error('frozen by a library'));
      const stackless = Object.assign(new Error('no stack'), { stack: null as unknown as string });
      assert.doesNotThrow(() => mapErrorStacks(frozen));
      assert.doesNotThrow(() => mapErrorStacks(stackless));
      assert.doesNotThrow(() => mapErrorStacks('not an error'));
      const cause = new Error('the cause');
      cause.stack = `Error: the cause\n    at fail (${thrownAt(pathToFileURL(out).href)})`;
      const wrapped = new Error('wrapped', { cause });
      mapErrorStacks(wrapped);
      assert.equal(cause.stack, 'Error: the cause\n    at fail (thrower.ts:4:3)');
    } finally {
      process.setSourceMapsEnabled(before);
    }
  });

  it('maps an error and four causes deep, and stops there, as a chain of causes may loop', () => {
    const before = process.sourceMapsEnabled;
    process.setSourceMapsEnabled(false);
    try {
      const chain = Array.from({ length: 6 }, (_, index) => {
        const error = new Error(`level ${index}`);
        error.stack = `Error: level ${index}\n    at fail (${thrownAt(pathToFileURL(out).href)})`;
        return error;
      });
      chain.forEach((error, index) => {
        error.cause = chain[index + 1];
      });
      mapErrorStacks(chain[0]);
      assert.deepEqual(
        chain.map((error) => error.stack?.endsWith('(thrower.ts:4:3)')),
        [true, true, true, true, true, false],
      );
      const looped = new Error('looped');
      looped.cause = looped;
      assert.doesNotThrow(() => mapErrorStacks(looped));
    } finally {
      process.setSourceMapsEnabled(before);
    }
  });
});
