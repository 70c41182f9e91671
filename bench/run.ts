/**
 * `npm run bench`: the performance figures of the issue on performance, each against a baseline
 * measured in the same run on the same machine (these machines are shared and noisy: ratios from
 * one run mean something, absolute times little). Progress on stderr, a table on stdout, and with
 * `--json <file>` the same figures as JSON.
 *
 *   npm run bench -- [--quick] [--json <file>]
 *
 * 1. load.ts        the local stack under load against a bare node:http floor (and 6. its memory)
 * 2. cold-start.ts  each shipped bundle's cold start against a floor bundle
 * 3. handler-cost.ts what our layers cost per warm invocation; isolation-cost.ts what one
 *    invocation per environment costs, in copies sharing a thread and with a thread each
 * 4. bench/cli-start.ts (the CLI's own benchmark) against the local stack
 * 5. dynamodb-cost.ts DynamoDB commands and capacity per request
 *
 * The only file of the bench that touches process.argv, the exit code and signals (through
 * backend/local/graceful-stop.ts, as the local stack does). Ctrl-C or a SIGTERM stops the child
 * processes and the engine and removes the bundles before it exits.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { commandLine, type Fail } from '../backend/local/command-line.ts';
// Static, so evaluated before the slow imports below: it reads the parent's pid as it loads, and a
// parent gone while the bench starts must be noticed too (graceful-stop.ts).
import { handleStopSignals, runByNpm } from '../backend/local/graceful-stop.ts';
import { repoRoot, stopChildren, tracked } from './lib/processes.ts';
import {
  CLI_START_BUDGET,
  COLD_START_BUDGET,
  formatRatio,
  MEMORY_GROWTH_BUDGET,
  memoryGrowth,
  P99_BUDGET,
  THROUGHPUT_BUDGET,
} from './lib/verdicts.ts';

const HELP = `Usage: npm run bench -- [--quick] [--json <file>]

Measures the local stack, the Lambda bundles and the CLI against baselines measured in the same
run (about 8 minutes; --quick: fewer and shorter runs, figures rougher). Progress on stderr, a
table on stdout.

Options:
  --quick          fewer and shorter runs
  --json <file>    also write the figures as JSON to <file> (its folder must exist)
  -h, --help       show this help

Environment:
  WHITEBOARD_BENCH_ENGINE  dynamodb-local (default: DynamoDB Local, needs Java 17+) or dynalite
                           (runs without Java, inside the bench's own process beside the load
                           generator: its figures are not comparable with DynamoDB Local runs)
`;

const command = commandLine('npm run bench', HELP, {
  json: { type: 'string' },
  quick: { type: 'boolean' },
});
const { args } = command;
const fail: Fail = command.fail;

/** Why `path` cannot be written, or undefined: checked now, not at the end of an 8-minute run. */
const unwritable = (path: string): string | undefined => {
  const folder = dirname(path);
  try {
    const stat = statSync(folder, { throwIfNoEntry: false });
    if (stat === undefined) return `the folder ${folder} does not exist`;
    if (!stat.isDirectory()) return `${folder} is not a folder`;
    // Opened, not access()ed: root passes access() where it still cannot write (/proc, a
    // read-only mount). An existing file is opened without truncating it; a new one is removed.
    if (existsSync(path)) closeSync(openSync(path, 'r+'));
    else {
      closeSync(openSync(path, 'wx'));
      rmSync(path);
    }
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') return `${path} is a folder`;
    return `${path} cannot be written (${(error as Error).message})`;
  }
};
const jsonPath = args.json === undefined ? undefined : resolve(args.json);
const jsonProblem = jsonPath === undefined ? undefined : unwritable(jsonPath);
if (jsonProblem !== undefined) fail(`--json ${args.json}: ${jsonProblem}`);

const ENGINES = ['dynamodb-local', 'dynalite'] as const;
// An empty value counts as unset, as shells leave it by `WHITEBOARD_BENCH_ENGINE= npm run bench`.
const engineChoice = process.env.WHITEBOARD_BENCH_ENGINE?.trim() || 'dynamodb-local';
if (!(ENGINES as readonly string[]).includes(engineChoice))
  fail(`WHITEBOARD_BENCH_ENGINE=${engineChoice} is not an engine: use ${ENGINES.join(' or ')}`);
const NOT_COMPARABLE = 'in the bench process, beside the load generator: figures not comparable';

// What is running, for an interrupt to stop; set as each starts.
let startedEngine: { readonly stop: () => Promise<void> } | undefined;
let startedBundles: { readonly remove: () => void } | undefined;
let cleaning: Promise<void> | undefined;
/** Stops the children and the engine and removes the bundles, once however often it is called. */
const cleanUp = (): Promise<void> => {
  cleaning ??= (async () => {
    await Promise.allSettled([stopChildren(), startedEngine?.stop()]);
    startedBundles?.remove();
  })();
  return cleaning;
};

// Interrupted: 130 or 143, as a shell reports a process these signals ended. Under npm the bench
// also stops when its parent goes away (graceful-stop.ts says why).
const { stopping } = handleStopSignals({
  what: "the bench's processes and the engine",
  output: process.stderr,
  stop: cleanUp,
  signals: { SIGINT: 130, SIGTERM: 143 },
  parentGoneExitCode: runByNpm() ? 1 : undefined,
});
/** Once interrupted, the run waits here for the stop to exit the process, instead of going on. */
const haltIfStopping = async () => {
  if (stopping()) await new Promise<never>(() => undefined);
};

// The SDK warns once per process on Node < 22 (@aws-sdk/core, emitWarningIfUnsupportedVersion);
// Lambda runs Node 24.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { startDynamoDbEngine } = await import('../backend/local/dynamodb-engine.ts');
const { detectJava, isJava, MIN_JAVA_MAJOR } = await import('../backend/local/engine/java.ts');
const { functions } = await import('../backend/http/routes.ts');
const { measureColdStarts } = await import('./cold-start.ts');
const { measureDynamoDbCost } = await import('./dynamodb-cost.ts');
const { measureHandlerCost } = await import('./handler-cost.ts');
const { measureIsolationCost } = await import('./isolation-cost.ts');
const { ensureMessagesTable } = await import('../backend/local/tables.ts');
const { buildBenchBundles } = await import('./lib/bundles.ts');
const { buildLocal } = await import('../backend/local/build.ts');
const { measureLoad } = await import('./load.ts');

// The engine's 'auto' would fall back to dynalite without Java, inside this process, which also
// runs autocannon: load figures not comparable with other runs. So no fallback: say so, up front.
if (engineChoice === 'dynamodb-local') {
  const java = await detectJava();
  if (!isJava(java) || java.major < MIN_JAVA_MAJOR)
    fail(
      `DynamoDB Local needs Java ${MIN_JAVA_MAJOR}+ (${isJava(java) ? `java is ${java.version}` : `\`java -version\`: ${java.problem}`}); ` +
        `set WHITEBOARD_BENCH_ENGINE=dynalite to run anyway, figures not comparable`,
      1,
    );
}
await haltIfStopping();

const quick = args.quick === true;
const ISOLATION_TABLE = 'bench-isolation';
const settings = {
  // Rounds move by a tenth of the ratio from one to the next on a shared machine: six steady it,
  // an even number so that the stack and the floor go first as often (load.ts alternates them).
  loadRounds: quick ? 2 : 6,
  loadRoundSeconds: quick ? 2 : 6,
  stackWarmupSeconds: quick ? 12 : 60,
  floorWarmupSeconds: quick ? 6 : 20,
  coldStartPairs: quick ? 5 : 21,
  coldStartWarmupPairs: quick ? 1 : 2,
  handlerInvocations: quick ? 5_000 : 40_000,
  handlerWarmup: quick ? 2_000 : 5_000,
  isolationInvocations: quick ? 1_000 : 2_000,
  isolationWarmup: quick ? 1_000 : 3_000,
  isolationRounds: quick ? 2 : 4,
  cliRuns: quick ? 8 : 30,
};

const started = performance.now();
const progress = (line: string) => {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
};

/** One line of the table: a figure, its baseline, their ratio and the budget it must meet. */
interface Row {
  readonly figure: string;
  readonly value: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly budget: string;
  /** undefined: reported, no budget. */
  readonly ok: boolean | undefined;
}
const rows: Row[] = [];
const row = (r: Row) => rows.push(r);
const ms = (value: number) => `${value.toFixed(1)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

// In the printed header too: on a machine of another kind even the ratios move (the CLI start's
// most: docs/performance.md, "The CLI start").
const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
const report: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: {
    cores: availableParallelism(),
    cpu: cpuModel,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
  },
  settings: { quick, ...settings },
};

/** `npm run build`: figure 4 measures the CLI bundle as this tree builds it. */
const buildCli = () =>
  new Promise<void>((resolvePromise, reject) => {
    const child = tracked(
      spawn(process.execPath, ['scripts/build.mjs'], {
        cwd: repoRoot,
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`npm run build: ${stderr}`)),
    );
  });

progress(
  `starting ${engineChoice === 'dynalite' ? `dynalite (${NOT_COMPARABLE})` : 'DynamoDB Local'} ` +
    'in memory for the whole run; building the Lambda bundles and the CLI',
);
// If one of these fails, what the others started must still be stopped: so all are awaited, not
// only the first to fail (as backend/local/stack.ts starts its engine and build).
const [engineStart, bundlesBuild, cliBuild] = await Promise.allSettled([
  // Recorded as each is ready, for an interrupt meanwhile to stop.
  startDynamoDbEngine({ engine: engineChoice, inMemory: true }).then((started) => {
    startedEngine = started;
    return started;
  }),
  buildBenchBundles().then((built) => {
    startedBundles = built;
    return built;
  }),
  buildCli(),
]);
await haltIfStopping();
if (engineStart.status === 'rejected' || bundlesBuild.status === 'rejected') await cleanUp();
if (engineStart.status === 'rejected')
  fail(`could not start ${engineChoice}: ${(engineStart.reason as Error).message}`, 1);
if (bundlesBuild.status === 'rejected')
  fail(`could not build the Lambda bundles: ${(bundlesBuild.reason as Error).message}`, 1);
const engine = engineStart.value;
const bundles = bundlesBuild.value;
// Not fatal: figure 4 is then reported as not measured.
if (cliBuild.status === 'rejected')
  progress(`could not build the CLI: ${(cliBuild.reason as Error).message}`);
report.engine = engine.name;
progress(
  `engine: ${engine.name}${engine.kind === 'dynalite' ? ` (${NOT_COMPARABLE})` : ''} at ${engine.endpoint}; ` +
    `bundles in ${bundles.dir}`,
);

let failure: unknown;
try {
  // 5. DynamoDB cost per request.
  progress('5/6 DynamoDB cost per request (ReturnConsumedCapacity)');
  const cost = await measureDynamoDbCost(engine.endpoint);
  report.dynamoDbCost = cost;
  const costRow = (method: 'GET' | 'POST', units: 'RCU' | 'WCU', budget: number, command: string) => {
    const figures = cost[method === 'GET' ? 'get' : 'post'];
    const commands = Object.entries(figures.commandsPerRequest)
      .map(([name, count]) => `${count} ${name.replace(/Command$/, '')}`)
      .join(', ');
    const ok =
      figures.reported &&
      figures.maxCapacityUnitsPerCall <= budget &&
      Object.keys(figures.commandsPerRequest).length === 1 &&
      figures.commandsPerRequest[`${command}Command`] === 1;
    row({
      figure: `5. DynamoDB per ${method}`,
      // The costliest request, by which it is judged.
      value: `${commands}, ${figures.maxCapacityUnitsPerCall} ${units}`,
      baseline: `budget ${budget} ${units}`,
      ratio: formatRatio(figures.maxCapacityUnitsPerCall / budget),
      budget: `1 ${command}, <= ${budget} ${units}`,
      ok,
    });
  };
  costRow('GET', 'RCU', 0.5, 'Query');
  costRow('POST', 'WCU', 1, 'PutItem');

  // 3. Per-request cost in the handler.
  progress(`3/6 handler cost per warm invocation (${settings.handlerInvocations} invocations each)`);
  const handlerCost = await measureHandlerCost({
    invocations: settings.handlerInvocations,
    warmup: settings.handlerWarmup,
  });
  report.handlerCost = handlerCost;
  for (const figures of handlerCost) {
    progress(
      `handler ${figures.method}: ours p50 ${figures.ours.p50Us.toFixed(1)} µs p99 ${figures.ours.p99Us.toFixed(1)} µs, ` +
        `bare p50 ${figures.bare.p50Us.toFixed(1)} µs p99 ${figures.bare.p99Us.toFixed(1)} µs`,
    );
    for (const p of ['p50', 'p99'] as const) {
      const ours = figures.ours[`${p}Us`];
      const bare = figures.bare[`${p}Us`];
      row({
        figure: `3. handler ${figures.method} ${p}`,
        value: `${ours.toFixed(1)} µs`,
        baseline: `bare ${bare.toFixed(1)} µs`,
        ratio: formatRatio(ours / bare),
        budget: `report: layers cost ${(ours - bare).toFixed(1)} µs`,
        ok: undefined,
      });
    }
  }

  // 1's explanation: what one invocation per environment costs, before any emulator work.
  progress(
    '3/6 what one invocation per environment costs: 1 copy x 4 at a time vs 1 copy x 1, 4 copies in 1 thread (libraries shared or not) and 4 threads',
  );
  await ensureMessagesTable(engine.endpoint, ISOLATION_TABLE);
  const isolation = await measureIsolationCost({
    bundle: bundles.functions.readMessages,
    localBundlePath: (await buildLocal()).bundles.readMessages,
    dynamoDbEndpoint: engine.endpoint,
    tableName: ISOLATION_TABLE,
    concurrency: 4,
    invocations: settings.isolationInvocations,
    warmup: settings.isolationWarmup,
    rounds: settings.isolationRounds,
  });
  report.isolationCost = isolation;
  const isolationRows = [
    [
      '1 at a time',
      isolation.sequentialMicros,
      isolation.sequentialRatio,
      'one copy, one invocation at a time',
    ],
    ['4 copies, 1 thread', isolation.copiesMicros, isolation.copiesRatio, 'the local stack: 4 copies x 1'],
    [
      '4 copies, own libraries',
      isolation.copiesOwnLibrariesMicros,
      isolation.copiesOwnLibrariesRatio,
      'the same, the shipped bundle',
    ],
    ['4 copies, 4 threads', isolation.isolatedMicros, isolation.ratio, 'a thread per environment'],
  ] as const;
  for (const [arrangement, micros, ratio, meaning] of isolationRows) {
    row({
      figure: `3. GET handler + SDK call, ${arrangement}`,
      value: `${micros.toFixed(0)} µs CPU`,
      baseline: `4 at a time ${isolation.sharedMicros.toFixed(0)} µs`,
      ratio: formatRatio(ratio),
      budget: `report: ${meaning}`,
      ok: undefined,
    });
  }

  // 2. Cold starts.
  progress(`2/6 cold starts: ${settings.coldStartPairs} paired runs per bundle and mode`);
  const coldStarts = await measureColdStarts({
    bundles,
    dynamoDbEndpoint: engine.endpoint,
    pairs: settings.coldStartPairs,
    warmupPairs: settings.coldStartWarmupPairs,
    progress,
  });
  report.coldStarts = coldStarts;
  for (const figures of coldStarts) {
    const mode = figures.mode === 'local' ? 'node' : 'as Lambda, traced';
    // A traced start that sent no segment did not trace: a faster start, but not the figure.
    const tracedIfAsked = figures.mode === 'local' || figures.bundle.xrayDatagramsPerRun > 0;
    row({
      figure: `2. cold start ${figures.bundle.name} (${mode})`,
      value: tracedIfAsked
        ? ms(figures.bundle.medianMs)
        : `${ms(figures.bundle.medianMs)}, sent no X-Ray segment`,
      baseline: `floor ${ms(figures.floor.medianMs)}`,
      ratio: COLD_START_BUDGET.format(figures.bundle.ratio),
      budget: COLD_START_BUDGET.text,
      ok: tracedIfAsked && COLD_START_BUDGET.met(figures.bundle.ratio),
    });
    for (const scale of figures.forScale) {
      row({
        figure: `   ${scale.label} (${mode})`,
        value: ms(scale.medianMs),
        baseline: `floor ${ms(figures.floor.medianMs)}`,
        ratio: formatRatio(scale.ratio),
        budget: 'for scale',
        ok: undefined,
      });
    }
  }
  for (const id of Object.keys(functions) as Array<keyof typeof functions>) {
    const local = coldStarts.find((figures) => figures.functionId === id && figures.mode === 'local');
    const lambda = coldStarts.find((figures) => figures.functionId === id && figures.mode === 'lambda');
    if (!local) continue;
    row({
      figure: `2. bundle size ${local.bundle.name}`,
      value: `${kib(local.bundle.initBytes)} at init, ${kib(local.bundle.totalBytes)} in all`,
      baseline: `floor ${kib(local.floor.initBytes)} at init`,
      ratio: formatRatio(local.bundle.initBytes / local.floor.initBytes),
      budget: 'report (ceiling: test/infra)',
      ok: undefined,
    });
    row({
      figure: `2. peak memory ${local.bundle.name}`,
      value: `${mib(local.bundle.peakRssBytes)} / traced ${mib(lambda?.bundle.peakRssBytes ?? Number.NaN)}`,
      baseline: `floor ${mib(local.floor.peakRssBytes)}`,
      ratio: formatRatio(local.bundle.peakRssBytes / local.floor.peakRssBytes),
      budget: 'report',
      ok: undefined,
    });
  }

  // 1 and 6. The local stack under load; 4. the CLI against it while it runs.
  progress(
    `1/6 load: ${settings.loadRounds} rounds of ${settings.loadRoundSeconds} s per method, stack and floor alternating`,
  );
  const { measureCliStart } = await import('./cli-start.ts');
  let cli: Awaited<ReturnType<typeof measureCliStart>> | undefined;
  let cliError: string | undefined;
  const load = await measureLoad({
    dynamoDbEndpoint: engine.endpoint,
    enginePid: engine.pid,
    rounds: settings.loadRounds,
    roundSeconds: settings.loadRoundSeconds,
    stackWarmupSeconds: settings.stackWarmupSeconds,
    floorWarmupSeconds: settings.floorWarmupSeconds,
    progress,
    whileRunning: async (url) => {
      // A CLI that did not build is not timed: dist/ would still hold an earlier build.
      if (cliBuild.status === 'rejected') {
        cliError = `the CLI did not build: ${(cliBuild.reason as Error).message}`;
        return;
      }
      progress(
        `4/6 CLI start: whiteboard read --json against the local stack, ${settings.cliRuns} pairs (and one node:http request alone, for scale)`,
      );
      try {
        cli = await measureCliStart({ url, runs: settings.cliRuns });
      } catch (error) {
        cliError = (error as Error).message;
        progress(`CLI start not measured: ${cliError}`);
      }
    },
  });
  report.load = load;
  for (const [method, figures] of [
    ['GET', load.get],
    ['POST', load.post],
  ] as const) {
    // A floor that failed requests is no baseline: the ratios against it are not judged met.
    const floorSound = figures.floorErrors === 0;
    row({
      figure: `1. ${method} /messages throughput`,
      value: `${figures.stackRps.toFixed(0)} req/s`,
      baseline: `floor ${figures.floorRps.toFixed(0)} req/s`,
      ratio: THROUGHPUT_BUDGET.format(figures.rpsRatio),
      budget: THROUGHPUT_BUDGET.text,
      ok: floorSound && THROUGHPUT_BUDGET.met(figures.rpsRatio),
    });
    row({
      figure: `1. ${method} /messages p99 latency`,
      value: ms(figures.stackP99Ms),
      baseline: `floor ${ms(figures.floorP99Ms)}`,
      ratio: P99_BUDGET.format(figures.p99Ratio),
      budget: P99_BUDGET.text,
      ok: floorSound && P99_BUDGET.met(figures.p99Ratio),
    });
    row({
      figure: `1. ${method} errors and non-2xx`,
      value: String(figures.errors),
      baseline: floorSound ? '' : `floor ${figures.floorErrors}: not a baseline`,
      ratio: '',
      budget: '0',
      ok: figures.errors === 0,
    });
    const cpu = (runs: readonly { cpuMsPerRequest: number }[]) =>
      runs.reduce((sum, run) => sum + run.cpuMsPerRequest, 0) / runs.length;
    row({
      figure: `1. ${method} CPU per request`,
      value: ms(cpu(figures.stack)),
      baseline: `floor ${ms(cpu(figures.floor))}`,
      ratio: formatRatio(cpu(figures.stack) / cpu(figures.floor)),
      budget: 'report',
      ok: undefined,
    });
  }

  report.cliStart = cli ?? { error: cliError };
  row(
    cli
      ? {
          figure: '4. CLI start (whiteboard read --json)',
          value: ms(cli.cliMs),
          baseline: `node -e '' ${ms(cli.nodeMs)}`,
          ratio: CLI_START_BUDGET.format(cli.ratio),
          budget: CLI_START_BUDGET.text,
          ok: CLI_START_BUDGET.met(cli.ratio),
        }
      : {
          figure: '4. CLI start (whiteboard read --json)',
          value: 'not measured',
          baseline: '',
          ratio: '',
          budget: CLI_START_BUDGET.text,
          ok: false,
        },
  );
  if (cli) {
    row({
      figure: '   one node:http request, no CLI',
      value: ms(cli.bareClientMs),
      baseline: `node -e '' ${ms(cli.nodeMs)}`,
      ratio: formatRatio(cli.bareClientRatio),
      budget: 'for scale',
      ok: undefined,
    });
  }

  const peaks = load.stackPeakRssInRound;
  // The highest later round against the first: the figure the verdict goes by.
  const growth = memoryGrowth(peaks);
  row({
    figure: '6. stack RSS, peak in each round',
    value: `${peaks.map((bytes) => (bytes / 2 ** 20).toFixed(0)).join(' → ')} MiB`,
    baseline: `round 1 ${mib(peaks[0] ?? Number.NaN)}`,
    ratio: MEMORY_GROWTH_BUDGET.format(growth),
    budget: `no growth (each ${MEMORY_GROWTH_BUDGET.text})`,
    ok: MEMORY_GROWTH_BUDGET.met(growth),
  });
  row({
    figure: '6. stack RSS after each round',
    value: `${load.stackRssAfterRound.map((bytes) => (bytes / 2 ** 20).toFixed(0)).join(' → ')} MiB`,
    baseline: `floor ${load.floorRssAfterRound.map((bytes) => (bytes / 2 ** 20).toFixed(0)).join(' → ')} MiB`,
    ratio: '',
    budget: 'report',
    ok: undefined,
  });
} catch (error) {
  failure = error;
} finally {
  await cleanUp();
}
await haltIfStopping();

/** Writes the report to --json's file, if given; false when it could not be written. */
const writeReport = (): boolean => {
  if (jsonPath === undefined) return true;
  try {
    writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  } catch (error) {
    progress(`could not write ${jsonPath}: ${(error as Error).message}`);
    return false;
  }
  progress(`wrote ${jsonPath}`);
  return true;
};

if (failure !== undefined) {
  // The message, not a stack trace: the measurements' errors say what failed and the child's output.
  const message = failure instanceof Error ? failure.message : String(failure);
  // What was measured before the failure is kept, with the error, for whoever reads the file.
  report.error = message;
  report.table = rows;
  writeReport();
  fail(message, 1);
}

const headers: Row = {
  figure: 'figure',
  value: 'measured',
  baseline: 'baseline',
  ratio: 'ratio',
  budget: 'budget',
  ok: undefined,
};
const keys = ['figure', 'value', 'baseline', 'ratio', 'budget'] as const;
const widths = keys.map((key) => Math.max(...[headers, ...rows].map((r) => r[key].length)));
const line = (r: Row, verdict: string) =>
  `${keys.map((key, index) => r[key].padEnd(widths[index] ?? 0)).join('  ')}  ${verdict}`.trimEnd();
const verdict = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'met' : 'NOT MET');
const budgetsMet = {
  met: rows.filter((r) => r.ok === true).length,
  of: rows.filter((r) => r.ok !== undefined).length,
};
process.stdout.write(
  [
    `whiteboard bench ${report.date as string}: ${availableParallelism()} cores (${cpuModel}), Node ${process.version}, ${engine.name}${engine.kind === 'dynalite' ? ` (${NOT_COMPARABLE})` : ''}${quick ? ' (--quick)' : ''}`,
    line(headers, 'verdict'),
    ...rows.map((r) => line(r, verdict(r.ok))),
    `budgets met: ${budgetsMet.met} of ${budgetsMet.of}`,
    // Said under the table, as a reader checking a row would otherwise find the ratio wrong.
    "cold starts and the CLI start: the ratio is the median of each pair's ratio (the runs back to back, in turn first); the ms are each one's own median, which a machine whose speed changes between pairs can set apart from it",
    '',
  ].join('\n'),
);
report.table = rows;
report.budgetsMet = budgetsMet;
if (!writeReport()) fail(`could not write ${jsonPath}`, 1);
progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
// A budget not met is a finding to read, not a failure of the run (timed budgets stay out of
// `npm test` for the same reason). Child processes and the engine are stopped; a stray keep-alive
// socket must not hold the terminal.
process.exit(0);
