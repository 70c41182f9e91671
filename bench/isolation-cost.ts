/**
 * Figure 1's explanation: what one invocation per environment costs. Lambda gives every execution
 * environment its own copy of the function, running one invocation at a time, with CPUs of its
 * own; the floor serves all its requests from one copy on one event loop. This measures the
 * ReadMessages function's warm invocations against DynamoDB Local in five arrangements
 * (isolation-cost-child.ts), CPU per invocation of the whole process, after every copy has been
 * warmed alike, against one copy serving 4 at a time:
 * - one copy running one invocation at a time: what it costs for an event loop to wait alone on
 *   each call (it sleeps and wakes once or twice per invocation where a busy loop does not);
 * - 4 copies in one thread, each one invocation at a time: what separate copies cost. The local
 *   stack runs its environments so (execution-environments.ts), on a build whose copies share the
 *   library code (backend/local/build.ts);
 * - the same with the shipped bundle, in which each copy has its own DynamoDB client code and
 *   Powertools: what sharing the libraries saves;
 * - 4 copies with a thread each, as isolated as Lambda's environments: what the threads add,
 *   which on a machine with few cores is most of the cost (`npm start -- --thread-per-environment`).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { functions } from '../backend/http/routes.ts';
import { functionVariables } from '../backend/local/stack.ts';
import type { IsolationCostReport, IsolationCostRequest } from './isolation-cost-child.ts';
import type { BuiltBundle } from './lib/bundles.ts';
import { getMessagesEvent } from './lib/events.ts';
import { repoRoot, tracked } from './lib/processes.ts';
import { median } from './lib/stats.ts';

export interface IsolationCostFigures {
  readonly concurrency: number;
  /** Median CPU per invocation, one copy serving `concurrency` invocations at a time, µs. */
  readonly sharedMicros: number;
  /** Median CPU per invocation, one copy serving one invocation at a time, µs. */
  readonly sequentialMicros: number;
  /**
   * Median CPU per invocation, `concurrency` copies in one thread, each one at a time, µs: the
   * local stack's build, whose copies share the library code.
   */
  readonly copiesMicros: number;
  /** The same with the shipped bundle: each copy has its own DynamoDB client and Powertools, µs. */
  readonly copiesOwnLibrariesMicros: number;
  /** Median CPU per invocation, `concurrency` copies each serving one at a time, µs. */
  readonly isolatedMicros: number;
  /** sequentialMicros / sharedMicros: what one invocation at a time costs, in one copy. */
  readonly sequentialRatio: number;
  /** copiesMicros / sharedMicros: what separate copies cost, without a thread each. */
  readonly copiesRatio: number;
  /** copiesOwnLibrariesMicros / sharedMicros. */
  readonly copiesOwnLibrariesRatio: number;
  /** isolatedMicros / sharedMicros. */
  readonly ratio: number;
}

export interface IsolationCostOptions {
  readonly bundle: BuiltBundle;
  /** The same function's index.mjs as the local stack builds it (backend/local/build.ts). */
  readonly localBundlePath: string;
  readonly dynamoDbEndpoint: string;
  readonly tableName: string;
  readonly concurrency: number;
  readonly invocations: number;
  readonly warmup: number;
  readonly rounds: number;
}

export const measureIsolationCost = (options: IsolationCostOptions): Promise<IsolationCostFigures> =>
  new Promise((resolvePromise, reject) => {
    const definition = functions.readMessages;
    const child = tracked(
      spawn(process.execPath, ['--import', 'tsx', resolve(repoRoot, 'bench/isolation-cost-child.ts')], {
        cwd: repoRoot,
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
      // Some seconds on a small machine.
      { ms: 600_000, what: 'the isolation cost child', fail: reject },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
    });
    child.once('error', reject);
    // 'close', not 'exit': at 'exit' the child's stdout may not all have been read yet.
    child.once('close', (code) => {
      if (code !== 0) {
        reject(new Error(`isolation cost child exited with ${code}: ${stderr}`));
        return;
      }
      let report: IsolationCostReport;
      try {
        report = JSON.parse(stdout) as IsolationCostReport;
        if (!Array.isArray(report?.shared)) throw new Error('not a report');
      } catch (error) {
        // Thrown here, in a listener, it would escape the bench's clean-up.
        reject(new Error(`isolation cost child printed no report (${(error as Error).message}): ${stderr}`));
        return;
      }
      const { shared, sequential, copies, copiesOwnLibraries, isolated } = report;
      const sharedMicros = median(shared);
      const sequentialMicros = median(sequential);
      const copiesMicros = median(copies);
      const copiesOwnLibrariesMicros = median(copiesOwnLibraries);
      const isolatedMicros = median(isolated);
      resolvePromise({
        concurrency: options.concurrency,
        sharedMicros,
        sequentialMicros,
        copiesMicros,
        copiesOwnLibrariesMicros,
        isolatedMicros,
        sequentialRatio: sequentialMicros / sharedMicros,
        copiesRatio: copiesMicros / sharedMicros,
        copiesOwnLibrariesRatio: copiesOwnLibrariesMicros / sharedMicros,
        ratio: isolatedMicros / sharedMicros,
      });
    });
    child.stdin.end(
      JSON.stringify({
        bundlePath: options.bundle.path,
        localBundlePath: options.localBundlePath,
        handlerName: options.bundle.handler,
        event: getMessagesEvent(),
        concurrency: options.concurrency,
        invocations: options.invocations,
        warmup: options.warmup,
        rounds: options.rounds,
        // What the local stack gives each execution environment.
        env: functionVariables(definition, options.tableName, options.dynamoDbEndpoint),
      } satisfies IsolationCostRequest),
    );
  });
