/**
 * How a Lambda bundle is built: the CDK stack (infra/constructs/whiteboard-function.ts), the local
 * stack (backend/local/build.ts) and the benchmarks (bench/lib/bundles.ts) all build with
 * `lambdaBuildOptions`, so what runs locally and what is measured is what ships.
 */
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

const shim = (file: string) => fileURLToPath(new URL(`./bundle-shims/${file}`, import.meta.url));

/**
 * Built-in modules that the bundles' ES modules import (the SDK's `node:fs` and `node:process`, the
 * Powertools Tracer's `node:http`, and the SDK's `import("node:http")` for an http:// endpoint),
 * given to them as CommonJS (backend/bundle-shims/node-*.cjs, `process.getBuiltinModule`). An
 * `import` of a built-in makes Node.js build an ES module facade of it, which reads every export,
 * getters included; from Node.js 22 on, node:http's `WebSocket`, `CloseEvent` and `MessageEvent`
 * are getters that load Node's own copy of undici (nodejs/node#57649, #59686, open). Measured here
 * on Node.js 24 in a fresh process: an `import` of node:http 45-60 ms where `require` takes 7, of
 * node:process 3-11 ms, of node:fs 5-9 ms; with these three as CommonJS, the traced ReadMessages
 * bundle's init took 29 ms less (docs/performance-history.md). The Lambda runtime interface client
 * loads its own built-ins with `require` (aws-lambda-ric 4), so nothing else builds them first. The
 * other built-ins' facades cost under 1.5 ms each.
 */
const builtinsAsCommonJs = Object.fromEntries(
  ['http', 'fs', 'process'].flatMap((name) => {
    const stand = shim(`node-${name}.cjs`);
    return [
      [`node:${name}`, stand],
      [name, stand],
      // An alias also maps the paths under its name; built-ins there (node:fs/promises) stay as
      // they are, their facades cheap.
      ...builtinModules
        .filter((module) => module.startsWith(`${name}/`))
        .flatMap((module) => [
          [`node:${module}`, `node:${module}`],
          [module, `node:${module}`],
        ]),
    ];
  }),
);

export const lambdaBundling = {
  format: 'esm',
  platform: 'node',
  /** Lambda's runtime is nodejs24.x; the local stack overrides this to the Node it runs on. */
  target: 'node24',
  minify: true,
  sourcemap: true,
  /** Prefer ESM builds of dependencies so esbuild can tree-shake them. */
  mainFields: ['module', 'main'],
  /** Bundle everything, the AWS SDK included: a pinned SDK, not whatever the runtime carries. */
  external: [] as string[],
  /** An ESM bundle has no `require`; CommonJS dependencies (aws-xray-sdk-core) still call it. */
  banner:
    "import { createRequire as __wbCreateRequire } from 'node:module'; const require = __wbCreateRequire(import.meta.url);",
  /**
   * Lighter stand-ins for two modules that aws-xray-sdk-core loads with the Tracer, each with the
   * same behaviour for what the SDK uses of it (backend/bundle-shims/): cls-hooked's async hooks
   * give way to AsyncLocalStorage, all of semver to the one function the SDK calls.
   */
  alias: {
    'cls-hooked/context': shim('cls-hooked-context.ts'),
    semver: shim('semver.cjs'),
    ...builtinsAsCommonJs,
  },
  /** Lambda runs the bundle as `index.mjs` (handler `index.<export>`). */
  entryFile: 'index.mjs',
  /** Code that is only imported on demand (`import()`) goes here, loaded when first needed. */
  chunksDir: 'chunks',
} as const;

export interface LambdaBuild {
  /** The function's entry module (absolute, or relative to the working directory). */
  readonly entry: string;
  /** The folder that becomes the asset: index.mjs, chunks/, and their source maps. */
  readonly outdir: string;
  /** esbuild target; the local stack builds for the Node it runs on. */
  readonly target?: string;
}

/**
 * esbuild options of a function's bundle. Code splitting is on so that what the handler imports
 * with `import()` stays out of index.mjs: the Powertools Tracer and aws-xray-sdk-core (about 90
 * KiB minified) are imported only where they can trace (backend/handlers/powertools.ts), and the
 * SDK's SSO, INI and STS credential providers only when the environment holds no credentials (in
 * Lambda it always does: AWS_ACCESS_KEY_ID and the rest are among the "Defined runtime environment
 * variables" of the Lambda Developer Guide). V8 parses every byte of an ES module when it loads
 * it, lazily compiled or not, so each unused KiB in index.mjs is paid on every cold start.
 * Measured with npm run bench (docs/performance-history.md), against a floor built the same way:
 * a cold start without tracing went from 1.11-1.14x the floor's to 1.05-1.08x in the runs of that
 * change (0.99-1.16x over the full runs since).
 *
 * Source maps carry mappings only: stack traces need no sources, which would double the asset.
 */
export const lambdaBuildOptions = ({
  entry,
  outdir,
  target = lambdaBundling.target,
}: LambdaBuild): BuildOptions & { outdir: string } => ({
  entryPoints: { index: entry },
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: `${lambdaBundling.chunksDir}/[name]-[hash]`,
  splitting: true,
  bundle: true,
  platform: lambdaBundling.platform,
  format: lambdaBundling.format,
  target,
  minify: lambdaBundling.minify,
  sourcemap: lambdaBundling.sourcemap,
  sourcesContent: false,
  mainFields: [...lambdaBundling.mainFields],
  external: [...lambdaBundling.external],
  banner: { js: lambdaBundling.banner },
  alias: { ...lambdaBundling.alias },
  logLevel: 'error',
});
