/**
 * The folder an engine keeps its data in: made, and claimed for this process by a lock file, so
 * that two stacks on one folder fail at once with words that say so, not later in ways that do not.
 */
import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { processAlive } from '../process-alive.ts';

/** The file that says which process uses a data folder (`lockDataDir`). */
const LOCK_FILE = 'whiteboard-stack.pid';

/**
 * Claims a data folder for this process, or says which process has it. Two engines on one folder
 * fail in ways that do not say so: DynamoDB Local waits out its start timeout on a locked SQLite
 * file, dynalite crashes on its first request when both opened the folder at once. The claim is a
 * file holding the process id, linked into place only if absent, so of two stacks starting
 * together one gets it. A claim whose process is gone (killed without cleaning up) is taken over.
 * Returns the release.
 */
const lockDataDir = (dataDir: string): (() => void) => {
  const file = join(dataDir, LOCK_FILE);
  const mine = String(process.pid);
  const inUse = (holder: string) =>
    new Error(
      `another local stack (process ${holder}) is using the data folder ${dataDir}: stop it, or ` +
        'give this one another folder (--data-dir) or none (--in-memory)',
    );
  const unique = () => `${file}.${process.pid}.${randomUUID()}`;
  const readHolder = (path: string): string | undefined => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  for (let attempt = 0; attempt < 10; attempt++) {
    // Written in full under a name of its own, then linked to the claim's name: a claim is never
    // seen empty, and of two processes linking at once one gets EEXIST.
    const written = unique();
    writeFileSync(written, mine);
    try {
      linkSync(written, file);
      return () => {
        if (readHolder(file) === mine) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(written, { force: true });
    }
    const holder = readHolder(file);
    // Released meanwhile: claim it again.
    if (holder === undefined) continue;
    const pid = Number(holder);
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) throw inUse(holder);
    // The claim of a process that is gone is moved aside (only one process can rename it), then
    // checked: if it is no longer that claim but a new one put there meanwhile, it goes back.
    const aside = unique();
    try {
      renameSync(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const moved = readHolder(aside);
    if (moved !== holder) {
      try {
        linkSync(aside, file);
      } catch {
        // A third process claimed the folder meanwhile: in use all the same.
      }
      rmSync(aside, { force: true });
      throw inUse(moved ?? 'unknown');
    }
    rmSync(aside, { force: true });
  }
  throw inUse(readHolder(file) ?? 'unknown');
};

/** What keeps a data folder from being made or written, in words: not the internal file's path. */
const folderProblem = (error: NodeJS.ErrnoException): string => {
  switch (error.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is a file';
    case 'EEXIST':
      return 'it is a file, not a folder';
    case 'EROFS':
      return 'read-only file system';
    default:
      // The system's text without Node's "CODE: ..., open '<file>'" around it.
      return (
        (error.errno === undefined ? undefined : getSystemErrorMap().get(error.errno)?.[1]) ?? error.message
      );
  }
};

/**
 * Makes the data folder and claims it. A folder that cannot be written fails on the claim's
 * temporary file or on mkdir, whose system errors name files the user never chose: say instead
 * which folder, why, and what to do.
 */
export const prepareDataDir = (dataDir: string): (() => void) => {
  try {
    mkdirSync(dataDir, { recursive: true });
    return lockDataDir(dataDir);
  } catch (error) {
    // Errors without a code are lockDataDir's own (the folder in use): they say it already.
    if (typeof (error as NodeJS.ErrnoException).code !== 'string') throw error;
    throw new Error(
      `cannot use the data folder ${dataDir}: ${folderProblem(error as NodeJS.ErrnoException)}: ` +
        'pick another with --data-dir, or run --in-memory',
    );
  }
};
