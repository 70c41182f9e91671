/**
 * Temporary folders that name their process (`<prefix><pid>-XXXXXX`), so that those of a process
 * that was killed (its exit hook never ran) are removed at the next start. The local stack's build
 * (build.ts), DynamoDB Local's JVM (engine/dynamodb-local.ts) and the bench's bundles
 * (bench/lib/bundles.ts) use them.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './process-alive.ts';

/** Removes the folders `<prefix><pid>-*` of processes that are gone. */
const removeOrphans = (prefix: string): void => {
  const named = new RegExp(`^${prefix}(\\d+)-`);
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(named.exec(name)?.[1]);
    if (!(pid > 0) || pid === process.pid || processAlive(pid)) continue;
    try {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    } catch {
      // Someone else's (a shared temporary folder): theirs to remove.
    }
  }
};

export interface OwnTempFolder {
  readonly path: string;
  /** Removes it now; it is also removed when the process exits. */
  readonly remove: () => void;
}

/** A new folder of this process, removed at exit; orphans of the same prefix are removed first. */
export const ownTempFolder = (prefix: string): OwnTempFolder => {
  removeOrphans(prefix);
  const path = mkdtempSync(join(tmpdir(), `${prefix}${process.pid}-`));
  const removeNow = () => {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Still in use (Windows keeps a loaded library's file locked): the next start removes it.
    }
  };
  process.once('exit', removeNow);
  // A process that makes many (a test file starting engine after engine) keeps no exit listener
  // for a folder already gone.
  const remove = () => {
    process.off('exit', removeNow);
    removeNow();
  };
  return { path, remove };
};
