/**
 * Builds what the local stack runs: each function's bundle, with the same esbuild settings as
 * the bundles the CDK stack ships (backend/bundling.ts), and the worker runtime. Built once per
 * process into a temporary folder that is removed at exit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { lambdaBundling } from '../bundling.ts';
import { type FunctionId, functions } from '../http/routes.ts';

export interface LocalBuild {
  readonly runtimePath: string;
  readonly bundles: Readonly<Record<FunctionId, string>>;
}

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The local stack runs on this Node, not on Lambda's: build for it. */
const localTarget = `node${process.versions.node.split('.')[0]}`;

const buildOne = async (entry: string, outfile: string, minify: boolean) => {
  await build({
    entryPoints: [resolve(root, entry)],
    outfile,
    bundle: true,
    platform: lambdaBundling.platform,
    format: lambdaBundling.format,
    target: localTarget,
    minify,
    sourcemap: lambdaBundling.sourcemap,
    mainFields: [...lambdaBundling.mainFields],
    external: [...lambdaBundling.external],
    banner: { js: lambdaBundling.banner },
    logLevel: 'error',
  });
};

let cached: Promise<LocalBuild> | undefined;

export const buildLocal = (): Promise<LocalBuild> => {
  cached ??= (async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'whiteboard-local-'));
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    const runtimePath = join(outDir, 'runtime-worker.mjs');
    const ids = Object.keys(functions) as FunctionId[];
    const bundles = Object.fromEntries(
      ids.map((id) => [id, join(outDir, id, `index${lambdaBundling.outExtension}`)]),
    );
    await Promise.all([
      buildOne('backend/local/runtime-worker.ts', runtimePath, false),
      ...ids.map((id) => buildOne(functions[id].entry, bundles[id] as string, lambdaBundling.minify)),
    ]);
    return { runtimePath, bundles: bundles as Record<FunctionId, string> };
  })();
  return cached;
};
