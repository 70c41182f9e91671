/**
 * Child processes of the benchmark: started, drained, measured by pid, stopped; each tracked from
 * spawn to exit, so that an interrupted bench (bench/run.ts) can stop whichever are running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { procStatFields, terminate } from '../../backend/local/process-alive.ts';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

const running = new Set<ChildProcess>();

/** How long a measuring child may run, and what to do when it runs past that. */
export interface TimeLimit {
  readonly ms: number;
  /** What the child measures, for the error: "the ReadMessages cold start". */
  readonly what: string;
  /** Called once with the error when the child is stopped for running too long. */
  readonly fail: (error: Error) => void;
}

/**
 * Adds a child just spawned to those `stopChildren` stops; returns it. With a `limit`, a child
 * still running past it is killed and `limit.fail` called: a child that hangs must end the bench
 * with an error that names it, not hang it.
 */
export const tracked = <T extends ChildProcess>(child: T, limit?: TimeLimit): T => {
  running.add(child);
  const timer =
    limit === undefined
      ? undefined
      : setTimeout(() => {
          limit.fail(new Error(`${limit.what} did not end within ${limit.ms / 1000} s, and was stopped`));
          child.kill('SIGKILL');
        }, limit.ms);
  child.once('exit', () => {
    clearTimeout(timer);
    running.delete(child);
  });
  // A child that could not be spawned has no pid and may never emit 'exit'.
  child.once('error', () => {
    if (child.pid !== undefined) return;
    clearTimeout(timer);
    running.delete(child);
  });
  return child;
};

/** Stops every tracked child still running (an interrupt: their measurements are abandoned). */
export const stopChildren = async (graceMs = 5_000): Promise<void> => {
  await Promise.all([...running].map((child) => terminate(child, graceMs)));
};

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  /** Bytes the process wrote to stdout so far (its log lines, drained and discarded). */
  stdoutBytes(): number;
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` in the repository with stdout and stderr piped and drained (as a terminal
 * would read them), and resolves once a stdout line matches `ready` (its first group is the URL).
 */
export const startServerProcess = (
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<ServerProcess> =>
  new Promise((resolvePromise, reject) => {
    const child = tracked(
      spawn(process.execPath, args, {
        cwd: repoRoot,
        env: { ...process.env, ...env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let bytes = 0;
    let head = '';
    let stderr = '';
    let found = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`node ${args.join(' ')} did not print ${ready} within ${timeoutMs} ms:\n${head}${stderr}`),
      );
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (found) return;
      head += chunk.toString('utf8');
      const match = ready.exec(head);
      if (match?.[1] === undefined) return;
      found = true;
      clearTimeout(timer);
      resolvePromise({
        child,
        pid: child.pid as number,
        url: match[1],
        stdoutBytes: () => bytes,
        stop: () => terminate(child, 10_000),
      });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
    });
    child.once('exit', (code, signal) => {
      if (found) return;
      clearTimeout(timer);
      reject(
        new Error(`node ${args.join(' ')} exited (${signal ?? code}) before it was ready:\n${head}${stderr}`),
      );
    });
  });

/** Resident memory of a process now, from /proc (Linux), in bytes; NaN elsewhere. */
export const rssBytes = (pid: number): number => {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? Number.NaN : Number(match[1]) * 1024;
  } catch {
    return Number.NaN;
  }
};

/** CPU time (user + system) a process has used so far, from /proc (Linux), in ms; NaN elsewhere. */
export const cpuMs = (pid: number): number => {
  const fields = procStatFields(pid);
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; in clock ticks of
  // 10 ms (USER_HZ is 100 on Linux).
  return fields === undefined ? Number.NaN : (Number(fields[11]) + Number(fields[12])) * 10;
};
