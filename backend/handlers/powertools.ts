import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { TracerLike } from './instrument.ts';

/**
 * Powertools objects, created once per execution environment (Powertools examples,
 * `examples/app/functions/commons/powertools/`). Service name, metrics namespace and log level come
 * from POWERTOOLS_* environment variables, set from the shared definition in backend/http/routes.ts
 * (in AWS, with a metrics namespace of the stage's own).
 */
export const logger = new Logger();
export const metrics = new Metrics();

/**
 * Whether Powertools Tracer would trace in this environment. It turns itself off outside Lambda (no
 * AWS_EXECUTION_ENV) and wherever POWERTOOLS_TRACE_ENABLED is `false`, whatever the case (its
 * `setTracingEnabled`, which trims both values as this does). Under SAM local or Amplify's mock it
 * turns itself off as well; there the real Tracer is left to decide.
 */
export const canTrace = (env: NodeJS.ProcessEnv): boolean =>
  (env.AWS_EXECUTION_ENV ?? '').trim() !== '' &&
  (env.POWERTOOLS_TRACE_ENABLED ?? '').trim().toLowerCase() !== 'false';

/**
 * Tracer is imported only where it can trace. Turned off, it does nothing that can be seen, yet
 * importing it loads aws-xray-sdk-core, whose import costs init time (12-15 ms of a cold start
 * here) and whose context tracking (AsyncLocalStorage in these bundles, backend/bundle-shims/)
 * follows every promise of every request. The bundle keeps what `import()` loads in a chunk of its
 * own (backend/bundling.ts), so not even its parsing is paid where it is not imported. So where
 * Powertools would turn it off (the local stack, tests, a function deployed with tracing off), a
 * stand-in that does what a disabled Tracer does: nothing. Elsewhere the real Tracer, which applies
 * the rest of Powertools' rules.
 */
const disabledTracer: TracerLike = {
  getSegment: () => undefined,
  setSegment: () => undefined,
  annotateColdStart: () => undefined,
  addServiceNameAnnotation: () => undefined,
  addErrorAsMetadata: () => undefined,
  putAnnotation: () => undefined,
  captureAWSv3Client: (client) => client,
};

export const tracer: TracerLike = canTrace(process.env)
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer()
  : disabledTracer;
