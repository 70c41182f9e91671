import { spawn } from 'node:child_process';
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
  const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => gone.once('exit', resolve));
  const folders = {
    orphan: join(parent, `${prefix}${gone.pid}-test`),
    inUse: join(parent, `${prefix}${process.pid}-test`),
  };
  for (const folder of Object.values(folders)) mkdirSync(join(folder, inside), { recursive: true });
  try {
    await body(folders);
  } finally {
    for (const folder of Object.values(folders)) rmSync(folder, { recursive: true, force: true });
  }
};
