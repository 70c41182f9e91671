import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools objects, created once per execution environment (Powertools examples,
 * `examples/app/functions/commons/powertools/`). Service name, metrics namespace and log level come
 * from POWERTOOLS_* environment variables, set from the shared definition in backend/http/routes.ts.
 */
export const logger = new Logger();
export const tracer = new Tracer();
export const metrics = new Metrics();
