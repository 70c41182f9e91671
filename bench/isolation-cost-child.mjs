// Run by bench/isolation-cost.ts in a process of its own (its CPU time is this measurement's
// only). Plain JavaScript: the worker threads it starts run without tsx.
//
//   node bench/isolation-cost-child.mjs   (a JSON request on stdin, a JSON report on stdout)
//
// The same warm invocations of one bundle, in two arrangements:
// - shared: one thread, one copy of the function, `concurrency` invocations at a time on its event
//   loop, as the floor server serves its requests;
// - isolated: `concurrency` threads, each its own copy of the function running one invocation at
//   a time, as Lambda runs environments and as the local stack does.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const context = {
  functionName: 'ReadMessages',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ReadMessages',
  memoryLimitInMB: '256',
  awsRequestId: 'bench',
  logGroupName: '/aws/lambda/ReadMessages',
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 5_000,
};

if (!isMainThread) {
  // What the function prints is dropped in both arrangements alike.
  for (const stream of [process.stdout, process.stderr]) stream.write = () => true;
  const { bundlePath, handlerName, event, concurrency } = workerData;
  const handler = (await import(pathToFileURL(bundlePath).href))[handlerName];
  parentPort.on('message', async (invocations) => {
    let left = invocations;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) await handler(structuredClone(event), context);
      }),
    );
    parentPort.postMessage('done');
  });
  parentPort.postMessage('ready');
} else {
  const request = JSON.parse(readFileSync(0, 'utf8'));
  const { bundlePath, handlerName, event, concurrency, invocations, warmup, rounds, env } = request;
  const start = (threads, perThread) =>
    Array.from(
      { length: threads },
      () =>
        new Worker(new URL(import.meta.url), {
          workerData: { bundlePath, handlerName, event, concurrency: perThread },
          env: { ...process.env, ...env },
          execArgv: [],
        }),
    );
  const next = (worker) => new Promise((resolve) => worker.once('message', resolve));
  const arrangements = {
    shared: start(1, concurrency),
    isolated: start(concurrency, 1),
  };
  await Promise.all(Object.values(arrangements).flat().map(next));
  const run = async (workers, count) => {
    const before = process.cpuUsage();
    const done = Promise.all(workers.map(next));
    for (const worker of workers) worker.postMessage(Math.ceil(count / workers.length));
    await done;
    const used = process.cpuUsage(before);
    return (used.user + used.system) / count;
  };
  // Every copy of the function first runs `warmup` invocations, so each has had the same chance
  // to be optimised by the JIT; then rounds alternate which arrangement goes first.
  await run(arrangements.shared, warmup);
  await run(arrangements.isolated, warmup * concurrency);
  const cpuMicros = { shared: [], isolated: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['shared', 'isolated'] : ['isolated', 'shared'];
    for (const name of order) cpuMicros[name].push(await run(arrangements[name], invocations));
  }
  for (const workers of Object.values(arrangements)) await Promise.all(workers.map((w) => w.terminate()));
  process.stdout.write(JSON.stringify(cpuMicros));
}
