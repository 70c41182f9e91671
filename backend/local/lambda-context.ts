/**
 * The context object the Lambda Node.js runtime passes to a handler with each invocation (AWS
 * docs, "Using the Lambda context object to retrieve Node.js function information"), filled as
 * the local runtime fills it (runtime-worker.ts). Tests and benchmarks build theirs here too, so
 * they hand handlers the same shape the local stack does.
 */
import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { ACCOUNT_ID } from './event.ts';

/** Every local invocation runs the unpublished version. */
export const FUNCTION_VERSION = '$LATEST';

/** Lambda's default log group of a function. */
export const logGroupName = (functionName: string): string => `/aws/lambda/${functionName}`;

/**
 * A new execution environment's log stream, named as Lambda names them: the date, the version and
 * 32 hex digits (`2026/11/27/[$LATEST]0123456789abcdef0123456789abcdef`).
 */
export const newLogStreamName = (now = new Date()): string =>
  `${now.toISOString().slice(0, 10).replaceAll('-', '/')}/[${FUNCTION_VERSION}]${randomBytes(16).toString('hex')}`;

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
  functionVersion: FUNCTION_VERSION,
  invokedFunctionArn: `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${functionName}`,
  memoryLimitInMB: String(memorySize),
  awsRequestId: requestId,
  logGroupName: logGroupName(functionName),
  logStreamName,
  getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});
