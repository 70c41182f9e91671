/**
 * The `whiteboard` bin, dist/cli/whiteboard.mjs: loads the CLI bundle (whiteboard.cjs, built from
 * cli/main.ts) using the V8 code cache that `npm run build` wrote beside it.
 *
 * Why: the CLI must start in about 1.6 times `node -e ''`. Most of its start-up is V8 parsing and
 * compiling the bundle (undici above all), and Node 20 has no compile cache of its own
 * (`module.enableCompileCache()` arrived in Node 22.1). With a cache V8 skips that work; without
 * one, or with one from another Node or V8 version, V8 rejects it and compiles as usual.
 *
 * Kept tiny and CommonJS-style inside: an ES module entry pays for every `import` of a builtin.
 */
import { createRequire } from 'node:module';

declare const WHITEBOARD_BUNDLE_HASH: string;

const require = createRequire(import.meta.url);
const v8 = require('node:v8') as typeof import('node:v8');
const fs = require('node:fs') as typeof import('node:fs');
const vm = require('node:vm') as typeof import('node:vm');
const { fileURLToPath } = require('node:url') as typeof import('node:url');

// undici parses HTTP with llhttp compiled to WebAssembly. V8 compiles it quickly with Liftoff, then
// optimises it again with TurboFan on a background thread, and Node waits for that thread before it
// exits: about 0.4 s on a small machine, for one short answer. Set before anything is compiled:
// V8's code cache is only accepted under the flags it was made with.
v8.setFlagsFromString('--liftoff-only');

const bundle = fileURLToPath(new URL('./whiteboard.cjs', import.meta.url));
// Named after the bundle's content hash: a cache can never be applied to another build's bundle.
const cacheFile = fileURLToPath(new URL(`./whiteboard-${WHITEBOARD_BUNDLE_HASH}.cache`, import.meta.url));
// Set by scripts/build.mjs for one warm-up run that writes the cache.
const writeCache = process.env.WHITEBOARD_WRITE_CODE_CACHE === cacheFile;

let cachedData: Buffer | undefined;
if (!writeCache) {
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // No cache (not built, or removed): compile as usual.
  }
}

// The same wrapper Node's CommonJS loader puts around a module.
const script = new vm.Script(
  `(function (exports, require, module, __filename, __dirname) {${fs.readFileSync(bundle, 'utf8')}\n})`,
  { filename: bundle, ...(cachedData === undefined ? {} : { cachedData }) },
);
const module = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void).call(
  module.exports,
  module.exports,
  createRequire(bundle),
  module,
  bundle,
  fileURLToPath(new URL('.', import.meta.url)),
);

if (writeCache) {
  // At exit, the cache holds every function the run compiled, not only the top level.
  process.once('exit', () => {
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, script.createCachedData());
    fs.renameSync(temporary, cacheFile);
  });
}
