/**
 * The launcher that binds DynamoDB Local to 127.0.0.1 (its source is ../java/DynamoDbLocalLoopback.java),
 * compiled once with javac and cached under node_modules/.cache, so that a start does not pay for
 * compiling it.
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** Runs DynamoDB Local bound to 127.0.0.1 (see the Java file's comment). */
export const LOOPBACK_LAUNCHER = fileURLToPath(
  new URL('../java/DynamoDbLocalLoopback.java', import.meta.url),
);
export const LAUNCHER_CLASS = 'DynamoDbLocalLoopback';
/** Compiled launchers, one folder per source and classpath version (node_modules is ours to cache in). */
const LAUNCHER_CACHE = fileURLToPath(
  new URL('../../../node_modules/.cache/whiteboard/java', import.meta.url),
);

/**
 * The launcher compiled once with javac and cached, so a start does not pay for compiling it
 * (seconds on a busy 2-core machine). Where there is no javac (a JRE only), undefined: Java then
 * runs the source file directly (JEP 330), which works, only slower.
 */
export const compiledLauncher = async (
  javaCommand: string,
  classpath: string,
): Promise<string | undefined> => {
  const hash = createHash('sha256').update(readFileSync(LOOPBACK_LAUNCHER)).update(classpath).digest('hex');
  const dir = join(LAUNCHER_CACHE, hash.slice(0, 16));
  if (existsSync(join(dir, `${LAUNCHER_CLASS}.class`))) return dir;
  const javac = basename(javaCommand) === javaCommand ? 'javac' : join(dirname(javaCommand), 'javac');
  const staging = `${dir}.${process.pid}.${randomUUID().slice(0, 8)}`;
  try {
    await promisify(execFile)(javac, ['-nowarn', '-cp', classpath, '-d', staging, LOOPBACK_LAUNCHER], {
      timeout: 60_000,
      windowsHide: true,
    });
    try {
      renameSync(staging, dir);
    } catch {
      // Another start compiled it at the same time: theirs serves as well.
    }
    return existsSync(join(dir, `${LAUNCHER_CLASS}.class`)) ? dir : undefined;
  } catch {
    return undefined;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
};
