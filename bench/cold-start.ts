/**
 * Figure 2: the cold start of each shipped bundle. A fresh Node process imports the bundle and
 * handles one real event against DynamoDB Local (cold-start-runner.mjs); wall time from spawn to
 * exit, against the floor bundle (only the lib-dynamodb call, same esbuild flags), in paired runs
 * that alternate which goes first. Twice: as the local stack runs it (tracing off, source maps on)
 * and as Lambda runs it as deployed, tracing on and source maps off (AWS_EXECUTION_ENV,
 * LAMBDA_TASK_ROOT and _X_AMZN_TRACE_ID set; the X-Ray segments go to a UDP listener here, counted
 * to prove tracing really was on).
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { ApiEvent } from '../backend/http/api-types.ts';
import { type FunctionId, functions } from '../backend/http/routes.ts';
import { lambdaTraceHeader } from '../backend/local/event.ts';
import { functionVariables } from '../backend/local/stack.ts';
import { ensureMessagesTable } from '../backend/local/tables.ts';
import type { BenchBundles, BuiltBundle } from './lib/bundles.ts';
import { getMessagesEvent, postMessageEvent } from './lib/events.ts';
import { repoRoot, tracked } from './lib/processes.ts';
import { median, pairOrder } from './lib/stats.ts';

export type ColdStartMode = 'local' | 'lambda';

export interface CandidateFigures {
  readonly name: string;
  /** Code loaded before the handler runs (bench/lib/bundles.ts). */
  readonly initBytes: number;
  /** All the bundle's code, chunks loaded on demand included. */
  readonly totalBytes: number;
  readonly medianMs: number;
  /** Median over the pairs of this run's time / the floor's time in the same pair. */
  readonly ratio: number;
  /** Median peak resident memory of the process, bytes. */
  readonly peakRssBytes: number;
  /**
   * X-Ray datagrams received per run, matched to the run by its trace id (tracing on: more than 0
   * for our bundles; run.ts judges a traced start that sent none as not met).
   */
  readonly xrayDatagramsPerRun: number;
  /** Median time of the bundle's import (Lambda's init phase), ms, as the process measured it. */
  readonly initMs: number;
  /** Median time of the first invocation, ms. */
  readonly invokeMs: number;
  /**
   * Median CPU time (user + system) of the process until the answer, ms: less hurt by a busy
   * machine than wall time.
   */
  readonly cpuMs: number;
}

export interface ColdStartFigures {
  readonly functionId: FunctionId;
  readonly mode: ColdStartMode;
  readonly pairs: number;
  readonly floor: CandidateFigures;
  readonly bundle: CandidateFigures;
  /** Bundles measured beside it for scale (bench/lib/bundles.ts), with no budget of their own. */
  readonly forScale: ReadonlyArray<CandidateFigures & { readonly label: string }>;
}

export interface ColdStartOptions {
  readonly bundles: BenchBundles;
  readonly dynamoDbEndpoint: string;
  readonly pairs: number;
  readonly warmupPairs: number;
  readonly progress: (line: string) => void;
}

const TABLE = 'bench-cold-start';
const runner = resolve(repoRoot, 'bench/cold-start-runner.mjs');

interface RunResult {
  readonly ms: number;
  readonly maxRssKb: number;
  readonly initMs: number;
  readonly invokeMs: number;
  readonly cpuMs: number;
}

const runOnce = (bundle: BuiltBundle, eventPath: string, env: NodeJS.ProcessEnv): Promise<RunResult> =>
  new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = tracked(
      spawn(process.execPath, [runner, bundle.path, bundle.handler, eventPath], {
        env,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      }),
      // A cold start takes a fraction of a second; the function's own timeout is 10 s or less.
      { ms: 60_000, what: `the ${bundle.name} cold start`, fail: reject },
    );
    let report = '';
    let output = '';
    // The clock stops when the report arrives: the handler has answered.
    let answered: bigint | undefined;
    child.stdout?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-2_000);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-2_000);
    });
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      answered ??= process.hrtime.bigint();
      report += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number((answered ?? process.hrtime.bigint()) - started) / 1e6;
      let parsed: {
        statusCode?: number;
        maxRssKb?: number;
        initMs?: number;
        invokeMs?: number;
        cpuMs?: number;
      } = {};
      try {
        parsed = JSON.parse(report) as typeof parsed;
      } catch {
        // reported below
      }
      const status = parsed.statusCode ?? 0;
      if (code !== 0 || status < 200 || status > 299) {
        reject(new Error(`${bundle.name} cold start failed (exit ${code}, status ${status}):\n${output}`));
        return;
      }
      resolvePromise({
        ms,
        maxRssKb: parsed.maxRssKb ?? Number.NaN,
        initMs: parsed.initMs ?? Number.NaN,
        invokeMs: parsed.invokeMs ?? Number.NaN,
        cpuMs: parsed.cpuMs ?? Number.NaN,
      });
    });
  });

export const measureColdStarts = async (options: ColdStartOptions): Promise<ColdStartFigures[]> => {
  const { bundles, dynamoDbEndpoint, progress } = options;
  await ensureMessagesTable(dynamoDbEndpoint, TABLE);

  // Datagrams counted by the trace they belong to (each run gets a trace of its own), so that one
  // arriving after its process has exited is still the run's, not the next run's.
  const xray = createSocket('udp4');
  const datagramsByTrace = new Map<string, number>();
  xray.on('message', (message: Buffer) => {
    const traceId = /"trace_id"\s*:\s*"([^"]+)"/.exec(message.toString('utf8'))?.[1];
    if (traceId !== undefined) datagramsByTrace.set(traceId, (datagramsByTrace.get(traceId) ?? 0) + 1);
  });
  await new Promise<void>((ready) => xray.bind(0, '127.0.0.1', ready));
  const xrayAddress = `127.0.0.1:${(xray.address() as AddressInfo).port}`;

  const events: Record<FunctionId, ApiEvent> = {
    readMessages: getMessagesEvent(),
    postMessage: postMessageEvent(),
  };
  const eventPaths = Object.fromEntries(
    (Object.keys(events) as FunctionId[]).map((id) => {
      const path = join(bundles.dir, `${id}-event.json`);
      writeFileSync(path, JSON.stringify(events[id]));
      return [id, path];
    }),
  ) as Record<FunctionId, string>;

  const environment = (id: FunctionId, mode: ColdStartMode, bundle: BuiltBundle): NodeJS.ProcessEnv => {
    // The local stack's environment for the function.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ...functionVariables(functions[id], TABLE, dynamoDbEndpoint),
    };
    if (mode === 'local') {
      // As the local stack's threads run (their execArgv, backend/local/execution-environments.ts);
      // the deployed functions run without (infra/constructs/whiteboard-function.ts).
      env.NODE_OPTIONS = '--enable-source-maps';
    } else {
      Object.assign(env, {
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        LAMBDA_TASK_ROOT: dirname(bundle.path),
        _X_AMZN_TRACE_ID: lambdaTraceHeader(undefined, Date.now()),
        AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
        AWS_XRAY_DAEMON_ADDRESS: xrayAddress,
      });
    }
    return env;
  };

  const figures: ColdStartFigures[] = [];
  try {
    // Three messages on the board first, so GET reads a full page.
    for (let i = 0; i < 3; i++) {
      await runOnce(
        bundles.floor,
        eventPaths.postMessage,
        environment('postMessage', 'local', bundles.floor),
      );
    }
    for (const id of Object.keys(functions) as FunctionId[]) {
      for (const mode of ['local', 'lambda'] as const) {
        const forScale = bundles.forScale.filter(
          (bundle) => bundle.beside === id && (mode === 'lambda' || !bundle.tracedOnly),
        );
        const candidates: BuiltBundle[] = [bundles.floor, bundles.functions[id], ...forScale];
        const times = candidates.map(() => [] as number[]);
        const ratios = candidates.map(() => [] as number[]);
        const rss = candidates.map(() => [] as number[]);
        const split = candidates.map(() => ({
          init: [] as number[],
          invoke: [] as number[],
          cpu: [] as number[],
        }));
        const traces = candidates.map(() => [] as string[]);
        const total = options.warmupPairs + options.pairs;
        for (let pair = 0; pair < total; pair++) {
          const measuredPair = pair >= options.warmupPairs;
          const pairTimes: number[] = [];
          for (const index of pairOrder(candidates.length, pair)) {
            const bundle = candidates[index] as BuiltBundle;
            const env = environment(id, mode, bundle);
            const run = await runOnce(bundle, eventPaths[id], env);
            if (!measuredPair) continue;
            const root = /Root=([^;]+)/.exec(env._X_AMZN_TRACE_ID ?? '')?.[1];
            if (root !== undefined) traces[index]?.push(root);
            pairTimes[index] = run.ms;
            (times[index] as number[]).push(run.ms);
            (rss[index] as number[]).push(run.maxRssKb * 1024);
            split[index]?.init.push(run.initMs);
            split[index]?.invoke.push(run.invokeMs);
            split[index]?.cpu.push(run.cpuMs);
          }
          if (!measuredPair) continue;
          for (let index = 0; index < candidates.length; index++) {
            (ratios[index] as number[]).push((pairTimes[index] as number) / (pairTimes[0] as number));
          }
        }
        // The last run's datagrams may still be on their way.
        await new Promise((settled) => setTimeout(settled, 100));
        const sent = traces.map((roots) =>
          roots.reduce((sum, root) => sum + (datagramsByTrace.get(root) ?? 0), 0),
        );
        const candidateFigures = candidates.map(
          (bundle, index): CandidateFigures => ({
            name: bundle.name,
            initBytes: bundle.initBytes,
            totalBytes: bundle.totalBytes,
            medianMs: median(times[index] as number[]),
            ratio: median(ratios[index] as number[]),
            peakRssBytes: median(rss[index] as number[]),
            xrayDatagramsPerRun: (sent[index] ?? 0) / options.pairs,
            initMs: median(split[index]?.init ?? []),
            invokeMs: median(split[index]?.invoke ?? []),
            cpuMs: median(split[index]?.cpu ?? []),
          }),
        );
        const result: ColdStartFigures = {
          functionId: id,
          mode,
          pairs: options.pairs,
          floor: candidateFigures[0] as CandidateFigures,
          bundle: candidateFigures[1] as CandidateFigures,
          forScale: forScale.map((bundle, index) => ({
            ...(candidateFigures[index + 2] as CandidateFigures),
            label: bundle.label,
          })),
        };
        figures.push(result);
        progress(
          `cold start: ${functions[id].id} ${mode === 'local' ? 'tracing off' : 'as Lambda, tracing on'}: ` +
            `${result.bundle.medianMs.toFixed(0)} ms vs floor ${result.floor.medianMs.toFixed(0)} ms, ` +
            `${result.bundle.ratio.toFixed(3)}x` +
            result.forScale.map((scale) => ` (${scale.label} ${scale.ratio.toFixed(3)}x)`).join('') +
            `; init ${result.bundle.initMs.toFixed(0)} vs ${result.floor.initMs.toFixed(0)} ms, ` +
            `first invocation ${result.bundle.invokeMs.toFixed(0)} vs ${result.floor.invokeMs.toFixed(0)} ms, ` +
            `CPU ${result.bundle.cpuMs.toFixed(0)} vs ${result.floor.cpuMs.toFixed(0)} ms` +
            (mode === 'lambda'
              ? `; ${result.bundle.xrayDatagramsPerRun.toFixed(1)} X-Ray datagrams a run`
              : ''),
        );
      }
    }
  } finally {
    xray.close();
  }
  return figures;
};
