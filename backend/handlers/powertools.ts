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
 * Tracer is imported only where it can trace. Powertools turns it off outside Lambda (no
 * AWS_EXECUTION_ENV: its `setTracingEnabled`), and off it does nothing that can be seen, yet
 * importing it loads aws-xray-sdk-core, whose import costs init time and whose context tracking
 * (AsyncLocalStorage in these bundles, backend/bundle-shims/) follows every promise of every
 * request. The bundle keeps what `import()` loads in a chunk of its own (backend/bundling.ts), so
 * not even its parsing is paid where it is not imported. So without AWS_EXECUTION_ENV (the local
 * stack, tests) a stand-in that does what a disabled Tracer does: nothing. In Lambda the real
 * Tracer, which still applies the rest of Powertools' rules (POWERTOOLS_TRACE_ENABLED,
 * AWS_SAM_LOCAL).
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

export const tracer: TracerLike = process.env.AWS_EXECUTION_ENV
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer()
  : disabledTracer;
