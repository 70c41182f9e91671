/**
 * Figure 3: what our layers (request parsing, validation, the service, Powertools Logger, Metrics
 * and Tracer wiring) cost per warm invocation, as p50/p99 microseconds over the handler time of a
 * bare handler returning the same JSON. Runs handler-cost-child.ts in a child process with the
 * environment Lambda gives a function (tracing off, as in the local stack).
 */
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { functions } from '../backend/http/routes.ts';
import { functionVariables } from '../backend/local/stack.ts';
import type { HandlerCostReport, HandlerCostRequest } from './handler-cost-child.ts';
import { repoRoot, tracked } from './lib/processes.ts';

export type { HandlerCostReport } from './handler-cost-child.ts';

export const measureHandlerCost = (request: HandlerCostRequest): Promise<HandlerCostReport[]> =>
  new Promise((resolvePromise, reject) => {
    // The local stack's environment for the function; the table is never reached (in-memory repository).
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...functionVariables(functions.readMessages, 'unused', 'http://127.0.0.1:9'),
    };
    for (const name of [
      'AWS_EXECUTION_ENV',
      'POWERTOOLS_DEV',
      'POWERTOOLS_METRICS_DISABLED',
      '_X_AMZN_TRACE_ID',
    ]) {
      Reflect.deleteProperty(env, name);
    }
    const child = tracked(
      fork(resolve(repoRoot, 'bench/handler-cost-child.ts'), [], {
        cwd: repoRoot,
        env,
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      }),
      // Some seconds on a small machine.
      { ms: 600_000, what: 'the handler cost child', fail: reject },
    );
    let stderr = '';
    child.stdout?.resume();
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
    });
    child.once('message', (message: { reports?: HandlerCostReport[]; error?: string }) => {
      if (message.reports) resolvePromise(message.reports);
      else reject(new Error(`handler cost: ${message.error}`));
    });
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`handler cost child exited with ${code}: ${stderr}`));
    });
    child.send(request);
  });
