/**
 * The context object the Lambda Node.js runtime passes to a handler with each invocation (AWS
 * docs, "Using the Lambda context object to retrieve Node.js function information"), filled as
 * the local runtime fills it (runtime-worker.ts). Tests and benchmarks build theirs here too, so
 * they hand handlers the same shape the local stack does.
 */
import type { Context } from 'aws-lambda';

export interface InvocationContextFields {
  readonly functionName: string;
  readonly memorySize: number;
  readonly region: string;
  readonly requestId: string;
  /** Epoch ms at which the invocation times out. */
  readonly deadlineMs: number;
  /** The environment's log stream: one per execution environment. */
  readonly logStreamName: string;
}

export const invocationContext = ({
  functionName,
  memorySize,
  region,
  requestId,
  deadlineMs,
  logStreamName,
}: InvocationContextFields): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${functionName}`,
  memoryLimitInMB: String(memorySize),
  awsRequestId: requestId,
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName,
  getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});
