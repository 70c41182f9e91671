/**
 * The floor of the cold start benchmark: a Lambda handler that only makes the lib-dynamodb call
 * (floor-call.ts), with the document client settings of the real handlers
 * (backend/adapters/dynamodb-client.ts). Built with the shipped esbuild flags (bench/lib/bundles.ts).
 */
import { createDocumentClient } from '../../backend/adapters/dynamodb-client.ts';
import { floorHandler } from './floor-call.ts';

export const handler = floorHandler(
  createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT }),
  process.env.TABLE_NAME ?? '',
);
