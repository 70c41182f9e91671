/**
 * How fast the `whiteboard` CLI starts: wall time of `node <bin> read --json`, where <bin> is the
 * `whiteboard` bin package.json declares (what `npx whiteboard` runs), against `node -e ''` on the
 * same machine in the same run, alternating the two so that load from anything else lands on
 * both. The ratio is the median of each pair's ratio, as for the cold starts (a machine whose speed
 * drifts during the run moves both runs of a pair alike); the ms are each command's own median.
 * The issue asks for a ratio of at most 1.6.
 *
 * Beside them, for scale, a script that makes the same request with node:http and nothing else
 * (floor/one-request.cjs), run in the same rounds: what Node.js, the connection and the API's
 * answer take before the CLI adds anything, as the no-op X-Ray SDK row is for the traced cold start.
 *
 * Run directly: `node --import tsx bench/cli-start.ts [--url <api>] [--runs <n>]`. Without --url
 * it serves a canned page from this process, so the number is the CLI's start-up and one HTTP
 * round trip, not the API's latency.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { messagesPath } from '../cli/api.ts';
import { repoRoot, tracked } from './lib/processes.ts';
import { median, pairOrder } from './lib/stats.ts';

export interface CliStartOptions {
  /** API to read from; a canned in-process server when absent. */
  readonly url?: string | undefined;
  /** Measured runs of each command (after `warmup` unmeasured ones). */
  readonly runs?: number | undefined;
  readonly warmup?: number | undefined;
  /** The script to run; defaults to the `whiteboard` bin in this repository's package.json. */
  readonly cliPath?: string | undefined;
  readonly board?: string | undefined;
}

export interface CliStartResult {
  /** Median wall time of `whiteboard read --json`, ms. */
  readonly cliMs: number;
  /** Median wall time of `node -e ''`, ms. */
  readonly nodeMs: number;
  /** Median of each pair's ratio (a run of each, back to back). */
  readonly ratio: number;
  /** Median wall time of one node:http request and nothing else (floor/one-request.cjs), ms. */
  readonly bareClientMs: number;
  /** Median, over the rounds, of its time against `node -e ''` in the same round. */
  readonly bareClientRatio: number;
  readonly runs: number;
}

const bareClient = resolve(repoRoot, 'bench/floor/one-request.cjs');

/** The `whiteboard` bin as package.json declares it. */
const declaredBin = (): string => {
  const { bin } = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as {
    bin: string | Record<string, string>;
  };
  const path = typeof bin === 'string' ? bin : bin.whiteboard;
  if (path === undefined) throw new Error('package.json declares no `whiteboard` bin');
  return resolve(repoRoot, path);
};

/**
 * The environment both commands start in: a clean one, as a user's shell gives, not the bench's.
 * Variables that Node.js reads at every start weigh on both sides and pull the ratio towards 1:
 * `NODE_EXTRA_CA_CERTS` makes Node load a certificate bundle before any code runs (these machines
 * set it: `node -e ''` takes about twice as long with it), and a V8 flag in `NODE_OPTIONS` voids
 * the CLI's code cache. The cold starts are run in a clean environment too (cold-start.ts).
 */
const startEnvironment: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  ...(process.env.HOME === undefined ? {} : { HOME: process.env.HOME }),
  NO_COLOR: '1',
};

/** Wall time of one child process, spawn to exit; it fails on a non-zero exit (a broken CLI is fast). */
const timeRun = (args: readonly string[]): Promise<number> =>
  new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = tracked(
      spawn(process.execPath, args, {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: startEnvironment,
      }),
      // A start takes about a tenth of a second; the CLI's own timeouts end a request in 10 s.
      { ms: 60_000, what: `node ${args.join(' ')}`, fail: reject },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolvePromise(ms);
      else reject(new Error(`node ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
    });
  });

/** A stand-in API answering every request with one page of three messages. */
const startCannedApi = async (): Promise<{ url: string; close: () => Promise<void> }> => {
  const page = JSON.stringify({
    messages: [1, 2, 3].map((n) => ({
      id: `01HZZZZZZZZZZZZZZZZZZZZZZ${n}`,
      board: 'default',
      author: 'bench',
      text: `message ${n}`,
      createdAt: new Date().toISOString(),
    })),
    nextCursor: null,
  });
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(page);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((done) => server.close(() => done())),
  };
};

export const measureCliStart = async (options: CliStartOptions = {}): Promise<CliStartResult> => {
  const runs = options.runs ?? 30;
  const warmup = options.warmup ?? 3;
  const cliPath = options.cliPath ?? declaredBin();
  if (!existsSync(cliPath)) throw new Error(`${cliPath} does not exist; run \`npm run build\` first`);
  const canned = options.url === undefined ? await startCannedApi() : undefined;
  const url = options.url ?? canned?.url ?? '';
  const board = options.board ?? 'default';
  // In pairOrder's order: the baseline, the one judged, then the one for scale.
  const node = { args: ['-e', ''], times: [] as number[] };
  const cli = { args: [cliPath, 'read', '--json', '--url', url, '--board', board], times: [] as number[] };
  const bare = {
    args: [bareClient, `${url.replace(/\/+$/, '')}${messagesPath(board)}`],
    times: [] as number[],
  };
  const commands = [node, cli, bare];
  try {
    for (let i = 0; i < warmup; i++) {
      for (const { args } of commands) await timeRun(args);
    }
    for (let i = 0; i < runs; i++) {
      for (const index of pairOrder(commands.length, i)) {
        const command = commands[index] as (typeof commands)[number];
        command.times.push(await timeRun(command.args));
      }
    }
    // Each run against the `node -e ''` of its own round.
    const againstNode = (times: readonly number[]) =>
      median(times.map((ms, index) => ms / (node.times[index] as number)));
    return {
      cliMs: median(cli.times),
      nodeMs: median(node.times),
      ratio: againstNode(cli.times),
      bareClientMs: median(bare.times),
      bareClientRatio: againstNode(bare.times),
      runs,
    };
  } finally {
    await canned?.close();
  }
};

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const flag = (name: string): string | undefined => {
    const index = process.argv.indexOf(name);
    return index === -1 ? undefined : process.argv[index + 1];
  };
  const runs = flag('--runs');
  const result = await measureCliStart({
    url: flag('--url'),
    runs: runs === undefined ? undefined : Number(runs),
  });
  process.stdout.write(
    `whiteboard read --json: ${result.cliMs.toFixed(1)} ms, node -e '': ${result.nodeMs.toFixed(1)} ms, ` +
      `ratio ${result.ratio.toFixed(2)} (median of ${result.runs} pairs; target <= 1.6); ` +
      `one node:http request alone: ${result.bareClientMs.toFixed(1)} ms, ratio ${result.bareClientRatio.toFixed(2)}\n`,
  );
}
