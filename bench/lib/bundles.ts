/**
 * The bundles the benchmarks run, built into a temporary folder with the esbuild settings of the
 * bundles the CDK app ships (backend/bundling.ts), flag for flag: the functions of
 * backend/http/routes.ts, the floor (floor/floor-handler.ts: only the lib-dynamodb call) and two
 * bundles for scale, each run beside the ReadMessages bundle:
 * - a naive Powertools bundle (floor/naive-handler.ts), built without the bundle shims that stand
 *   in for cls-hooked and semver: what a first bundle of Powertools would be;
 * - the ReadMessages bundle over an aws-xray-sdk-core that does nothing (floor/no-op-xray.ts),
 *   traced only: what a traced cold start would be if the X-Ray client cost nothing.
 */
import { join, relative, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { lambdaBuildOptions, lambdaBundling } from '../../backend/bundling.ts';
import { type FunctionId, functions } from '../../backend/http/routes.ts';
import { ownTempFolder } from '../../backend/local/temp-folders.ts';
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

/** A bundle measured for scale beside one function's bundle, with no budget of its own. */
export interface ScaleBundle extends BuiltBundle {
  /** How the bench's table names it. */
  readonly label: string;
  readonly beside: FunctionId;
  /** Measured only traced (as Lambda runs it), or in both modes. */
  readonly tracedOnly: boolean;
}

export interface BenchBundles {
  readonly dir: string;
  readonly functions: Readonly<Record<FunctionId, BuiltBundle>>;
  readonly floor: BuiltBundle;
  readonly forScale: readonly ScaleBundle[];
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
  /** In place of the shipped aliases (the bundle shims), for the bundles built for scale. */
  alias?: Record<string, string>,
): Promise<BuiltBundle> => {
  // The shipped options and target (node24): esbuild emits the same code for node20 here (checked
  // when this benchmark was written), so the bundle that ships is the one measured, on this Node.
  const options = lambdaBuildOptions({ entry: resolve(repoRoot, entry), outdir: join(dir, name) });
  const { metafile } = await build({ ...options, alias: alias ?? options.alias, metafile: true });
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
  // Removed at exit, also by an interrupted run (bench/run.ts exits on SIGINT and SIGTERM), and
  // at the next run when this one was killed.
  const { path: dir, remove } = ownTempFolder('whiteboard-bench-');
  const ids = Object.keys(functions) as FunctionId[];
  const { entry, handler } = functions.readMessages;
  const noOpXray = resolve(repoRoot, 'bench/floor/no-op-xray.ts');
  const [floor, naive, overNoOpXray, ...built] = await Promise.all([
    buildBundle('floor', 'bench/floor/floor-handler.ts', 'handler', dir),
    buildBundle('naive', 'bench/floor/naive-handler.ts', 'handler', dir, {}),
    buildBundle('no-op-xray', entry, handler, dir, {
      ...lambdaBundling.alias,
      'aws-xray-sdk-core': noOpXray,
    }),
    ...ids.map((id) => buildBundle(functions[id].id, functions[id].entry, functions[id].handler, dir)),
  ]);
  // The figure means something only if the alias took: no file of the real SDK in the bundle.
  const realXray = Object.keys((overNoOpXray as BuiltBundle).metafile.inputs).filter((input) =>
    input.includes('node_modules/aws-xray-sdk-core/'),
  );
  if (realXray.length > 0) throw new Error(`the no-op X-Ray bundle holds ${realXray.join(', ')}`);
  const forScale: ScaleBundle[] = [
    {
      ...(overNoOpXray as BuiltBundle),
      label: `${functions.readMessages.id} over a no-op X-Ray SDK`,
      beside: 'readMessages',
      tracedOnly: true,
    },
    {
      ...(naive as BuiltBundle),
      label: 'naive Powertools bundle',
      beside: 'readMessages',
      tracedOnly: false,
    },
  ];
  return {
    dir,
    functions: Object.fromEntries(ids.map((id, index) => [id, built[index]])) as Record<
      FunctionId,
      BuiltBundle
    >,
    floor: floor as BuiltBundle,
    forScale,
    remove,
  };
};
