/**
 * Stack traces of the errors the handlers log, mapped to the TypeScript sources through the
 * bundle's source maps, which are read only when an error is logged.
 *
 * Why not `NODE_OPTIONS=--enable-source-maps`, as the Lambda Developer Guide suggests for bundled
 * code: Node then reads and parses the source map of every module as it loads it, and measures
 * every line of its code, on every cold start, to serve the rare error. For these bundles that was
 * 15-17 ms of a cold start of about 180 ms here (docs/performance.md, "Cold starts"). The local
 * stack keeps the flag (execution-environments.ts): there a cold start is paid once per
 * environment, and every stack trace, not only the logged ones, points at the sources.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A frame's location: a file URL (ES modules) or an absolute path, then line and column. */
const LOCATION = /((?:file:\/\/)?\/[^\s()]+?):(\d+):(\d+)/g;

/** Source maps by the path of the file they map, each read once; undefined where there is none. */
const maps = new Map<string, SourceMap | undefined>();

const mapOf = (file: string): SourceMap | undefined => {
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      // No map beside it (Node's own files, a file of the local stack's build): left as it is.
    }
    maps.set(file, map);
  }
  return maps.get(file);
};

/**
 * The stack with each location in a bundle replaced by its place in the sources, e.g.
 * `backend/adapters/dynamodb-message-repository.ts:61:7` for `file:///var/task/index.mjs:1:5012`.
 * The sources are named as the map names them, relative to the project (esbuild writes them
 * relative to the bundle's folder; the `../` that lead out of it are dropped).
 */
export const sourceMappedStack = (stack: string): string =>
  stack.replace(LOCATION, (location, file: string, line: string, column: string) => {
    const path = file.startsWith('file:') ? fileURLToPath(file) : file;
    const entry = mapOf(path)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (entry === undefined || !('originalSource' in entry) || entry.originalSource === undefined) {
      return location;
    }
    const source = entry.originalSource.replace(/^(?:\.\.\/)+/, '');
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });

/**
 * Maps the stacks of an error and of its causes in place, before it is logged. Nothing to do
 * where Node already maps them (the local stack, with `--enable-source-maps`).
 */
export const mapErrorStacks = (error: unknown): void => {
  if (process.sourceMapsEnabled) return;
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current.stack !== undefined) current.stack = sourceMappedStack(current.stack);
    current = current.cause;
  }
};
