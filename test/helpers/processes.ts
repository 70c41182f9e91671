import { readdirSync, readFileSync } from 'node:fs';

/**
 * The fields of /proc/<pid>/stat after the command name (proc(5)), which is in parentheses and may
 * hold spaces: [0] is the state, [1] the parent's id. Undefined where there is no such process, or
 * no /proc (macOS).
 */
const statFields = (pid: number): string[] | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
};

/**
 * Whether a process runs: the signal 0 check (kill(2); EPERM means it exists but is someone
 * else's), and not a zombie. A process that has ended but that its parent has not yet waited for
 * is a zombie (state Z): kill(pid, 0) still succeeds on it, and a test would take a process that
 * was stopped, or died, for one still running. But state Z is also that of a process whose main
 * thread has ended while others still end (a killed JVM), and which still holds its files and
 * sockets: ended only when no thread but the main one is left in /proc/<pid>/task.
 */
export const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (statFields(pid)?.[0] !== 'Z') return true;
  try {
    return readdirSync(`/proc/${pid}/task`).length > 1;
  } catch {
    // Reaped meanwhile.
    return false;
  }
};

/** The id of a process's parent (Linux), or undefined when it is gone. */
export const parentOf = (pid: number): number | undefined => {
  const parent = statFields(pid)?.[1];
  return parent === undefined ? undefined : Number(parent);
};
