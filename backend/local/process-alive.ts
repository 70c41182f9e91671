/**
 * Whether a process is alive, by the signal 0 check (kill(2): no signal is sent). EPERM means it
 * exists but belongs to someone else: alive all the same. The local stack uses it to tell a
 * claim or a folder left behind by a process that was killed from one still in use.
 */
export const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};
