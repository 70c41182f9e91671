/**
 * For scale in the cold start benchmark: the naive way to add Powertools, the floor's
 * lib-dynamodb call (floor-call.ts) with Logger, Tracer (tracing the client) and Metrics created
 * at init and used around it, every import static. Not shipped; the issue quotes it at 1.14x the
 * floor.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createDocumentClient } from '../../backend/adapters/dynamodb-client.ts';
import { floorHandler } from './floor-call.ts';

const logger = new Logger();
const tracer = new Tracer();
const metrics = new Metrics();
const call = floorHandler(
  tracer.captureAWSv3Client(createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT })),
  process.env.TABLE_NAME ?? '',
);

export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  logger.addContext(context);
  metrics.captureColdStartMetric();
  const segment = tracer.getSegment();
  const subsegment = segment?.addNewSubsegment('## handler');
  if (subsegment) tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  try {
    const result = await call(event);
    metrics.addMetric('Requests', MetricUnit.Count, 1);
    logger.info('request', { status: result.statusCode });
    return result;
  } finally {
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
    metrics.publishStoredMetrics();
  }
};
