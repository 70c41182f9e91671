// Runs a synthesized Lambda bundle (the index.mjs CDK put in the cloud assembly) the way the
// Node.js runtime does: import it once, then call its handler with each event and a Lambda
// context, one invocation after the other, in this process (one execution environment). Plain
// JavaScript on purpose: nothing but the bundle itself is loaded, so what answers is what ships.
//
// Protocol (child_process.fork IPC): the parent sends
//   { bundle, handler, invocations: [{ event, context, traceHeader? }] }
// and receives { results: [...] } or { error: { message, stack } }. Logs and EMF lines go to stdout.
// After the results the process stays until the parent sends 'exit': the parent decides when what
// the function still sends has arrived (X-Ray segments go out over UDP after the subsegment closes;
// Lambda freezes the environment instead).
// traceHeader is the invocation's X-Ray header, which a runtime puts in _X_AMZN_TRACE_ID before
// each invocation ("Propagate the tracing header": Lambda Developer Guide, "Building a custom
// runtime", https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html).
import { pathToFileURL } from 'node:url';

const lambdaContext = (fields) => {
  const deadline = Date.now() + fields.timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fields.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: fields.invokedFunctionArn,
    memoryLimitInMB: fields.memoryLimitInMB,
    awsRequestId: fields.awsRequestId,
    logGroupName: `/aws/lambda/${fields.functionName}`,
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
};

process.once('message', async ({ bundle, handler, invocations }) => {
  try {
    const module = await import(pathToFileURL(bundle).href);
    const handle = module[handler];
    if (typeof handle !== 'function') throw new Error(`${bundle} exports no function "${handler}"`);
    const results = [];
    for (const { event, context, traceHeader } of invocations) {
      if (traceHeader) process.env._X_AMZN_TRACE_ID = traceHeader;
      results.push(await handle(event, lambdaContext(context)));
    }
    process.once('message', () => process.exit(0));
    process.send({ results });
  } catch (error) {
    process.send(
      { error: { message: String(error?.message ?? error), stack: String(error?.stack ?? '') } },
      () => process.exit(1),
    );
  }
});
