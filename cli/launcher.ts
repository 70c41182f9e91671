/**
 * The `whiteboard` bin, dist/cli/whiteboard.cjs: loads the CLI bundle (main.cjs, built from
 * cli/main.ts) using the V8 code cache that `npm run build` wrote beside it.
 *
 * Why: the CLI's budget is 1.6 times `node -e ''` (it sits at that line on Node 20:
 * docs/performance.md). Without a cache, most of its start-up is V8 parsing and compiling the
 * bundle (undici above all), and Node 20 has no compile cache of its own
 * (`module.enableCompileCache()` arrived in Node 22.1).
 * With a cache V8 skips that work; without one, or with one it rejects (made under other V8 flags),
 * V8 compiles as usual. Each V8 version gets a cache of its own: the build makes one for the Node
 * it runs on, and the first run on another Node makes that one's (a Node switched after install).
 *
 * Built as CommonJS (scripts/build.mjs): for an ES module entry Node first sets up its ES module
 * loader, about a tenth of `node -e ''` on a small machine. `require` rather than `import` for the
 * same reason: an ES module pays for every `import` of a builtin.
 */
import { exitIfUnsupportedNode } from '../backend/supported-node.ts';

// First: on an older Node.js the bundle fails at its first use of what that one lacks. `error:`
// begins every error line of the CLI.
exitIfUnsupportedNode('error');

const {
  accessSync,
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} = require('node:fs') as typeof import('node:fs');
const { dirname, join } = require('node:path') as typeof import('node:path');
const { Script } = require('node:vm') as typeof import('node:vm');

declare const WHITEBOARD_BUNDLE_HASH: string;

// No V8 flag is set here: a flag changes the hash V8 checks every code cache against, Node's own
// for its built-in modules included, so each built-in loaded after it would be compiled from
// source. The one flag the CLI may need, for undici's HTTP parser where Node.js lends it none of its
// own, is set when that parser is compiled, after the built-ins that a command loads before its
// first connection (scripts/build.mjs, `undiciEdits`).

// The folder the build wrote, also when this file is reached through a symlink (`npm link`) and
// Node keeps the link's path (--preserve-symlinks-main, as pnpm setups often set).
const dir = dirname(realpathSync(__filename));
const bundle = join(dir, 'main.cjs');
// Named after the bundle's content hash, so that a cache can never be applied to another build's
// bundle, and after V8's version, which V8 checks a cache against.
const cacheFile = join(dir, `main-${WHITEBOARD_BUNDLE_HASH}-v8-${process.versions.v8}.cache`);
// Set by scripts/build.mjs for one warm-up run that writes the cache.
const warmUp = process.env.WHITEBOARD_WRITE_CODE_CACHE === cacheFile;

const writable = (folder: string): boolean => {
  try {
    accessSync(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/** The cache, opened, where there is one to read. */
let cacheFd: number | undefined;
/** This run writes the cache at exit: the build's warm-up, or the first run on another V8. */
let makeCache = warmUp;
if (!warmUp) {
  try {
    cacheFd = openSync(cacheFile, 'r');
  } catch {
    // None for this V8 (a Node other than the build's, or removed): compile as usual, and leave
    // one for the next run where the folder is writable (not a read-only global install). A cache
    // V8 rejects is not rewritten: that is the caller's V8 flags, which the next run may not have.
    makeCache = writable(dir);
  }
}
// The bundle tells a run that writes the cache by this variable (the edit of undici in
// scripts/build.mjs): it then leaves V8's flags as they are, so that the cache is made under the
// flags the next start has, at the price of this run's exit waiting for V8's optimising compiler
// (up to 0.4 s, once). In any other run the variable is gone, whatever the caller's environment
// held.
if (makeCache) process.env.WHITEBOARD_WRITE_CODE_CACHE = cacheFile;
else delete process.env.WHITEBOARD_WRITE_CODE_CACHE;

// One buffer for both files, the bundle read into it and turned into a string, then the cache read
// over it: every page of memory a process touches for the first time is a page fault, about 15 µs
// each on the virtual machines this was measured on (docs/performance.md, "The CLI start"). The
// bundle comes wrapped as Node's CommonJS loader wraps a module (scripts/build.mjs), so V8 compiles
// the string as read, without copying it again to join it to the wrapper.
const bundleFd = openSync(bundle, 'r');
const bundleSize = fstatSync(bundleFd).size;
let cacheSize = 0;
if (cacheFd !== undefined) {
  try {
    cacheSize = fstatSync(cacheFd).size;
  } catch {
    // As a cache that cannot be read (below): compile as usual.
    const unread = cacheFd;
    cacheFd = undefined;
    try {
      closeSync(unread);
    } catch {
      // Nothing more to do with it.
    }
  }
}
const buffer = Buffer.allocUnsafeSlow(Math.max(bundleSize, cacheSize));
/** Reads a file whole into the buffer, and closes it. */
const readWhole = (fd: number, size: number): Buffer => {
  try {
    let read = 0;
    while (read < size) {
      const got = readSync(fd, buffer, read, size - read, read);
      // Shorter than it was: what there is.
      if (got === 0) break;
      read += got;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
};
// esbuild writes ASCII only (non-ASCII characters escaped), so reading as latin1 gives the same
// text without decoding UTF-8.
const source = readWhole(bundleFd, bundleSize).toString('latin1');
let cachedData: Buffer | undefined;
if (cacheFd !== undefined) {
  try {
    cachedData = readWhole(cacheFd, cacheSize);
  } catch {
    // Opened but not read (a disk error): compile as usual, as without one.
  }
}
const script = new Script(source, {
  filename: bundle,
  ...(cachedData === undefined ? {} : { cachedData }),
});
const bundleModule = { exports: {} };
// This file's `require` resolves from the same folder as the bundle's would.
(script.runInThisContext() as (...args: unknown[]) => void).call(
  bundleModule.exports,
  bundleModule.exports,
  require,
  bundleModule,
  bundle,
  dir,
);

if (makeCache) {
  // At exit, the cache holds every function the run compiled, not only the top level. Written
  // under a name of its own and renamed, so that a run started meanwhile reads all of it or none.
  process.once('exit', () => {
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, script.createCachedData());
      renameSync(temporary, cacheFile);
    } catch (error) {
      // The build's warm-up reports it; an ordinary run has done its work and stays quiet.
      if (warmUp) throw error;
      try {
        rmSync(temporary, { force: true });
      } catch {
        // Left behind, a file that no run reads: the run still ends quietly.
      }
    }
  });
}
