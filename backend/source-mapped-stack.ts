/**
 * Stack traces of the errors the handlers log, mapped to the TypeScript sources through the
 * bundle's source maps, which are read only when an error is logged. The CLI maps the stack trace
 * that `--verbose` prints the same way (cli/program.ts), through dist/cli/main.cjs.map.
 *
 * Why not `NODE_OPTIONS=--enable-source-maps`, as the Lambda Developer Guide suggests for bundled
 * code: Node then reads and parses the source map of every module as it loads it, and measures
 * every line of its code, on every cold start, to serve the rare error. For these bundles that was
 * 14-17 ms of a cold start of about 180 ms here (docs/performance-history.md, "Cold starts"). The
 * local stack keeps the flag (execution-environments.ts): there a cold start is paid once per
 * environment, and every stack trace, not only the logged ones, points at the sources.
 *
 * What this maps: the errors a handler logs (instrument.ts) and those that end an init
 * (composition.ts). What it does not: a crash the Lambda runtime reports itself (an uncaught
 * exception outside an invocation), whose stack names places in the minified bundle. Function
 * names stay minified (`at Ou (backend/config.ts:14:21)`): the place is what a reader needs.
 * Mapping is best-effort: whatever goes wrong in it leaves the stack as it was.
 */
import { readFileSync } from 'node:fs';
import type { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * A frame of V8's stack trace, `    at fn (location)` or `    at location`, whose location is a
 * file URL (ES modules) or an absolute path, then line and column. The location runs to the end of
 * the line: a path may hold spaces and parentheses (`/Users/Jane Doe/My Projects (old)/...`).
 */
const FRAME = /^(\s+at (?:async )?(?:.*? \()?)((?:file:\/\/)?\/.*?):(\d+):(\d+)(\)?)$/;

/**
 * Longer lines are left as they are: V8 writes no frame this long, and the pattern's time grows
 * with the square of a line's length (a server's 4 MiB error message, quoted into the CLI's
 * `--verbose` stack, would take minutes).
 */
const MAX_FRAME_LENGTH = 4_096;

/** Source maps by the path of the file they map, each read once; undefined where there is none. */
const maps = new Map<string, SourceMap | undefined>();

const mapOf = (file: string): SourceMap | undefined => {
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    try {
      // Loaded here, at the first error mapped, not with this module: node:module brings Node's ES
      // module loader, a few milliseconds of every start of the CLI, which imports this module.
      const { SourceMap } = process.getBuiltinModule('node:module');
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      // No map beside it (Node's own files, a file of the local stack's build): left as it is.
    }
    maps.set(file, map);
  }
  return maps.get(file);
};

const mappedFrame = (text: string): string =>
  text.replace(FRAME, (frame, before: string, file: string, line: string, column: string, after: string) => {
    try {
      const path = file.startsWith('file:') ? fileURLToPath(file) : file;
      const entry = mapOf(path)?.findEntry(Number(line) - 1, Number(column) - 1);
      if (entry === undefined || !('originalSource' in entry) || entry.originalSource === undefined) {
        return frame;
      }
      const source = entry.originalSource.replace(/^(?:\.\.\/)+/, '');
      return `${before}${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}${after}`;
    } catch {
      // A file URL Node will not turn into a path (an encoded `/`), say: left as it is.
      return frame;
    }
  });

/**
 * The stack with each location in a bundle replaced by its place in the sources, e.g.
 * `backend/adapters/dynamodb-message-repository.ts:74:20` for `file:///var/task/index.mjs:10:5012`.
 * The sources are named as the map names them, relative to the project (the CDK's bundles name
 * them so; esbuild alone writes them relative to the bundle's folder, and the `../` that lead out
 * of it are dropped). A location with no place in a map is left as it is.
 */
export const sourceMappedStack = (stack: string): string =>
  stack
    .split('\n')
    .map((text) => (text.length > MAX_FRAME_LENGTH ? text : mappedFrame(text)))
    .join('\n');

/**
 * Maps the stacks of an error and of its causes in place, before it is logged. Nothing to do
 * where Node already maps them (the local stack, with `--enable-source-maps`).
 */
export const mapErrorStacks = (error: unknown): void => {
  if (process.sourceMapsEnabled) return;
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    try {
      if (typeof current.stack === 'string') current.stack = sourceMappedStack(current.stack);
    } catch {
      // A frozen error, or a `stack` that cannot be set: logged as it is.
    }
    current = current.cause;
  }
};
