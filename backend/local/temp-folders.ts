/**
 * Temporary folders that name their process (`<prefix><pid>-XXXXXX`), so that those of a process
 * that was killed (its exit hook never ran) are removed at the next start. The local stack's build
 * (build.ts), DynamoDB Local's JVM (engine/dynamodb-local.ts) and the bench's bundles
 * (bench/lib/bundles.ts) use them, and so do the tests' scratch folders, which a test run stopped by
 * Ctrl-C would otherwise leave behind.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './process-alive.ts';

/** Removes a folder and what it holds, as far as it can; what is left stays for a later start. */
const removeFolder = (path: string): void => {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // Still in use (Windows keeps a loaded library's file locked), or someone else's in a shared
    // temporary folder: a later start removes it, or its owner does.
  }
};

/** Removes the folders `<prefix><pid>-*` in `parent` of processes that are gone. */
const removeOrphans = (prefix: string, parent: string): void => {
  for (const name of readdirSync(parent)) {
    // The prefix compared as text, not read as a pattern: the tests' `whiteboard source map (ünï)-`
    // would not match itself as one.
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (!(pid > 0) || pid === process.pid || processAlive(pid)) continue;
    removeFolder(join(parent, name));
  }
};

export interface OwnTempFolder {
  readonly path: string;
  /** Removes it now; it is also removed when the process exits. */
  readonly remove: () => void;
}

/**
 * This process's folders not yet removed, all removed by one 'exit' listener: a process that
 * holds many at once (a test file running engines side by side) would otherwise pass Node's limit
 * of 10 listeners and be warned of a leak.
 */
const held = new Set<string>();
const removeHeld = () => {
  for (const path of held) removeFolder(path);
  held.clear();
};

/**
 * A new folder of this process in `parent` (the system's temp folder unless given), removed at
 * exit; orphans of the same prefix there are removed first.
 */
export const ownTempFolder = (prefix: string, parent: string = tmpdir()): OwnTempFolder => {
  removeOrphans(prefix, parent);
  const path = mkdtempSync(join(parent, `${prefix}${process.pid}-`));
  if (held.size === 0) process.once('exit', removeHeld);
  held.add(path);
  const remove = () => {
    if (!held.delete(path)) return;
    removeFolder(path);
    if (held.size === 0) process.off('exit', removeHeld);
  };
  return { path, remove };
};
