/**
 * The bundles the benchmarks run, built into a temporary folder with the esbuild settings of the
 * bundles the CDK app ships (backend/bundling.ts), flag for flag: the functions of
 * backend/http/routes.ts, the floor (floor/floor-handler.ts: only the lib-dynamodb call) and a
 * naive Powertools bundle for scale (floor/naive-handler.ts), built without the bundle shims that
 * stand in for cls-hooked and semver: what a first bundle of Powertools would be.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { lambdaBuildOptions, lambdaBundling } from '../../backend/bundling.ts';
import { type FunctionId, functions } from '../../backend/http/routes.ts';
import { repoRoot } from './processes.ts';

export interface BuiltBundle {
  readonly name: string;
  /** index.mjs */
  readonly path: string;
  readonly handler: string;
  /**
   * Code a cold start loads before the handler runs: index.mjs and the chunks it imports
   * statically (source maps are separate files, read only for a stack trace).
   */
  readonly initBytes: number;
  /** All the code in the bundle, the chunks loaded on demand (`import()`) included. */
  readonly totalBytes: number;
  readonly metafile: Metafile;
}

export interface BenchBundles {
  readonly dir: string;
  readonly functions: Readonly<Record<FunctionId, BuiltBundle>>;
  readonly floor: BuiltBundle;
  readonly naive: BuiltBundle;
  remove(): void;
}

/** Bytes of an output and of everything it imports statically, each output counted once. */
const staticClosureBytes = (metafile: Metafile, output: string): number => {
  const seen = new Set<string>();
  const visit = (path: string): number => {
    const file = metafile.outputs[path];
    if (!file || seen.has(path)) return 0;
    seen.add(path);
    return file.imports
      .filter((edge) => edge.kind === 'import-statement' && !edge.external)
      .reduce((sum, edge) => sum + visit(edge.path), file.bytes);
  };
  return visit(output);
};

const buildBundle = async (
  name: string,
  entry: string,
  handler: string,
  dir: string,
  shims = true,
): Promise<BuiltBundle> => {
  // The shipped options and target (node24): esbuild emits the same code for node20 here (checked
  // when this benchmark was written), so the bundle that ships is the one measured, on this Node.
  const options = lambdaBuildOptions({ entry: resolve(repoRoot, entry), outdir: join(dir, name) });
  const { metafile } = await build({ ...options, ...(shims ? {} : { alias: {} }), metafile: true });
  const path = join(options.outdir, lambdaBundling.entryFile);
  // The metafile names outputs relative to the working directory.
  const entryOutput = relative(process.cwd(), path);
  const outputs = Object.entries(metafile.outputs).filter(([output]) => output.endsWith('.mjs'));
  return {
    name,
    path,
    handler,
    initBytes: staticClosureBytes(metafile, entryOutput),
    totalBytes: outputs.reduce((sum, [, output]) => sum + output.bytes, 0),
    metafile,
  };
};

export const buildBenchBundles = async (): Promise<BenchBundles> => {
  const dir = mkdtempSync(join(tmpdir(), 'whiteboard-bench-'));
  const ids = Object.keys(functions) as FunctionId[];
  const [floor, naive, ...built] = await Promise.all([
    buildBundle('floor', 'bench/floor/floor-handler.ts', 'handler', dir),
    buildBundle('naive', 'bench/floor/naive-handler.ts', 'handler', dir, false),
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
