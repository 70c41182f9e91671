import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LeftoverFolders {
  /** Of a process that is gone (killed: its exit hook never ran). */
  readonly orphan: string;
  /** Of this process, alive: it must stay. */
  readonly inUse: string;
}

/**
 * Runs `body` beside two folders named as backend/local/temp-folders.ts names them
 * (`<prefix><pid>-...`) in `parent` (the system's temp folder unless given), each holding a folder
 * `inside`, and removes them after.
 */
export const besideLeftoverFolders = async (
  prefix: string,
  inside: string,
  body: (folders: LeftoverFolders) => Promise<void>,
  parent: string = tmpdir(),
): Promise<void> => {
  // A pid no process can have: above Linux's highest (PID_MAX_LIMIT, 4194304) and macOS's. The pid
  // of a child that just ended could be given to another process meanwhile, by a parallel test.
  const gonePid = 4_194_305;
  const folders = {
    orphan: join(parent, `${prefix}${gonePid}-test`),
    inUse: join(parent, `${prefix}${process.pid}-test`),
  };
  for (const folder of Object.values(folders)) mkdirSync(join(folder, inside), { recursive: true });
  try {
    await body(folders);
  } finally {
    for (const folder of Object.values(folders)) rmSync(folder, { recursive: true, force: true });
  }
};
