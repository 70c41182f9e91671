#!/usr/bin/env node
// The test run: starts one real DynamoDB engine for the whole run, in memory (DynamoDB Local, or
// dynalite where there is no Java 17+; WHITEBOARD_TEST_ENGINE forces one), then runs every test
// file with Node's test runner, files in parallel. Each test isolates its data (its own table or
// boards), so files can share the engine.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { exitIfUnsupportedNode } from '../backend/supported-node.ts';

exitIfUnsupportedNode('npm test');

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['test'];
const files: string[] = [];
const walk = (path: string): void => {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) walk(join(path, entry));
  } else if (path.endsWith('.test.ts')) {
    files.push(path);
  }
};
for (const root of roots) walk(root);
// The runner starts files in the order given. The longest go first: started in name order,
// npm-start.test.ts, among the longest, ran on alone at the end (the run took 161 s; in this
// order 141-153 s).
// http-api.test.ts goes last, after the files that start DynamoDB Local JVMs of their own: its 200
// concurrent POSTs took 12 s when it ran among them, 3-5 s in three runs last.
const ORDER = [
  'test/integration/npm-start.test.ts',
  'test/integration/local-stack-start.test.ts',
  'test/cli/e2e.test.ts',
  'test/emulator/execution-environments.test.ts',
  'test/integration/dynamodb-engine.test.ts',
  'test/integration/bench.test.ts',
  '*', // every other file, in name order (the sort is stable)
  'test/integration/http-api.test.ts',
];
const rank = (file: string): number => {
  const index = ORDER.indexOf(file.split(sep).join('/'));
  return index === -1 ? ORDER.indexOf('*') : index;
};
files.sort((a, b) => rank(a) - rank(b));

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { startDynamoDbEngine } = await import('../backend/local/dynamodb-engine.ts');
const engine = await startDynamoDbEngine({
  engine: process.env.WHITEBOARD_TEST_ENGINE ?? 'auto',
  inMemory: true,
});
process.stderr.write(`test engine: ${engine.name} at ${engine.endpoint}\n`);

// A test that hangs fails the run instead of holding it. Node 20 applies the limit to each file as
// a whole: the longest files (cli/e2e.test.ts, npm-start.test.ts) take about 60-80 s each in a full
// run on a 2-core machine, well within the 5 minutes.
// Three files at a time, not four: on 2 cores, four let several DynamoDB Local JVMs start while
// http-api.test.ts sends its 200 concurrent POSTs, which then took 12-24 s instead of 2-4 s, and
// in two CI runs one invocation passed its function's 5 s timeout. With three the whole run took
// as long (2m29s against 2m31s) and that test 3-9 s.
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=3', '--test-timeout=300000', ...files],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      WHITEBOARD_TEST_DYNAMODB_ENDPOINT: engine.endpoint,
      // The SDK's once-per-process warning about Node < 22 would repeat in every test file.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
);
const code = await new Promise<number>((resolve) =>
  child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))),
);
await engine.stop();
process.exit(code);
