/**
 * The names of the business metrics the handlers publish (instrument.ts, through Powertools
 * Metrics) and the stage dashboard graphs (infra/constructs/whiteboard-observability.ts). One
 * definition for both, with no imports, so infra/ can read it without loading Powertools: a
 * renamed metric then renames the graph too, instead of leaving it empty.
 */
export const businessMetricNames = {
  messagesPosted: 'MessagesPosted',
  messagesRead: 'MessagesRead',
  /** One per request answered with a 4xx. */
  rejectedRequests: 'RejectedRequests',
} as const;

export type BusinessMetricName = (typeof businessMetricNames)[keyof typeof businessMetricNames];

/**
 * One per request the handler answered with a 5xx, with the dimensions `service` and
 * `function_name` (as Powertools' ColdStart): Lambda counts such an invocation as a success, so
 * the function's own Errors metric never shows it, and the API's 5xx metric does not say which
 * function failed.
 */
export const failedRequestsMetricName = 'FailedRequests';
