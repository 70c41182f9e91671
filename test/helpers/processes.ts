import { readdirSync } from 'node:fs';
import { procStatFields } from '../../backend/local/process-alive.ts';

/**
 * Whether a process runs: the local stack's own check (backend/local/process-alive.ts), which takes
 * a zombie for ended, so that a test does not take a process that was stopped, or died, for one
 * still running.
 */
export { processAlive as isRunning } from '../../backend/local/process-alive.ts';

/** The id of a process's parent (Linux), or undefined when it is gone. */
export const parentOf = (pid: number): number | undefined => {
  const parent = procStatFields(pid)?.[1];
  return parent === undefined ? undefined : Number(parent);
};

/** The processes whose parent is `pid` (Linux). */
export const childProcessesOf = (pid: number): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((candidate) => parentOf(candidate) === pid);
