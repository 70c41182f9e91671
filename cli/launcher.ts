/**
 * The `whiteboard` bin, dist/cli/whiteboard.cjs: loads the CLI bundle (main.cjs, built from
 * cli/main.ts) using the V8 code cache that `npm run build` wrote beside it.
 *
 * Why: the CLI's budget is 1.6 times `node -e ''` (it takes about 1.75: docs/performance.md).
 * Without a cache, most of its start-up is V8 parsing and compiling the bundle (undici above all),
 * and Node 20 has no compile cache of its own (`module.enableCompileCache()` arrived in Node 22.1).
 * With a cache V8 skips that work; without one, or with one from another Node or V8 version, V8
 * rejects it and compiles as usual.
 *
 * Built twice (scripts/build.mjs): as CommonJS, the bin, and as an ES module,
 * dist/cli/whiteboard.mjs (the bin of earlier builds), whose banner defines `require`, `__filename`
 * and `__dirname`. The CommonJS one starts faster: for an ES module entry Node first sets up its ES
 * module loader, about a tenth of `node -e ''` on a small machine. `require` rather than `import`
 * for the same reason: an ES module pays for every `import` of a builtin.
 */
const { readFileSync, realpathSync, renameSync, writeFileSync } =
  require('node:fs') as typeof import('node:fs');
const { dirname, join } = require('node:path') as typeof import('node:path');
const { Script } = require('node:vm') as typeof import('node:vm');

declare const WHITEBOARD_BUNDLE_HASH: string;

// No V8 flag is set here: a flag changes the hash V8 checks every code cache against, Node's own
// for its built-in modules included, so each built-in loaded after it would be compiled from
// source. The one flag the CLI needs, for undici's HTTP parser, is set when the parser is
// compiled, after the built-ins that a command loads before its first connection
// (scripts/build.mjs, `undiciEdits`).

// The folder the build wrote, also when this file is reached through a symlink (`npm link`) and
// Node keeps the link's path (--preserve-symlinks-main, as pnpm setups often set).
const dir = dirname(realpathSync(__filename));
const bundle = join(dir, 'main.cjs');
// Named after the bundle's content hash: a cache can never be applied to another build's bundle.
const cacheFile = join(dir, `main-${WHITEBOARD_BUNDLE_HASH}.cache`);
// Set by scripts/build.mjs for one warm-up run that writes the cache.
const writeCache = process.env.WHITEBOARD_WRITE_CODE_CACHE === cacheFile;
// The bundle, too, tells the warm-up by this variable (the edit of undici in scripts/build.mjs): in
// any other run it is gone, whatever the caller's environment held.
if (!writeCache) delete process.env.WHITEBOARD_WRITE_CODE_CACHE;

let cachedData: Buffer | undefined;
if (!writeCache) {
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache (not built, or removed): compile as usual.
  }
}

// The same wrapper Node's CommonJS loader puts around a module. esbuild writes ASCII only (non-ASCII
// characters escaped), so reading as latin1 gives the same text without decoding UTF-8.
const script = new Script(
  `(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'latin1')}\n})`,
  { filename: bundle, ...(cachedData === undefined ? {} : { cachedData }) },
);
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

if (writeCache) {
  // At exit, the cache holds every function the run compiled, not only the top level.
  process.once('exit', () => {
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, cacheFile);
  });
}
