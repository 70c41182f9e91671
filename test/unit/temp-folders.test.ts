import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ownTempFolder } from '../../backend/local/temp-folders.ts';
import { besideLeftoverFolders } from '../helpers/temp-folders.ts';

const module = fileURLToPath(new URL('../../backend/local/temp-folders.ts', import.meta.url));

describe("a process's own temp folders", () => {
  it('are named for the process, and held any number at once by one exit listener', () => {
    const before = process.listenerCount('exit');
    const folders = Array.from({ length: 12 }, () => ownTempFolder('whiteboard-unit-'));
    try {
      for (const { path } of folders) {
        assert.equal(existsSync(path), true);
        assert.ok(basename(path).startsWith(`whiteboard-unit-${process.pid}-`), path);
      }
      assert.equal(process.listenerCount('exit'), before + 1);
      folders[0]?.remove();
      assert.equal(existsSync(folders[0]?.path ?? ''), false, 'removed on demand');
      folders[0]?.remove();
    } finally {
      for (const folder of folders) folder.remove();
    }
    assert.equal(process.listenerCount('exit'), before, 'no listener left once none is held');
    assert.deepEqual(
      folders.filter(({ path }) => existsSync(path)),
      [],
    );
  });

  it('are removed when the process exits, also those made after all before were removed', () => {
    const script = [
      `import { ownTempFolder } from ${JSON.stringify(module)};`,
      // None held for a moment: the exit listener goes, and must come back with the next folder.
      "ownTempFolder('whiteboard-unit-').remove();",
      "const kept = [ownTempFolder('whiteboard-unit-'), ownTempFolder('whiteboard-unit-')];",
      "ownTempFolder('whiteboard-unit-').remove();",
      'console.log(JSON.stringify(kept.map((folder) => folder.path)));',
    ].join('\n');
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    const paths = JSON.parse(output) as string[];
    assert.equal(paths.length, 2);
    assert.deepEqual(
      paths.filter((path) => existsSync(path)),
      [],
    );
  });

  it("remove a killed process's folders of the same prefix, taking the prefix as text", async () => {
    // Parentheses and a dot, which a pattern would read as a group and any character: as one,
    // `x (1).` would not match the folders it names, and `x.` would match `xy`.
    const prefix = 'whiteboard-unit (ünï).';
    await besideLeftoverFolders(prefix, 'inside', async ({ orphan, inUse }) => {
      await besideLeftoverFolders('whiteboard-unit (ünï)x', 'inside', async (other) => {
        const own = ownTempFolder(prefix);
        try {
          assert.equal(existsSync(orphan), false, `${orphan} was removed`);
          assert.equal(existsSync(inUse), true, `${inUse} (this process's) was kept`);
          assert.equal(existsSync(other.orphan), true, `${other.orphan} (another prefix) was kept`);
        } finally {
          own.remove();
        }
      });
    });
  });
});
