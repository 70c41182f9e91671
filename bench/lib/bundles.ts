/**
 * The bundles the benchmarks run, built into a temporary folder with the esbuild settings of the
 * bundles the CDK app ships (backend/bundling.ts), flag for flag: the functions of
 * backend/http/routes.ts, the floor (floor/floor-handler.ts: only the lib-dynamodb call) and a
 * naive Powertools bundle for scale (floor/naive-handler.ts).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { lambdaBundling } from '../../backend/bundling.ts';
import { type FunctionId, functions } from '../../backend/http/routes.ts';
import { repoRoot } from './processes.ts';

export interface BuiltBundle {
  readonly name: string;
  /** index.mjs */
  readonly path: string;
  readonly handler: string;
  /** Size of index.mjs (the source map is a separate file that Lambda never loads). */
  readonly bytes: number;
  readonly metafile: Metafile;
}

export interface BenchBundles {
  readonly dir: string;
  readonly functions: Readonly<Record<FunctionId, BuiltBundle>>;
  readonly floor: BuiltBundle;
  readonly naive: BuiltBundle;
  remove(): void;
}

const buildBundle = async (
  name: string,
  entry: string,
  handler: string,
  dir: string,
): Promise<BuiltBundle> => {
  const path = join(dir, name, `index${lambdaBundling.outExtension}`);
  const result = await build({
    entryPoints: [resolve(repoRoot, entry)],
    outfile: path,
    bundle: true,
    platform: lambdaBundling.platform,
    format: lambdaBundling.format,
    // The shipped target (node24): esbuild emits the same code for node20 here (checked when this
    // benchmark was written), so the bundle that ships is the one measured, on this Node.
    target: lambdaBundling.target,
    minify: lambdaBundling.minify,
    sourcemap: lambdaBundling.sourcemap,
    // As infra/constructs/whiteboard-function.ts ships them: mappings only, no sources.
    sourcesContent: false,
    mainFields: [...lambdaBundling.mainFields],
    external: [...lambdaBundling.external],
    banner: { js: lambdaBundling.banner },
    metafile: true,
    logLevel: 'error',
  });
  return { name, path, handler, bytes: statSync(path).size, metafile: result.metafile };
};

export const buildBenchBundles = async (): Promise<BenchBundles> => {
  const dir = mkdtempSync(join(tmpdir(), 'whiteboard-bench-'));
  const ids = Object.keys(functions) as FunctionId[];
  const [floor, naive, ...built] = await Promise.all([
    buildBundle('floor', 'bench/floor/floor-handler.ts', 'handler', dir),
    buildBundle('naive', 'bench/floor/naive-handler.ts', 'handler', dir),
    ...ids.map((id) => buildBundle(functions[id].id, functions[id].entry, functions[id].handler, dir)),
  ]);
  return {
    dir,
    functions: Object.fromEntries(ids.map((id, index) => [id, built[index]])) as Record<
      FunctionId,
      BuiltBundle
    >,
    floor: floor as BuiltBundle,
    naive: naive as BuiltBundle,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
};
