/**
 * Figures 1 and 6: the local stack under load against a floor, and the stack's memory per round.
 *
 * The stack runs as `npm start` runs it (backend/local/main.ts, its log printer writing every
 * line to a pipe this process drains) and the floor (floor/floor-server.ts) in a child process
 * of its own, so neither shares an event loop with autocannon and the stack's RSS is its own.
 * Both use the same DynamoDB engine, each its own table, boards seeded first. Rounds alternate
 * stack and floor (and which goes first), so a noisy moment on this shared machine hits both.
 */
import autocannon, { type Result } from 'autocannon';
import { ensureMessagesTable, localAwsEnvironment } from '../backend/local/tables.ts';
import { type Answers, answersOf } from './lib/autocannon-answers.ts';
import { cpuMs, rssBytes, type ServerProcess, startServerProcess } from './lib/processes.ts';
import { mean } from './lib/stats.ts';

export type Method = 'GET' | 'POST';

export interface RunFigures extends Answers {
  /** CPU time the server process used per request, ms (the stack: all its threads). */
  readonly cpuMsPerRequest: number;
  /** CPU time the DynamoDB engine's process used per request, ms (NaN when it runs in-process). */
  readonly engineCpuMsPerRequest: number;
}

export interface MethodFigures {
  readonly stack: readonly RunFigures[];
  readonly floor: readonly RunFigures[];
  readonly stackRps: number;
  readonly floorRps: number;
  readonly rpsRatio: number;
  readonly stackP99Ms: number;
  readonly floorP99Ms: number;
  readonly p99Ratio: number;
  /** The stack's socket errors, timeouts and non-2xx answers, in the rounds and its warm-up. */
  readonly errors: number;
  /** The floor's, in its rounds: a floor that fails makes the comparison meaningless. */
  readonly floorErrors: number;
}

export interface LoadFigures {
  readonly connections: number;
  readonly stackWarmupSeconds: number;
  readonly floorWarmupSeconds: number;
  readonly roundSeconds: number;
  readonly rounds: number;
  readonly get: MethodFigures;
  readonly post: MethodFigures;
  /** The stack process's resident memory after each round, bytes. */
  readonly stackRssAfterRound: readonly number[];
  readonly floorRssAfterRound: readonly number[];
  /**
   * The stack's highest resident memory while under load in each round (sampled every 250 ms),
   * bytes: what a leak would push up round after round. RSS sampled once after a round depends
   * on whether V8's memory reducer has just shrunk the idle isolates' heaps.
   */
  readonly stackPeakRssInRound: readonly number[];
  /** What the stack printed per request (its log lines), bytes. */
  readonly stackLogBytesPerRequest: number;
}

export interface LoadOptions {
  readonly dynamoDbEndpoint: string;
  /** The engine's own process (DynamoDB Local's JVM), to report its CPU time per request. */
  readonly enginePid?: number | undefined;
  readonly rounds: number;
  readonly roundSeconds: number;
  /**
   * Load before the rounds, in slices alternating GET and POST, so every execution environment has
   * been created and the JIT has compiled what runs hot: the stack's environments are copies of the
   * function, each with its own objects warming up on its share of the requests, in worker threads
   * whose isolates see only that share (measured here: about a minute to reach its steady
   * throughput and memory), the floor one copy in one isolate that sees them all.
   */
  readonly stackWarmupSeconds: number;
  readonly floorWarmupSeconds: number;
  readonly connections?: number;
  readonly progress: (line: string) => void;
  /** Called with the stack's URL while it is still running (figure 4 reads from it). */
  readonly whileRunning?: (stackUrl: string) => Promise<void>;
}

const FLOOR_TABLE = 'bench-floor';
const POST_BODY = JSON.stringify({ author: 'bench', text: 'A short message from the benchmark' });

const load = async (url: string, method: Method, seconds: number, connections: number): Promise<Result> =>
  autocannon({
    url: `${url}/messages`,
    connections,
    duration: seconds,
    method,
    timeout: 10,
    // Latencies and throughput of 2xx answers only; the others are counted as errors.
    excludeErrorStats: true,
    ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: POST_BODY } : {}),
  });

const measured = async (
  server: ServerProcess,
  enginePid: number | undefined,
  run: () => Promise<Result>,
  onRss: (bytes: number) => void,
): Promise<RunFigures> => {
  const cpuBefore = cpuMs(server.pid);
  const engineBefore = enginePid === undefined ? Number.NaN : cpuMs(enginePid);
  const sampler = setInterval(() => onRss(rssBytes(server.pid)), 250);
  const result = await run().finally(() => clearInterval(sampler));
  const answers = answersOf(result);
  const { requests } = answers;
  return {
    ...answers,
    cpuMsPerRequest: (cpuMs(server.pid) - cpuBefore) / Math.max(1, requests),
    engineCpuMsPerRequest:
      enginePid === undefined ? Number.NaN : (cpuMs(enginePid) - engineBefore) / Math.max(1, requests),
  };
};

const errorsOf = (runs: readonly { errors: number }[]): number =>
  runs.reduce((sum, run) => sum + run.errors, 0);

/**
 * A method's figures over its rounds: requests a second and p99 latency are each the mean over
 * the rounds (a round's p99 is autocannon's, over that round's 2xx answers), for stack and floor.
 */
const summarise = (stack: RunFigures[], floor: RunFigures[], stackWarmupErrors: number): MethodFigures => {
  const stackRps = mean(stack.map((run) => run.rps));
  const floorRps = mean(floor.map((run) => run.rps));
  const stackP99Ms = mean(stack.map((run) => run.p99Ms));
  const floorP99Ms = mean(floor.map((run) => run.p99Ms));
  return {
    stack,
    floor,
    stackRps,
    floorRps,
    rpsRatio: stackRps / floorRps,
    stackP99Ms,
    floorP99Ms,
    p99Ratio: stackP99Ms / floorP99Ms,
    errors: stackWarmupErrors + errorsOf(stack),
    floorErrors: errorsOf(floor),
  };
};

const seed = async (url: string, count: number) => {
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${url}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ author: 'seed', text: `seed message ${i}` }),
      // A stack that took the connection and never answers fails the run, rather than holding it.
      signal: AbortSignal.timeout(30_000),
    });
    await response.arrayBuffer();
    if (response.status !== 201) throw new Error(`seeding ${url} answered ${response.status}`);
  }
};

export const measureLoad = async (options: LoadOptions): Promise<LoadFigures> => {
  const connections = options.connections ?? 16;
  const { progress, dynamoDbEndpoint } = options;
  await ensureMessagesTable(dynamoDbEndpoint, FLOOR_TABLE);
  /** The servers that started, to stop whatever happens next. */
  const servers: ServerProcess[] = [];
  try {
    progress('load: starting the local stack (backend/local/main.ts) and the floor server');
    // If one fails to start, the other may have started all the same and must be stopped (the
    // finally below): so both are awaited, not only the first to fail.
    const [startedStack, startedFloor] = await Promise.allSettled([
      startServerProcess(
        ['--import', 'tsx', 'backend/local/main.ts', '--port', '0'],
        {
          DYNAMODB_ENDPOINT: dynamoDbEndpoint,
          // Run directly, main.ts outlives its parent on purpose; this child must end with the
          // bench however the bench was started.
          WHITEBOARD_EXIT_WITH_PARENT: '1',
        },
        /API ready at (http:\/\/\S+)/,
      ),
      startServerProcess(
        ['--import', 'tsx', 'bench/floor/floor-server.ts'],
        {
          ...localAwsEnvironment,
          TABLE_NAME: FLOOR_TABLE,
          DYNAMODB_ENDPOINT: dynamoDbEndpoint,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        /floor ready at (http:\/\/\S+)/,
      ),
    ]);
    for (const result of [startedStack, startedFloor])
      if (result.status === 'fulfilled') servers.push(result.value);
    if (startedStack.status === 'rejected') throw startedStack.reason;
    if (startedFloor.status === 'rejected') throw startedFloor.reason;
    const stack = startedStack.value;
    const floor = startedFloor.value;
    const targets = { stack, floor };
    await Promise.all([seed(stack.url, 5), seed(floor.url, 5)]);

    const stackWarmupErrors: Record<Method, number> = { GET: 0, POST: 0 };
    // The floor first: the stack goes into the rounds straight from its own warm-up.
    for (const [target, seconds] of [
      [floor, options.floorWarmupSeconds],
      [stack, options.stackWarmupSeconds],
    ] as const) {
      const name = target === stack ? 'stack' : 'floor';
      progress(`load: warming up the ${name} (${seconds} s, GET and POST alternating)`);
      const slice = Math.min(5, seconds / 2);
      for (let elapsed = 0; elapsed < seconds; elapsed += 2 * slice) {
        const get = answersOf(await load(target.url, 'GET', slice, connections));
        const post = answersOf(await load(target.url, 'POST', slice, connections));
        if (target === stack) {
          stackWarmupErrors.GET += get.errors;
          stackWarmupErrors.POST += post.errors;
        }
        progress(
          `load: warm-up ${name} GET ${get.rps.toFixed(0)} req/s, POST ${post.rps.toFixed(0)} req/s, ` +
            `RSS ${(rssBytes(target.pid) / 2 ** 20).toFixed(0)} MiB`,
        );
      }
    }

    const runs: Record<Method, Record<'stack' | 'floor', RunFigures[]>> = {
      GET: { stack: [], floor: [] },
      POST: { stack: [], floor: [] },
    };
    const stackRssAfterRound: number[] = [];
    const floorRssAfterRound: number[] = [];
    const stackPeakRssInRound: number[] = [];
    let stackRequests = 0;
    const logBytesBefore = stack.stdoutBytes();
    for (let round = 1; round <= options.rounds; round++) {
      const order = round % 2 === 1 ? (['stack', 'floor'] as const) : (['floor', 'stack'] as const);
      let peak = 0;
      for (const method of ['GET', 'POST'] as const) {
        for (const name of order) {
          const target = targets[name];
          const run = await measured(
            target,
            options.enginePid,
            () => load(target.url, method, options.roundSeconds, connections),
            (bytes) => {
              if (name === 'stack') peak = Math.max(peak, bytes);
            },
          );
          runs[method][name].push(run);
          if (name === 'stack') stackRequests += run.requests;
          progress(
            `load: round ${round}/${options.rounds} ${method} ${name.padEnd(5)} ${run.rps.toFixed(0).padStart(6)} req/s ` +
              `p99 ${run.p99Ms.toFixed(1)} ms, CPU/request ${run.cpuMsPerRequest.toFixed(2)} ms ` +
              `(engine ${run.engineCpuMsPerRequest.toFixed(2)} ms)${run.errors > 0 ? ` ${run.errors} errors` : ''}`,
          );
        }
      }
      stackRssAfterRound.push(rssBytes(stack.pid));
      floorRssAfterRound.push(rssBytes(floor.pid));
      stackPeakRssInRound.push(peak);
      progress(
        `load: round ${round} stack RSS peak ${(peak / 2 ** 20).toFixed(1)} MiB, after the round ` +
          `${((stackRssAfterRound.at(-1) ?? 0) / 2 ** 20).toFixed(1)} MiB`,
      );
    }
    const stackLogBytesPerRequest = (stack.stdoutBytes() - logBytesBefore) / Math.max(1, stackRequests);
    await options.whileRunning?.(stack.url);
    return {
      connections,
      stackWarmupSeconds: options.stackWarmupSeconds,
      floorWarmupSeconds: options.floorWarmupSeconds,
      roundSeconds: options.roundSeconds,
      rounds: options.rounds,
      get: summarise(runs.GET.stack, runs.GET.floor, stackWarmupErrors.GET),
      post: summarise(runs.POST.stack, runs.POST.floor, stackWarmupErrors.POST),
      stackRssAfterRound,
      floorRssAfterRound,
      stackPeakRssInRound,
      stackLogBytesPerRequest,
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
};
