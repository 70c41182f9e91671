/** The Lambda context a benchmark passes to a function's handler, as the Node.js runtime fills it. */
import type { Context } from 'aws-lambda';
import type { FunctionDefinition } from '../../backend/http/routes.ts';

export const benchContext = ({ id, memorySize }: FunctionDefinition): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: id,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${id}`,
  memoryLimitInMB: String(memorySize),
  awsRequestId: 'bench',
  logGroupName: `/aws/lambda/${id}`,
  logStreamName: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
  getRemainingTimeInMillis: () => 5000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});
