/**
 * The folder an engine keeps its data in: made, and claimed for this process by a lock file, so
 * that two stacks on one folder fail at once with words that say so, not later in ways that do not.
 */
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { processAlive, procStatFields } from '../process-alive.ts';

/** The file that says which process uses a data folder (`lockDataDir`). */
const LOCK_FILE = 'whiteboard-stack.pid';

/** The data folders this process has claimed, while it holds them. */
const claimedHere = new Set<string>();

/**
 * When a process started, in clock ticks since boot: field 22 of /proc/<pid>/stat (proc(5)).
 * Undefined where there is no /proc (macOS) or no such process.
 */
const startTicks = (pid: number | 'self'): string | undefined => procStatFields(pid)?.[19];

/**
 * Whether the process a claim names is the one that wrote it, and alive. A process id is given
 * again after a reboot or a container's restart, often to the same program at the same place in
 * its start (this stack in a container restarted: its own id), so a claim also holds when its
 * process started, where the system says so.
 */
const claimHolderAlive = (file: string, holder: string): boolean => {
  const [pidText, started] = holder.split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return claimedHere.has(file);
  if (!processAlive(pid)) return false;
  const now = started === undefined ? undefined : startTicks(pid);
  return now === undefined || now === started;
};

/**
 * Claims a data folder for this process, or says which process has it. Two engines on one folder
 * fail in ways that do not say so: DynamoDB Local waits out its start timeout on a locked SQLite
 * file, dynalite crashes on its first request when both opened the folder at once. The claim is a
 * file holding the process id and start time, linked into place only if absent, so of two stacks
 * starting together one gets it. A claim whose process is gone (killed without cleaning up) is
 * taken over.
 * Returns the release.
 */
const lockDataDir = (dataDir: string): (() => void) => {
  const file = join(dataDir, LOCK_FILE);
  const mine = [process.pid, startTicks('self')].filter((part) => part !== undefined).join(' ');
  const inUse = (holder: string) =>
    new Error(
      `another local stack (process ${holder.split(' ')[0]}) is using the data folder ${dataDir}: stop it, or ` +
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
      claimedHere.add(file);
      return () => {
        claimedHere.delete(file);
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
    if (claimHolderAlive(file, holder)) throw inUse(holder);
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
 * `mkdir -p`, a level at a time, each level made with `mode`. Not Node's own `recursive: true`,
 * which tries again for ever where mkdir answers ENOENT under a parent that exists: a path under
 * /proc hung `npm start -- --data-dir /proc/x` at full CPU (Node.js 20, 22 and 24 alike). Here that
 * ENOENT is the answer.
 */
const makeFolders = (folder: string, mode: number): void => {
  const missing: string[] = [];
  for (let at = resolve(folder); !existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const level of missing) {
    try {
      mkdirSync(level, { mode });
    } catch (error) {
      // Made meanwhile by another process: a file there fails the next level, or the claim.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  // A file where the folder should be: mkdir's own EEXIST says so, as with `recursive: true`.
  if (!statSync(folder).isDirectory()) mkdirSync(folder);
};

/**
 * Makes the data folder (for its owner only) and claims it. A folder that cannot be written fails
 * on the claim's temporary file or on mkdir, whose system errors name files the user never chose:
 * say instead which folder, why, and what to do.
 */
export const prepareDataDir = (dataDir: string): (() => void) => {
  try {
    // Its owner's only, as the folders made for it: the engine writes its files with the default
    // mode, readable by every user of the machine, and a board may hold what others should not read.
    // A folder that exists already keeps the mode it has.
    makeFolders(dataDir, 0o700);
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

/**
 * Whether other users of this machine can read the folder: it lets others list and enter it, and
 * every folder above it lets them enter. The folders prepareDataDir makes are its owner's only; one
 * made before (or given with --data-dir) keeps the mode it has, which `npm start` then points out.
 */
export const readableByOthers = (dataDir: string): boolean => {
  try {
    if ((statSync(dataDir).mode & 0o005) !== 0o005) return false;
    for (let folder = dirname(resolve(dataDir)); ; folder = dirname(folder)) {
      if ((statSync(folder).mode & 0o001) === 0) return false;
      if (dirname(folder) === folder) return true;
    }
  } catch {
    return false;
  }
};
