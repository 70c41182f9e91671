/**
 * Run by bench/isolation-cost.ts in a process of its own (its CPU time is this measurement's
 * only): `node --import tsx bench/isolation-cost-child.ts`, a JSON request on stdin, a JSON report
 * on stdout.
 *
 * The same warm invocations of one function, in five arrangements:
 * - shared: one thread, one copy of the function, `concurrency` invocations at a time on its event
 *   loop, as the floor server serves its requests;
 * - sequential: one thread, one copy, one invocation at a time (what one environment does);
 * - copies: one thread, `concurrency` copies of the function, each running one invocation at a
 *   time, all on the thread's one event loop. A copy is the bundle's entry module imported again
 *   under another URL, so evaluated afresh: its own handler, Powertools objects and SDK client.
 *   The code the entry imports from the bundle's chunks is one instance that the copies share.
 *   This runs the local stack's build of the function (backend/local/build.ts), whose chunks hold
 *   all the library code, so that the copies share the libraries;
 * - copies with their own libraries: the same, on the shipped bundle, whose index.mjs holds the
 *   DynamoDB client and Powertools, so that each copy has its own;
 * - isolated: `concurrency` threads, each its own copy of the function running one invocation at
 *   a time, as Lambda runs environments (and the local stack with --thread-per-environment).
 *
 * The copies are what the local stack runs by default: several environments without a thread
 * each.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { ApiEvent } from '../backend/http/api-types.ts';
import { functions } from '../backend/http/routes.ts';
import { watchParent } from '../backend/local/process-alive.ts';
import { benchContext } from './lib/lambda-context.ts';

export interface IsolationCostRequest {
  /** The bundle as shipped (backend/bundling.ts). */
  readonly bundlePath: string;
  /** The same function as the local stack builds it (backend/local/build.ts). */
  readonly localBundlePath: string;
  readonly handlerName: string;
  readonly event: ApiEvent;
  readonly concurrency: number;
  readonly invocations: number;
  readonly warmup: number;
  readonly rounds: number;
  /** The function's environment variables. */
  readonly env: Readonly<Record<string, string>>;
}

/** CPU microseconds per invocation of the whole process, one entry per round. */
export interface IsolationCostReport {
  readonly shared: number[];
  readonly sequential: number[];
  readonly copies: number[];
  readonly copiesOwnLibraries: number[];
  readonly isolated: number[];
}

interface WorkerData {
  readonly bundlePath: string;
  readonly handlerName: string;
  readonly event: ApiEvent;
  readonly concurrency: number;
  /** Copies of the function in this thread; invocation lane i runs on copy i % copies. */
  readonly copies: number;
}

type Handler = (event: ApiEvent, context: ReturnType<typeof benchContext>) => Promise<unknown>;

const runWorker = async (port: NonNullable<typeof parentPort>, data: WorkerData) => {
  // What the function prints is dropped in every arrangement alike.
  for (const stream of [process.stdout, process.stderr]) stream.write = () => true;
  const url = pathToFileURL(data.bundlePath).href;
  const handlers: Handler[] = [];
  for (let copy = 0; copy < data.copies; copy++) {
    const module = (await import(copy === 0 ? url : `${url}?copy=${copy}`)) as Record<string, Handler>;
    handlers.push(module[data.handlerName] as Handler);
  }
  const context = benchContext(functions.readMessages);
  port.on('message', async (invocations: number) => {
    let left = invocations;
    await Promise.all(
      Array.from({ length: data.concurrency }, async (_, lane) => {
        const handler = handlers[lane % handlers.length] as Handler;
        while (left-- > 0) await handler(structuredClone(data.event), context);
      }),
    );
    port.postMessage('done');
  });
  port.postMessage('ready');
};

/**
 * A worker runs this file too. Node 20 does not apply `--import tsx` to a worker's own entry, so
 * the entry is a line of JavaScript that registers tsx in the worker and then imports this file.
 */
const workerEntry = `import('tsx/esm/api')
  .then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`;

const runMain = async () => {
  const request = JSON.parse(readFileSync(0, 'utf8')) as IsolationCostRequest;
  const { concurrency } = request;
  /** Each worker with a promise of its next message, taken before the message can arrive. */
  const start = (threads: number, perThread: number, copies = 1, bundlePath = request.bundlePath) =>
    Array.from({ length: threads }, () => {
      const worker = new Worker(workerEntry, {
        eval: true,
        workerData: {
          bundlePath,
          handlerName: request.handlerName,
          event: request.event,
          concurrency: perThread,
          copies,
        } satisfies WorkerData,
        env: { ...process.env, ...request.env },
        execArgv: [],
      });
      return { worker, ready: new Promise((resolve) => worker.once('message', resolve)) };
    });
  const arrangements = {
    shared: start(1, concurrency),
    sequential: start(1, 1),
    copies: start(1, concurrency, concurrency, request.localBundlePath),
    copiesOwnLibraries: start(1, concurrency, concurrency),
    isolated: start(concurrency, 1),
  };
  await Promise.all(Object.values(arrangements).flatMap((workers) => workers.map((w) => w.ready)));

  const run = async (workers: ReadonlyArray<{ worker: Worker }>, count: number) => {
    const before = process.cpuUsage();
    const done = Promise.all(
      workers.map(({ worker }) => new Promise((resolve) => worker.once('message', resolve))),
    );
    for (const { worker } of workers) worker.postMessage(Math.ceil(count / workers.length));
    await done;
    const used = process.cpuUsage(before);
    return (used.user + used.system) / count;
  };
  // Every copy of the function first runs `warmup` invocations, so each has had the same chance
  // to be optimised by the JIT; then rounds alternate which arrangement goes first.
  await run(arrangements.shared, request.warmup);
  await run(arrangements.sequential, request.warmup);
  await run(arrangements.copies, request.warmup * concurrency);
  await run(arrangements.copiesOwnLibraries, request.warmup * concurrency);
  await run(arrangements.isolated, request.warmup * concurrency);
  const report: IsolationCostReport = {
    shared: [],
    sequential: [],
    copies: [],
    copiesOwnLibraries: [],
    isolated: [],
  };
  const names = Object.keys(report) as (keyof IsolationCostReport)[];
  for (let round = 0; round < request.rounds; round++) {
    // Each round starts with the next arrangement, so none is always first or last.
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length] as keyof IsolationCostReport;
      report[name].push(await run(arrangements[name], request.invocations));
    }
  }
  await Promise.all(
    Object.values(arrangements).flatMap((workers) => workers.map(({ worker }) => worker.terminate())),
  );
  process.stdout.write(JSON.stringify(report));
};

// The bench stops it; should the bench be killed first, its report would have no reader.
if (isMainThread) watchParent(() => process.exit(1));
if (isMainThread) await runMain();
else if (parentPort) await runWorker(parentPort, workerData as WorkerData);
