/** The Lambda context a benchmark passes to a function's handler, as the local runtime fills it. */
import type { Context } from 'aws-lambda';
import type { FunctionDefinition } from '../../backend/http/routes.ts';
import { invocationContext } from '../../backend/local/lambda-context.ts';

export const benchContext = ({ id, memorySize, timeout }: FunctionDefinition): Context =>
  invocationContext({
    functionName: id,
    memorySize,
    region: 'us-east-1',
    requestId: 'bench',
    deadlineMs: Date.now() + timeout * 1000,
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
  });
