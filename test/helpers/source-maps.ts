import { readFileSync } from 'node:fs';

/** The source files an esbuild output was built from, as its source map (`<output>.map`) names them. */
export const sourcesOf = (output: string): string[] =>
  (JSON.parse(readFileSync(`${output}.map`, 'utf8')) as { sources: string[] }).sources;
