#!/usr/bin/env node
// Builds what must be JavaScript before anything runs: the `whiteboard` CLI bundle (dist/cli),
// so `npx whiteboard` starts fast without compiling TypeScript at run time. Runs on `npm ci`
// through the `prepare` script.
import { build } from 'esbuild';

await build({
  entryPoints: ['cli/main.ts'],
  outfile: 'dist/cli/whiteboard.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  banner: {
    // A bundled ESM file has no `require`; some CommonJS dependencies still call it.
    js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
