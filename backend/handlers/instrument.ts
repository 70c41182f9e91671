import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import type { AnsweredCode } from '../domain/errors.ts';
import type { ApiEvent, ApiResult, Endpoint } from '../http/api-types.ts';
import type { EndpointObserver } from '../http/endpoints.ts';
import { errorAnswer } from '../http/error-response.ts';
import { mapErrorStacks } from '../source-mapped-stack.ts';
import { businessMetricNames, failedRequestsMetricName } from './business-metrics.ts';

/** What the handlers use of Tracer: the real one in Lambda, a stand-in where it is off (powertools.ts). */
export type TracerLike = Pick<
  Tracer,
  | 'getSegment'
  | 'setSegment'
  | 'annotateColdStart'
  | 'addServiceNameAnnotation'
  | 'addErrorAsMetadata'
  | 'putAnnotation'
  | 'captureAWSv3Client'
>;

export interface Powertools {
  readonly logger: Logger;
  readonly tracer: TracerLike;
  readonly metrics: Metrics;
}

/** Reports what endpoints observe as the business metrics and the `board` trace annotation. */
export const observer = ({ tracer, metrics }: Powertools): EndpointObserver => ({
  board: (board) => tracer.putAnnotation('board', board),
  messagesRead: (count) => metrics.addMetric(businessMetricNames.messagesRead, MetricUnit.Count, count),
  messagesPosted: (count) => metrics.addMetric(businessMetricNames.messagesPosted, MetricUnit.Count, count),
});

/**
 * Wraps an endpoint as a Lambda handler with Powertools, done by hand rather than with the Middy
 * middlewares to keep the bundle and the cold start small (Powertools docs, "Tracer: manual
 * instrumentation"; Logger `addContext`; Metrics `publishStoredMetrics`):
 * - Logger: Lambda context and cold start flag on every line, correlation id = API Gateway request
 *   id, one structured line per request with route, status and duration, and the `code` of an
 *   error answer.
 * - Tracer: a `## <_HANDLER>` subsegment (`## index.handler` deployed) with the ColdStart and Service
 *   annotations; errors as metadata.
 * - Metrics: ColdStart metric, RejectedRequests on 4xx, FailedRequests on 5xx; flushed on every
 *   invocation, even on error.
 * Errors become responses in one place (error-response.ts): a 5xx is logged with its stack, mapped
 * to the TypeScript sources (backend/source-mapped-stack.ts).
 */
export const instrument = ({ logger, tracer, metrics }: Powertools, endpoint: Endpoint) => {
  // Read once per environment: Lambda sets _HANDLER before init and never changes it.
  const subsegmentName = `## ${process.env._HANDLER ?? 'handler'}`;
  return async (event: ApiEvent, context: Context): Promise<ApiResult> => {
    const started = performance.now();
    logger.addContext(context);
    // Always set, so no invocation keeps the one before's: Logger keeps temporary keys until reset,
    // and setting one to undefined leaves the old value. API Gateway's request id, else Lambda's.
    logger.setCorrelationId(event?.requestContext?.requestId ?? context.awsRequestId);
    metrics.captureColdStartMetric(context.functionName);

    const segment = tracer.getSegment();
    const subsegment = segment?.addNewSubsegment(subsegmentName);
    if (subsegment) tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();

    let result: ApiResult;
    /** The error answer's `code`, on the request's log line: why it was refused or failed. */
    let code: AnsweredCode | undefined;
    try {
      result = await endpoint(event);
    } catch (error) {
      ({ result, code } = errorAnswer(error));
      if (result.statusCode >= 500) {
        mapErrorStacks(error);
        logger.error('request failed', error as Error);
        tracer.addErrorAsMetadata(error as Error);
      }
    } finally {
      subsegment?.close();
      if (segment) tracer.setSegment(segment);
    }
    if (result.statusCode >= 400 && result.statusCode < 500) {
      metrics.addMetric(businessMetricNames.rejectedRequests, MetricUnit.Count, 1);
    } else if (result.statusCode >= 500) {
      // A metric of its own (published at once, as Powertools publishes ColdStart), so that its
      // function_name dimension is not added to a business metric recorded before the failure.
      const failed = metrics.singleMetric();
      failed.addDimension('function_name', context.functionName);
      failed.addMetric(failedRequestsMetricName, MetricUnit.Count, 1);
    }
    // Publishing nothing would print Powertools' plain-text "No application metrics to publish"
    // warning between the JSON log lines.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    logger.info('request', {
      route: event.routeKey,
      status: result.statusCode,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...(code === undefined ? {} : { code }),
    });
    return result;
  };
};
