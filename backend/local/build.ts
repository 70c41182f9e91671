/**
 * Builds what the local stack runs: each function's bundle, with the same esbuild options as the
 * bundles the CDK stack ships (backend/bundling.ts), and the worker runtime. Built once per
 * process into a temporary folder that is removed at exit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { lambdaBuildOptions, lambdaBundling } from '../bundling.ts';
import { type FunctionId, functions } from '../http/routes.ts';

export interface LocalBuild {
  readonly runtimePath: string;
  readonly bundles: Readonly<Record<FunctionId, string>>;
}

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The local stack runs on this Node, not on Lambda's: build for it. */
const localTarget = `node${process.versions.node.split('.')[0]}`;

let cached: Promise<LocalBuild> | undefined;

export const buildLocal = (): Promise<LocalBuild> => {
  cached ??= (async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'whiteboard-local-'));
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
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
        build(
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
