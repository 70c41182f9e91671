/**
 * Builds what the local stack runs: each function's bundle, with the same esbuild options as the
 * bundles the CDK stack ships (backend/bundling.ts), and the worker runtime. Built once per
 * process into a temporary folder that is removed at exit, or at the next start when the process
 * that made it was killed (its exit hook did not run).
 */
import { writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { lambdaBuildOptions, lambdaBundling } from '../bundling.ts';
import { type FunctionId, functions } from '../http/routes.ts';
import { ownTempFolder } from './temp-folders.ts';

export interface LocalBuild {
  readonly runtimePath: string;
  readonly bundles: Readonly<Record<FunctionId, string>>;
}

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The local stack runs on this Node, not on Lambda's: build for it. */
const localTarget = `node${process.versions.node.split('.')[0]}`;

let cached: Promise<LocalBuild> | undefined;

/**
 * A function's bundle as the local stack runs it: the shipped options, and a second entry point,
 * `libraries.mjs`, that imports every library file (node_modules) that the function's index.mjs
 * would hold. esbuild's code splitting puts the code two entry points share into chunks, so
 * index.mjs keeps only the function's own modules. Same code, in other files.
 *
 * Why: the stack hosts several environments of a function in one thread, each importing index.mjs
 * under a URL of its own so that it evaluates its own copy of the function's modules: its handler,
 * Powertools objects and SDK client (runtime-worker.ts). The modules of the chunks are evaluated
 * once per thread, and the copies share them: the DynamoDB client's serialisers and Powertools'
 * classes are then compiled and optimised once, on all the thread's traffic, rather than once per
 * environment on its share of it. Measured (docs/performance-history.md): the stack's memory
 * under load fell by 15-40 MiB; throughput rose by less than the machine's noise from one round to
 * the next.
 * What the libraries hold at module level is code and caches (the SDK's endpoint cache; Powertools
 * keeps none), not anything one environment could see of another's invocations.
 */
const buildFunction = async (options: BuildOptions & { outdir: string }): Promise<void> => {
  const probe = await build({ ...options, write: false, sourcemap: false, metafile: true });
  const index = Object.entries(probe.metafile.outputs).find(([file]) =>
    file.endsWith(`/${lambdaBundling.entryFile}`),
  );
  if (!index) throw new Error(`esbuild wrote no ${lambdaBundling.entryFile} for ${options.outdir}`);
  const libraries = join(options.outdir, '..', `${basename(options.outdir)}-libraries.mjs`);
  // The metafile names inputs relative to the working directory.
  writeFileSync(
    libraries,
    Object.keys(index[1].inputs)
      .filter((input) => input.includes('node_modules/'))
      .map((input) => `import ${JSON.stringify(resolve(input))};\n`)
      .join(''),
  );
  await build({ ...options, entryPoints: { ...(options.entryPoints as Record<string, string>), libraries } });
};

export const buildLocal = (): Promise<LocalBuild> => {
  cached ??= (async () => {
    const outDir = ownTempFolder('whiteboard-local-').path;
    const runtimePath = join(outDir, 'runtime-worker.mjs');
    const ids = Object.keys(functions) as FunctionId[];
    await Promise.all([
      // Not a function: the runtime that loads one (runtime-worker.ts). Unminified, so that a
      // stack trace through it reads well.
      build({
        entryPoints: [resolve(root, 'backend/local/runtime-worker.ts')],
        outfile: runtimePath,
        bundle: true,
        platform: lambdaBundling.platform,
        format: lambdaBundling.format,
        target: localTarget,
        sourcemap: lambdaBundling.sourcemap,
        banner: { js: lambdaBundling.banner },
        logLevel: 'error',
      }),
      ...ids.map((id) =>
        buildFunction(
          lambdaBuildOptions({
            entry: resolve(root, functions[id].entry),
            outdir: join(outDir, id),
            target: localTarget,
          }),
        ),
      ),
    ]);
    const bundles = Object.fromEntries(ids.map((id) => [id, join(outDir, id, lambdaBundling.entryFile)]));
    return { runtimePath, bundles: bundles as Record<FunctionId, string> };
  })();
  return cached;
};
