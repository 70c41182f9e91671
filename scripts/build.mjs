#!/usr/bin/env node
// Builds what must be JavaScript before anything runs: the `whiteboard` CLI (dist/cli), so
// `npx whiteboard` starts fast without compiling TypeScript at run time. Runs on `npm ci`
// through the `prepare` script.
//
// dist/cli/whiteboard.cjs     the bin: a small launcher (cli/launcher.ts), CommonJS
// dist/cli/main.cjs           the CLI bundle (cli/main.ts and its dependencies)
// dist/cli/main-<hash>-v8-<version>.cache
//                             V8 code cache for the bundle, made by one warm-up run below for
//                             this Node's V8 (the launcher makes one for another V8 at its first
//                             run there); the launcher works without it, only slower to start
// dist/cli/llhttp*.wasm       undici's HTTP parser, which the bundle reads (llhttpFromFile below)
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist/cli');
const nodeParserModule = join(root, 'cli/node-http-parser.ts');

// undici loads node:http2 at start-up (14 ms here) for HTTP/2, which it only uses when a
// dispatcher sets `allowH2`; the CLI never does. undici already falls back when http2 cannot be
// loaded (Node built without it), so the bundle takes that path.
const withoutHttp2 = {
  name: 'without-http2',
  setup(builder) {
    builder.onResolve({ filter: /^node:http2$/ }, (args) =>
      args.importer.includes('undici') ? { path: 'http2', namespace: 'without-http2' } : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'without-http2' }, () => ({
      contents: "throw new Error('node:http2 is left out of the whiteboard CLI bundle')",
      loader: 'js',
    }));
  },
};

// undici's index, which the CLI imports only to go through an HTTP proxy (cli/undici-parts.ts),
// stays in node_modules, where the CLI's own dependencies are: bundled, its 500 KB would be read at
// every start. The pieces the CLI always uses are bundled, by their own paths.
// It is loaded with `require`: an `import()` would need a dynamic-import callback in the launcher's
// vm.Script (cli/launcher.ts).
const undiciIndexOutside = {
  name: 'undici-index-outside',
  setup(builder) {
    builder.onResolve({ filter: /^undici$/ }, (args) =>
      args.namespace === 'undici-index'
        ? { path: 'undici', external: true }
        : { path: 'undici', namespace: 'undici-index' },
    );
    builder.onLoad({ filter: /.*/, namespace: 'undici-index' }, () => ({
      contents: "module.exports = require('undici');",
      loader: 'js',
    }));
  },
};

// Built-in modules that dependencies load at start-up but use only on paths `whiteboard` never or
// seldom takes. Each is replaced, for the importers named, by a stand-in that loads the real module
// the first time it is used, so start-up does not pay for loading it (a few ms each here):
//   commander  node:child_process  only for executable subcommands, which the CLI has none of
//   undici     node:assert         `assert(condition)` on its invariants; the real module is loaded,
//                                  and throws its own AssertionError, only when one fails
const lazyBuiltinsFor = [
  { module: 'node:child_process', importer: /[\\/]node_modules[\\/]commander[\\/]/ },
  { module: 'node:assert', importer: /[\\/]node_modules[\\/]undici[\\/]/ },
];
const lazyBuiltinSource = (module) =>
  module === 'node:assert'
    ? `'use strict';
const assert = (...args) => { if (!args[0]) require(${JSON.stringify(module)})(...args); };
module.exports = new Proxy(assert, { get: (target, key) => key in target ? target[key] : require(${JSON.stringify(module)})[key] });`
    : `'use strict';
module.exports = new Proxy({}, { get: (_target, key) => require(${JSON.stringify(module)})[key] });`;
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(builder) {
    builder.onResolve({ filter: /^node:/ }, (args) =>
      args.namespace === 'file' &&
      lazyBuiltinsFor.some(({ module, importer }) => module === args.path && importer.test(args.importer))
        ? { path: args.path, namespace: 'lazy-builtin' }
        : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: lazyBuiltinSource(args.path),
      loader: 'js',
    }));
  },
};

// Exact text edits to the pinned undici, so it loads node:http (5 ms here) only if it needs it:
// `IncomingMessage` only to recognise one (which cannot exist before node:http is loaded), and
// `http.maxHeaderSize` only when the caller sets no maxHeaderSize (cli/http-client.ts sets one);
// and so that it compiles its HTTP parser with Liftoff only, once the request is out (the last).
// If an edit no longer matches (another undici version), that file is bundled unedited, with a
// warning: slower to start, never different in behaviour.
const undiciEdits = [
  {
    file: /[\\/]node_modules[\\/]undici[\\/]lib[\\/]core[\\/]util\.js$/,
    edits: [
      ["const { IncomingMessage } = require('node:http')\n", ''],
      [
        'if (Object.getPrototypeOf(stream).constructor === IncomingMessage) {',
        "if (Object.getPrototypeOf(stream).constructor?.name === 'IncomingMessage' && Object.getPrototypeOf(stream).constructor === require('node:http').IncomingMessage) {",
      ],
    ],
  },
  {
    file: /[\\/]node_modules[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/,
    edits: [
      ["const http = require('node:http')\n", ''],
      [
        `const getDefaultNodeMaxHeaderSize = http &&
  http.maxHeaderSize &&
  Number.isInteger(http.maxHeaderSize) &&
  http.maxHeaderSize > 0
  ? () => http.maxHeaderSize
  : () => { throw new InvalidArgumentError('http module not available or http.maxHeaderSize invalid') }`,
        `const getDefaultNodeMaxHeaderSize = () => {
  const http = require('node:http')
  if (http && http.maxHeaderSize && Number.isInteger(http.maxHeaderSize) && http.maxHeaderSize > 0) return http.maxHeaderSize
  throw new InvalidArgumentError('http module not available or http.maxHeaderSize invalid')
}`,
      ],
    ],
  },
  // undici parses HTTP with llhttp compiled to WebAssembly, which V8 compiles in every new process
  // at the first connection. Three edits of its HTTP/1 client:
  //
  // 1. Which. Node.js carries llhttp compiled, the parser node:http uses: the client parses with
  //    that one (cli/node-http-parser.ts gives it the exports it calls), and compiles nothing.
  //    Against the local stack here that took 0.09-0.19x of `node -e ''` off `read --json`
  //    (alternate runs, 28 November): no compile before the answer can be read, none on the
  //    cores the local stack answers on. Where Node.js has no such parser, undici's own is
  //    compiled, as 2 and 3 say.
  //
  // 2. When. undici compiles the parser at its first connection, before it sends the request:
  //    about 12 ms of a 130 ms `whiteboard read` on a small machine, the server idle meanwhile.
  //    Here the request goes out first, and the parser is compiled while the server works on it,
  //    on the next turn of the event loop (the first bytes of an answer are read on a later one).
  //    Against the local stack here that took 0.08-0.1x of `node -e ''` off `read --json`
  //    (alternate runs, 27 November), the stack answering in about the time the compile takes;
  //    against a deployed API, whose answer takes a network round trip, it takes all of it off. The
  //    parser's bytes are still read before anything is sent, so a build that lacks them fails with
  //    nothing sent (cli/network-failure.ts relies on it); bytes that do not compile fail the
  //    request, sent by then, as a broken build.
  //
  // 3. How. V8 compiles the parser with Liftoff, then optimises it again with TurboFan on a
  //    background thread, and Node waits for that thread before it exits: 0.25-0.4 s on a small
  //    machine, for one short answer. So it is compiled with Liftoff only, and all at once
  //    (--no-wasm-lazy-compilation): otherwise V8 would compile its main function only at its first
  //    call, once the answer is in, instead of while the server works. The flags are set at the
  //    last moment rather than at start-up: setting a V8 flag changes the hash that V8 checks every
  //    code cache against, and every built-in module loaded after it would be compiled from source
  //    instead of from Node's cache (test/cli/e2e.test.ts checks that none a command loads is, and
  //    that these edits were made: unedited, the CLI is 0.25-0.4 s slower, not only a few ms). The
  //    code cache of the bundle, consumed at start-up, is made under the same flags: the warm-up
  //    run below, which writes it, leaves them unset (the launcher removes the variable from every
  //    other run).
  //
  // The edits of a file apply all or none (editUndici below): the parser is never half edited.
  {
    file: /[\\/]node_modules[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client-h1\.js$/,
    edits: [
      [
        'function lazyllhttp () {\n',
        "function lazyllhttp () {\n  if (process.env.WHITEBOARD_WRITE_CODE_CACHE === undefined) require('node:v8').setFlagsFromString('--liftoff-only --no-wasm-lazy-compilation')\n",
      ],
      // The parser starts unbound: no llhttp instance, no pointer.
      [
        'constructor (client, socket, { exports }) {\n    this.llhttp = exports\n    this.ptr = this.llhttp.llhttp_alloc(constants.TYPE.RESPONSE)\n',
        'constructor (client, socket) {\n    this.llhttp = null\n    this.ptr = null\n    this.bound = false\n',
      ],
      // A parser binds at the first bytes of an answer and takes the compiled llhttp; should the
      // compile of the next turn not have run (or have failed), bindLlhttp compiles it itself. A
      // failure destroys the socket, as a failure to parse does.
      [
        '  readMore () {\n    while (!this.paused && this.ptr) {\n      const chunk = this.socket.read()\n      if (chunk === null) {\n        break\n      }\n',
        '  bindLlhttp () {\n    if (this.bound) {\n      return true\n    }\n    this.bound = true\n    try {\n      llhttpInstance ??= compileLlhttp()\n    } catch (err) {\n      util.destroy(this.socket, err)\n      return false\n    }\n    this.llhttp = llhttpInstance.exports\n    this.ptr = this.llhttp.llhttp_alloc(constants.TYPE.RESPONSE, this.headersMaxSize)\n    return true\n  }\n\n  readMore () {\n    while (!this.paused && (this.ptr || !this.bound)) {\n      const chunk = this.socket.read()\n      if (chunk === null || !this.bindLlhttp()) {\n        break\n      }\n',
      ],
      // A parser destroyed unbound (the connection closed before any answer) has nothing to free,
      // and can no longer be bound.
      [
        '    assert(currentParser === null)\n    assert(this.ptr != null)\n\n    this.llhttp.llhttp_free(this.ptr)\n    this.ptr = null\n',
        '    assert(currentParser === null)\n    if (this.llhttp !== null) {\n      assert(this.ptr != null)\n      this.llhttp.llhttp_free(this.ptr)\n    }\n    this.bound = true\n    this.ptr = null\n',
      ],
      // At the first connection: read the bytes now (a missing file throws here, and undici fails
      // the request unsent), and compile on the next turn of the event loop, once the request is
      // written. Bytes that do not compile fail the request at once, not at the answer, which may
      // never come.
      [
        '  if (!llhttpInstance) {\n    llhttpInstance = lazyllhttp()\n  }\n',
        "  if (!llhttpInstance) {\n    llhttpInstance = nodeParser()\n  }\n  if (!llhttpInstance) {\n    require('../llhttp/llhttp-wasm.js')\n    setImmediate(() => {\n      try {\n        llhttpInstance ??= compileLlhttp()\n      } catch (err) {\n        util.destroy(socket, err)\n      }\n    })\n  }\n",
      ],
      // compileLlhttp: lazyllhttp, with a failure named for what it is. The bytes were read, so
      // they do not compile: the build is damaged (cli/network-failure.ts knows the code).
      [
        'let llhttpInstance = null\n',
        "let llhttpInstance = null\n\nfunction compileLlhttp () {\n  try {\n    return lazyllhttp()\n  } catch (err) {\n    throw Object.assign(new Error('the CLI build is broken (its HTTP parser does not compile: ' + err.message + '); run npm run build'), { code: 'WHITEBOARD_BROKEN_BUILD', cause: err })\n  }\n}\n",
      ],
      [
        '  socket[kParser] = new Parser(client, socket, llhttpInstance)\n',
        '  socket[kParser] = new Parser(client, socket)\n',
      ],
      // nodeParser: Node's llhttp (1 above), or undefined. The bridge reads the parser being fed and
      // its bytes from the variables the client sets around each call.
      [
        'let currentBufferPtr = null\n',
        `let currentBufferPtr = null\n\nfunction nodeParser () {\n  const exports = require(${JSON.stringify(nodeParserModule)}).nodeLlhttp(() => currentParser, () => currentBufferRef, constants.ERROR)\n  return exports === undefined ? null : { exports }\n}\n`,
      ],
      // Node's parser reads the chunk where it is: no copy into WebAssembly memory, which it has
      // none of. The error position it gives is an offset into the chunk (currentBufferPtr stays
      // null, which subtracts as 0).
      [
        '    // Allocate a new buffer if the current buffer is too small.\n    if (chunk.length > currentBufferSize) {\n',
        '    if (llhttp.memory !== undefined) {\n    if (chunk.length > currentBufferSize) {\n',
      ],
      [
        '    new Uint8Array(llhttp.memory.buffer, currentBufferPtr, currentBufferSize).set(chunk)\n',
        '    new Uint8Array(llhttp.memory.buffer, currentBufferPtr, currentBufferSize).set(chunk)\n    }\n',
      ],
      // Node's parser gives the reason for a failure as text, not as a pointer into memory.
      [
        "    let message = ''\n    if (ptr) {\n",
        "    let message = typeof ptr === 'string' ? 'Response does not match the HTTP/1.1 protocol (' + ptr + ')' : ''\n    if (typeof ptr === 'number' && ptr) {\n",
      ],
    ],
  },
  // undici builds a tree of the well-known header names at start-up, to turn a header name it reads
  // into the same string every time: 80 KB of objects made at every start (V8's sampling heap
  // profiler), to spare a few microseconds on each of an answer's few headers. Left empty, every
  // lookup takes undici's own way for a name the tree lacks, `toString('latin1').toLowerCase()`:
  // the same names.
  {
    file: /[\\/]node_modules[\\/]undici[\\/]lib[\\/]core[\\/]tree\.js$/,
    edits: [
      [
        'for (let i = 0; i < wellknownHeaderNames.length; ++i) {\n  const key = headerNameLowerCasedRecord[wellknownHeaderNames[i]]\n  tree.insert(key, key)\n}\n',
        '',
      ],
    ],
  },
];
const editUndici = {
  name: 'edit-undici',
  setup(builder) {
    for (const { file, edits } of undiciEdits) {
      builder.onLoad({ filter: file }, async (args) => {
        const original = await readFile(args.path, 'utf8');
        let contents = original;
        for (const [from, to] of edits) {
          if (!contents.includes(from)) {
            return {
              contents: original,
              loader: 'js',
              warnings: [
                { text: `left unedited (slower CLI start): no longer contains ${JSON.stringify(from)}` },
              ],
            };
          }
          contents = contents.replace(from, to);
        }
        return { contents, loader: 'js' };
      });
    }
  },
};

// undici's HTTP/1 client, the one module that loads llhttp's constants, reads two of their tables
// (ERROR and TYPE); the module builds all thirty at start-up, 38 KB of objects at every start. For
// the client the bundle holds those two, as the module makes them, read here.
// Should the client read more of them, or use the module otherwise, it gets the module whole, with
// a warning (slower to start, never different in behaviour).
/** The tables of llhttp's constants that the client reads, or undefined if it uses them otherwise. */
const llhttpTablesRead = (client) => {
  const members = [...client.matchAll(/\bconstants\b(?:\.([A-Za-z_$][\w$]*))?/g)].map(([, member]) => member);
  // Besides `constants.<TABLE>`, only `const constants = require('../llhttp/constants.js')`: the
  // binding, and the file's name.
  if (members.filter((member) => member === undefined || member === 'js').length !== 2) return undefined;
  return [...new Set(members.filter((member) => member !== undefined && member !== 'js'))];
};
const llhttpConstants = {
  name: 'llhttp-constants',
  setup(builder) {
    builder.onResolve({ filter: /^\.\.\/llhttp\/constants\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client-h1\.js$/.test(args.importer)
        ? {
            path: join(dirname(args.importer), args.path),
            namespace: 'llhttp-constants',
            pluginData: args.importer,
          }
        : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'llhttp-constants' }, async (args) => {
      // The client as bundled: its text and what the edits above put into it.
      const added = undiciEdits
        .filter(({ file }) => file.test(args.pluginData))
        .flatMap(({ edits }) => edits.map(([, to]) => to));
      const read = llhttpTablesRead([await readFile(args.pluginData, 'utf8'), ...added].join('\n'));
      const constants = createRequire(import.meta.url)(args.path);
      if (read === undefined || read.some((name) => typeof constants[name] !== 'object')) {
        return {
          contents: await readFile(args.path, 'utf8'),
          loader: 'js',
          resolveDir: dirname(args.path),
          warnings: [
            { text: 'llhttp constants bundled whole (slower CLI start): client-h1.js uses them otherwise' },
          ],
        };
      }
      const picked = Object.fromEntries(read.map((name) => [name, constants[name]]));
      return { contents: `module.exports = ${JSON.stringify(picked)};\n`, loader: 'js' };
    });
  },
};

// undici's HTTP parser, llhttp, is WebAssembly that undici ships as base64 in two modules (with and
// without SIMD), 72 KB each: bundled as they are, both are read, and kept in the code cache, at
// every start, and one is decoded at the first request. The bundle reads the one undici asks for
// from a binary file beside it instead (written below): a third less bundle and cache to load.
// (Compiling it on a background thread from the start did not pay: the compiled module reaches
// the main thread only after the first request has connected.)
const llhttpModules = /[\\/]node_modules[\\/]undici[\\/]lib[\\/]llhttp[\\/](llhttp(?:_simd)?)-wasm\.js$/;
const llhttpFiles = [];
const llhttpFromFile = {
  name: 'llhttp-from-file',
  setup(builder) {
    builder.onLoad({ filter: llhttpModules }, (args) => {
      const wasmFile = `${llhttpModules.exec(args.path)[1]}.wasm`;
      llhttpFiles.push({ path: join(outDir, wasmFile), contents: createRequire(import.meta.url)(args.path) });
      // The client reads the one without SIMD at its first connection, before it sends anything
      // (the edit of client-h1.js above), and falls back to it when the SIMD build fails: if it is
      // missing, the CLI says its build is incomplete (cli/network-failure.ts knows the code:
      // nothing was sent).
      return {
        contents: `'use strict';
const file = require('node:path').join(__dirname, ${JSON.stringify(wasmFile)});
try {
  module.exports = require('node:fs').readFileSync(file);
} catch (error) {
  throw Object.assign(new Error('the CLI build is incomplete (' + file + ': ' + error.code + '); run npm run build'), { code: 'WHITEBOARD_INCOMPLETE_BUILD', cause: error });
}`,
        loader: 'js',
      };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
};

// CommonJS, so the launcher can compile it with vm.Script and a code cache (Node 20 has no cache
// for ES modules).
const bundle = await build({
  ...common,
  entryPoints: [join(root, 'cli/main.ts')],
  outfile: join(outDir, 'main.cjs'),
  format: 'cjs',
  // The launcher reads the bundle as latin1, which is only right for ASCII (checked below).
  charset: 'ascii',
  minifyWhitespace: true,
  minifySyntax: true,
  // A third less source to read and turn into a string at every start (330 KB to 228 KB).
  // `--verbose` maps the places in a stack trace back through the source map; the function names
  // stay minified, as in the Lambda bundles (backend/source-mapped-stack.ts).
  minifyIdentifiers: true,
  sourcemap: 'linked',
  // The wrapper Node's CommonJS loader puts around a module, written here rather than by the
  // launcher, which compiles the bundle as it reads it. Joined to the wrapper at every start, the
  // text was copied once more (V8 flattens a joined string before it compiles it: 230 KB more
  // memory to touch), and the columns of the bundle's first line moved away from its source map.
  banner: { js: '(function (exports, require, module, __filename, __dirname) {' },
  footer: { js: '})' },
  plugins: [undiciIndexOutside, withoutHttp2, lazyBuiltins, llhttpConstants, editUndici, llhttpFromFile],
});
if (llhttpFiles.length !== 2) {
  // Another undici version that keeps llhttp elsewhere: bundled as base64 then, slower to start.
  process.stderr.write(
    `warning: llhttp-from-file matched ${llhttpFiles.length} of undici's 2 llhttp modules (slower CLI start)\n`,
  );
}
const bundleFile = bundle.outputFiles.find((file) => file.path.endsWith('.cjs'));
if (bundleFile.contents.some((byte) => byte > 0x7f)) throw new Error('the CLI bundle is not ASCII');
const hash = createHash('sha256').update(bundleFile.contents).digest('hex').slice(0, 16);

const launcherOptions = {
  ...common,
  entryPoints: [join(root, 'cli/launcher.ts')],
  define: { WHITEBOARD_BUNDLE_HASH: JSON.stringify(hash) },
};
const launcher = await build({
  ...launcherOptions,
  outfile: join(outDir, 'whiteboard.cjs'),
  format: 'cjs',
  banner: { js: '#!/usr/bin/env node' },
});

// Write beside, then rename: a `whiteboard` running meanwhile never reads half a file.
mkdirSync(outDir, { recursive: true });
// The parser's files first: a bundle that reads them is never in place before them.
for (const file of [...llhttpFiles, ...bundle.outputFiles, ...launcher.outputFiles]) {
  const temporary = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temporary, file.contents);
  renameSync(temporary, file.path);
}
chmodSync(join(outDir, 'whiteboard.cjs'), 0o755);
// As cli/launcher.ts names it.
const cacheFile = join(outDir, `main-${hash}-v8-${process.versions.v8}.cache`);
for (const name of readdirSync(outDir)) {
  // Earlier builds' caches (main-<hash>.cache and whiteboard-<hash>.cache before they were named
  // after V8's version); this build's made by other Node versions stay.
  const built = /^(?:main|whiteboard)-([0-9a-f]+)(-v8-.+)?\.cache$/.exec(name);
  if (built !== null && (built[1] !== hash || built[2] === undefined)) rmSync(join(outDir, name));
  if (name === 'whiteboard.cjs.map') rmSync(join(outDir, name));
  // The bin of builds before 26 November, an ES module launcher, slower to start.
  if (name === 'whiteboard.mjs') {
    rmSync(join(outDir, name));
    process.stderr.write(
      'note: removed dist/cli/whiteboard.mjs, the bin of earlier builds: if `whiteboard` no longer runs, `npm link` again\n',
    );
  }
}

// Warm-up: `whiteboard read --json` against a stand-in API, with the launcher told to write the
// cache at exit, so the cache holds what start-up compiles (commander, undici, the read path).
const page = {
  messages: [{ id: '01J00000000000000000000000', board: 'default', author: 'a', text: 'b', createdAt: 'c' }],
  nextCursor: null,
};
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
});
try {
  await new Promise((ready, fail) => server.once('error', fail).listen(0, '127.0.0.1', ready));
  const { port } = server.address();
  const { NO_COLOR, FORCE_COLOR, NODE_OPTIONS, ...env } = process.env;
  const code = await new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [join(outDir, 'whiteboard.cjs'), 'read', '--json', '--url', `http://127.0.0.1:${port}`],
      // The launcher names its cache by its real path (cli/launcher.ts), also when this folder is
      // reached through a symlink.
      {
        env: { ...env, WHITEBOARD_WRITE_CODE_CACHE: join(realpathSync(outDir), basename(cacheFile)) },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    child.once('error', fail).once('exit', done);
  });
  if (code !== 0) throw new Error(`the warm-up run exited with ${code}`);
} catch (error) {
  process.stderr.write(
    `warning: no code cache for the CLI (it still works, starting slower): ${error.message}\n`,
  );
} finally {
  server.close();
}
