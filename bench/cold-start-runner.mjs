// One cold start, as the Lambda Node.js runtime does it: a fresh process imports the bundle
// (init), then calls its handler once with a real event and a Lambda context. Reports on fd 3 the
// status code, the process's peak resident memory, how long the import (init) and the first
// invocation took and the CPU time used, as soon as the handler has answered (the parent stops
// its clock there), then lets the X-Ray datagrams still queued go out and exits
// (the SDK's keep-alive sockets would keep it alive; Lambda would freeze it instead). Plain
// JavaScript on purpose: the process loads nothing but this file and the bundle.
//
// node cold-start-runner.mjs <bundle> <handler name> <event.json>
import { createRequire } from 'node:module';

// Its own built-ins through `require`, as the Lambda runtime interface client loads its own
// (aws-lambda-ric 4: `cjsRequire("node:fs")`): an `import` would build their ES module facades
// here, which a bundle that imports them would otherwise build, and pay for, itself
// (backend/bundling.ts).
const require = createRequire(import.meta.url);
const { readFileSync, writeSync } = require('node:fs');
const { pathToFileURL } = require('node:url');

const [bundle, handlerName, eventPath] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventPath, 'utf8'));
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'bench';
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '256',
  awsRequestId: event.requestContext.requestId,
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
  getRemainingTimeInMillis: () => 5000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};

const initStarted = performance.now();
const module = await import(pathToFileURL(bundle).href);
const invokeStarted = performance.now();
const result = await module[handlerName](event, context);
const answered = performance.now();
const cpu = process.cpuUsage();
writeSync(
  3,
  `${JSON.stringify({
    statusCode: result?.statusCode,
    maxRssKb: process.resourceUsage().maxRSS,
    initMs: invokeStarted - initStarted,
    invokeMs: answered - invokeStarted,
    cpuMs: (cpu.user + cpu.system) / 1000,
  })}\n`,
);
setTimeout(() => process.exit(0), 20);
