/**
 * How a long-running command of this repository ends on a signal: the local stack (main.ts) and
 * the bench (bench/run.ts). The first signal stops what runs and exits once that is done; a second
 * one exits at once (128 + its number, as a shell reports a process a signal ended); a stop that
 * takes longer than `stopLimitMs` exits anyway, with 1.
 *
 * npm runs a script through a shell, and npm passes a SIGTERM on to that shell, which (dash,
 * Debian's sh) ends without passing it on: the command would run on, orphaned (the local stack
 * holding its port, the bench its engine). So a command can also stop when its parent goes away
 * (`parentGoneExitCode`); run directly (`nohup node ... &`), it outlives its parent on purpose.
 */
import { constants } from 'node:os';
// Static, so evaluated when the importer's imports are: it reads the parent's pid as it loads, and
// a parent that goes away while a slow start runs must be noticed too.
import { watchParent } from './process-alive.ts';

export interface GracefulStopOptions {
  /** What stops, for the line that says so: `SIGINT: stopping the local stack...`. */
  readonly what: string;
  /** Where that line and `stoppedLine` go; what went wrong goes to stderr. */
  readonly output: NodeJS.WritableStream;
  /** Stops everything; the process exits once it settles. */
  readonly stop: () => Promise<void>;
  /** Printed once stop() is done, before the exit. */
  readonly stoppedLine?: string | undefined;
  /** The signals to stop on, each with the exit code of the stop it starts. */
  readonly signals: Readonly<Partial<Record<NodeJS.Signals, number>>>;
  /** Stop also when the parent process exits, with this exit code; undefined: outlive it. */
  readonly parentGoneExitCode?: number | undefined;
  /** How long a stop may take before the process exits anyway (default STOP_LIMIT_MS). */
  readonly stopLimitMs?: number | undefined;
}

export interface GracefulStop {
  /**
   * Stops as a signal does, saying why (`${why}: stopping ...`). Called while a stop runs, it exits
   * at once, as a second signal does: check `stopping()` first where that is not meant.
   */
  readonly shutdown: (why: string, exitCode: number) => void;
  /** Whether a stop has begun: work that would start now should wait for the exit instead. */
  readonly stopping: () => boolean;
}

/** Whether npm runs this process (`npm start`, `npm run bench`): then it should end with its parent. */
export const runByNpm = (): boolean => process.env.npm_lifecycle_event !== undefined;

// Where the command gives none. The local stack gives its own, from the functions' timeout
// (stack.ts: `stopLimitMs`); the bench stops its children and engine in a few seconds.
const STOP_LIMIT_MS = 20_000;

export const handleStopSignals = ({
  what,
  output,
  stop,
  stoppedLine,
  signals,
  parentGoneExitCode,
  stopLimitMs = STOP_LIMIT_MS,
}: GracefulStopOptions): GracefulStop => {
  let stopping = false;
  const begin = (why: string, exitCode: number, forcedExitCode: number) => {
    if (stopping) {
      process.stderr.write('Forced exit.\n');
      process.exit(forcedExitCode);
    }
    stopping = true;
    output.write(`\n${why}: stopping ${what}...\n`);
    // Not unref'd: it keeps the process alive until stop() settles, should nothing else.
    const limit = setTimeout(() => {
      process.stderr.write('Stopping took too long; exiting anyway.\n');
      process.exit(1);
    }, stopLimitMs);
    stop().then(
      () => {
        clearTimeout(limit);
        if (stoppedLine !== undefined) output.write(`${stoppedLine}\n`);
        process.exit(exitCode);
      },
      (error: unknown) => {
        process.stderr.write(`error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  for (const [signal, exitCode] of Object.entries(signals) as [NodeJS.Signals, number][]) {
    process.on(signal, () => begin(signal, exitCode, 128 + constants.signals[signal]));
  }
  if (parentGoneExitCode !== undefined) {
    watchParent(() => {
      if (!stopping) begin('the parent process exited', parentGoneExitCode, parentGoneExitCode);
    });
  }
  return {
    shutdown: (why, exitCode) => begin(why, exitCode, exitCode),
    stopping: () => stopping,
  };
};
