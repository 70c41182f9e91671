import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The fields of /proc/<pid>/stat after the command name (proc(5)), which is in parentheses and may
 * hold spaces: [0] is the state, [1] the parent's id. Undefined where there is no such process, or
 * no /proc (macOS).
 */
export const procStatFields = (pid: number | 'self'): string[] | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
};

/**
 * Whether a process is alive: the signal 0 check (kill(2): no signal is sent; EPERM means it
 * exists but belongs to someone else), and not a zombie. A process that has ended but whose parent
 * has not waited for it (where PID 1 reaps no orphans, as in a container run without an init) is a
 * zombie, state Z, on which kill(pid, 0) still succeeds. State Z is also that of a process whose
 * main thread has ended while its other threads still end (a killed JVM), which still holds its
 * files and sockets: ended only once no thread but the main one is left in /proc/<pid>/task. The
 * local stack uses this to tell a claim or a folder left behind by a process that ended from one
 * still in use.
 */
export const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (procStatFields(pid)?.[0] !== 'Z') return true;
  try {
    return readdirSync(`/proc/${pid}/task`).length > 1;
  } catch {
    // Reaped meanwhile.
    return false;
  }
};

// Read when this module is evaluated, before its importers' own code runs: a parent that goes away
// while they start up is noticed too.
const parentPid = process.ppid;

/**
 * Calls `onGone` once, within `intervalMs`, when this process's parent has exited (the process is
 * then re-parented, so its ppid changes). `npm start` and `npm run bench` run under a shell that
 * does not pass npm's SIGTERM on (dash, Debian's sh), so without this they would run on, orphaned.
 * The timer never keeps the process alive by itself.
 */
export const watchParent = (onGone: () => void, intervalMs = 1000): void => {
  const timer = setInterval(() => {
    if (process.ppid === parentPid) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
};

/** Whether a child process has exited (by itself or by a signal). */
export const hasExited = (child: ChildProcess): boolean =>
  child.exitCode !== null || child.signalCode !== null;

/**
 * Sends SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. The child is
 * ref'd first: a child its parent does not otherwise wait for (DynamoDB Local's JVM is unref'd)
 * would let the event loop end once the SIGKILL timer has fired, before the child's exit is seen,
 * and the parent would exit in the middle of its stop.
 */
export const terminate = async (child: ChildProcess, graceMs: number): Promise<void> => {
  // No pid: the process never started (spawn failed), so there is nothing to wait for.
  if (child.pid === undefined || hasExited(child)) return;
  child.ref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
};
