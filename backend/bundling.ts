/**
 * esbuild settings of the Lambda bundles: the CDK stack's NodejsFunction (infra/), the local stack
 * and the benchmarks all build with these, so what runs locally is what ships.
 */
export const lambdaBundling = {
  format: 'esm',
  platform: 'node',
  /** Lambda's runtime is nodejs24.x; the local stack overrides this to the Node it runs on. */
  target: 'node24',
  minify: true,
  sourcemap: true,
  /** Prefer ESM builds of dependencies so esbuild can tree-shake them. */
  mainFields: ['module', 'main'],
  /** Bundle everything, the AWS SDK included: a pinned SDK, not whatever the runtime carries. */
  external: [] as string[],
  /** An ESM bundle has no `require`; CommonJS dependencies (aws-xray-sdk-core) still call it. */
  banner:
    "import { createRequire as __wbCreateRequire } from 'node:module'; const require = __wbCreateRequire(import.meta.url);",
  /** Lambda runs the bundle as `index.mjs`. */
  outExtension: '.mjs',
} as const;
