/**
 * Lambda-like execution environments and the gateway's answers for functions that fail, run
 * away, crash or return what API Gateway cannot use. Uses a fixture handler instead of ours so
 * every misbehaviour can be provoked; no DynamoDB involved.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { corsSettings, type FunctionDefinition, type RouteDefinition } from '../../backend/http/routes.ts';
import { buildLocal } from '../../backend/local/build.ts';
import {
  FunctionEnvironments,
  type FunctionEnvironmentsOptions,
} from '../../backend/local/execution-environments.ts';
import { createGatewayServer, type GatewayRecord } from '../../backend/local/gateway-server.ts';
import { createLogPrinter, type LogPrinter } from '../../backend/local/log-printer.ts';
import {
  HTTP_API_HEADER_LIMIT_BYTES,
  HTTP_API_PAYLOAD_LIMIT_BYTES,
} from '../../backend/local/request-quotas.ts';
import { drainOnStop } from '../../backend/local/stack.ts';
import { ownTempFolder } from '../../backend/local/temp-folders.ts';
import { exchange, overSocket as overSocketTo } from '../helpers/exchange.ts';
import { listenersOn, stillListening } from '../helpers/listening.ts';

const bundlePath = fileURLToPath(new URL('../fixtures/handlers/behaviours.mjs', import.meta.url));
const definition: FunctionDefinition = {
  id: 'Behaviours',
  entry: 'test/fixtures/handlers/behaviours.mjs',
  handler: 'handler',
  description: 'test',
  memorySize: 128,
  // Room for the tests that hold invocations open until they release them on a busy machine; the
  // timeout tests wait this long.
  timeout: 3,
  tableAccess: 'query',
  environment: {},
};

let environments: FunctionEnvironments;
let server: Server;
let url: string;
const { path: scratch, remove: removeScratch } = ownTempFolder('whiteboard-environments-');
const coldStarts: string[] = [];
/** What the function wrote, line by line, as the environments hand it on. */
const logged: Array<{ line: string; stream: 'stdout' | 'stderr' }> = [];
const linesTagged = (tag: string) => logged.filter((entry) => entry.line.startsWith(`${tag} `));
/** What the local stack would print: the gateway's line per request among it. */
const printed: string[] = [];
/** The gateway's record of each request it answered. */
const records: GatewayRecord[] = [];

/** Environments of the fixture function; `options` sets their numbers and events. */
const behaviourEnvironments = async (
  options: Pick<FunctionEnvironmentsOptions, 'maxEnvironments' | 'environmentsPerThread' | 'events'> &
    Partial<Pick<FunctionEnvironmentsOptions, 'bundlePath' | 'initLimitMs' | 'variables'>>,
) =>
  new FunctionEnvironments({
    definition,
    runtimePath: (await buildLocal()).runtimePath,
    bundlePath,
    variables: { AWS_LAMBDA_FUNCTION_NAME: 'Behaviours' },
    region: 'us-east-1',
    idleTimeoutMs: 60_000,
    ...options,
  });

/** The printer, with every request record also kept in `records`. */
const recording = (printer: LogPrinter): LogPrinter => ({
  ...printer,
  request: (record) => {
    records.push(record);
    printer.request(record);
  },
});

before(async () => {
  environments = await behaviourEnvironments({
    maxEnvironments: 4,
    // Several environments to a thread, as the local stack runs them by default.
    environmentsPerThread: 4,
    events: {
      log: (_fn, line, stream) => logged.push({ line, stream }),
      coldStart: (fn) => coldStarts.push(fn),
    },
  });
  const routes: RouteDefinition[] = [{ method: 'GET', path: '/run', function: 'readMessages' }];
  server = createGatewayServer({
    routes,
    environments: { readMessages: environments, postMessage: environments },
    cors: corsSettings(),
    printer: recording(createLogPrinter({ color: false, write: (text) => printed.push(text) })),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await environments.close();
  removeScratch();
});

/** Waits, a few seconds at most, until `condition` holds. */
const waitFor = async (condition: () => boolean, what: string) => {
  for (const started = Date.now(); !condition(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() - started > 5_000) assert.fail(`timed out waiting for ${what}`);
  }
};

/** `overSocket` (test/helpers/exchange.ts) to the gateway on `port`, by default the shared one. */
const overSocket = (send: (socket: Socket) => void, port = Number(new URL(url).port)): Promise<string> =>
  overSocketTo(port, send);

/**
 * Sends a CONNECT to the gateway on `port` (then `more`, bytes it will never read), waits for the
 * first bytes of its answer and resets the connection, as a client that gives up on a tunnel does.
 */
const connectThenReset = async (port: number, more?: Buffer): Promise<void> => {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const answered = new Promise((resolve) => socket.once('data', resolve));
  socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
  if (more !== undefined) socket.write(more);
  await answered;
  socket.resetAndDestroy();
};

let releases = 0;
/** A path for the wait-for-release mode of the fixture; created, it lets the invocation end. */
const releaseFile = () => join(scratch, `release-${++releases}`);

const run = async (mode: string) => {
  const response = await fetch(`${url}/run?mode=${mode}`);
  return { status: response.status, body: await response.text() };
};

let together = 0;
/**
 * `count` invocations of `mode` (one that waits for its release) that are all running at once:
 * each says it started, then waits until every one has; their answers are returned.
 */
const runTogetherAnswers = async (
  count: number,
  mode = 'wait-for-release',
): Promise<Array<{ environmentId: string } & Record<string, unknown>>> => {
  const release = releaseFile();
  const tags = Array.from({ length: count }, () => `together-${++together}`);
  const responses = tags.map((tag) => run(`${mode}&tag=${tag}&release=${release}`));
  await waitFor(() => tags.every((tag) => linesTagged(tag).length > 0), `${count} invocations at once`);
  writeFileSync(release, '');
  const bodies = (await Promise.all(responses)).map((response) => JSON.parse(response.body));
  assert.deepEqual(
    bodies.map((body) => body.released),
    Array(count).fill(true),
  );
  return bodies;
};

/** The environments that `count` invocations running at once ran in. */
const runTogether = async (count: number): Promise<string[]> =>
  (await runTogetherAnswers(count)).map((body) => body.environmentId);

describe('execution environments', () => {
  it('reuse a warm environment for invocations one after another', async () => {
    const first = JSON.parse((await run('count')).body);
    const second = JSON.parse((await run('count')).body);
    assert.equal(second.environmentId, first.environmentId);
    assert.equal(second.invocations, first.invocations + 1);
  });

  it('start a new environment (a cold start) when every one is busy, one invocation per environment', async () => {
    const before = environments.stats.coldStarts;
    const reported = coldStarts.length;
    const ids = new Set(await runTogether(3));
    assert.equal(ids.size, 3, 'three concurrent invocations ran in three environments');
    const started = environments.stats.coldStarts - before;
    assert.ok(started >= 2);
    // Each cold start is also reported as an event (the local stack prints it), for its function.
    assert.deepEqual(coldStarts.slice(reported), Array(started).fill('Behaviours'));
    assert.ok(environments.size <= 4);
  });

  it('queue invocations beyond the concurrency limit instead of failing them', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => run('slow')));
    assert.deepEqual(
      results.map((r) => r.status),
      Array(10).fill(200),
    );
    assert.ok(environments.size <= 4);
  });

  it('give the handler a Lambda context and a trace id of its own per invocation', async () => {
    const a = JSON.parse((await run('context')).body);
    const b = JSON.parse((await run('context')).body);
    assert.equal(a.functionName, 'Behaviours');
    assert.equal(a.memory, '128');
    // As Lambda names them ("Using the Lambda context object to retrieve Node.js function
    // information"; a log stream per execution environment).
    assert.equal(a.functionVersion, '$LATEST');
    assert.match(a.invokedFunctionArn, /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:Behaviours$/);
    assert.equal(a.logGroupName, '/aws/lambda/Behaviours');
    assert.match(a.logStreamName, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.ok(a.remaining > 0 && a.remaining <= 3000);
    // Lambda's request id is a UUID of its own, not API Gateway's.
    assert.match(a.awsRequestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(a.awsRequestId, a.requestId);
    assert.match(a.traceId, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/);
    assert.notEqual(a.traceId, b.traceId);
    assert.notEqual(a.awsRequestId, b.awsRequestId);
  });

  it('host several environments in one worker thread, each its own copy of the function', async () => {
    const ids = new Set(await runTogether(3));
    assert.equal(ids.size, 3, 'three environments, each with its own module state');
    assert.equal(environments.threads, 1);
  });

  it('keep each invocation its own trace header and request id while environments of a thread interleave', async () => {
    const results = await runTogetherAnswers(3, 'trace-later');
    assert.equal(new Set(results.map((r) => r.environmentId)).size, 3);
    assert.equal(new Set(results.map((r) => r.later)).size, 3, 'three trace headers');
    for (const result of results) {
      // The header the invocation started with, still its own after the others started.
      assert.equal(result.later, result.atStart);
      assert.equal(result.storeRequestId, result.awsRequestId);
      // The context rides on the invocation's promises (invoke-store.ts), and nothing else does:
      // no async_hooks, whose bookkeeping on every promise cost a tenth of the throughput on
      // Node.js 20 (docs/performance-history.md, "The InvokeStore on promise hooks").
      assert.deepEqual(result.promiseTags, ['whiteboard.invokeContext']);
    }
  });
});

describe('environments with a thread each', () => {
  it('run concurrent invocations in as many threads, as isolated as in Lambda', async () => {
    const isolated = await behaviourEnvironments({
      maxEnvironments: 3,
      environmentsPerThread: 1,
      events: { log: () => undefined, coldStart: () => undefined },
    });
    try {
      const event = JSON.stringify({ rawQueryString: 'mode=slow', requestContext: { requestId: 'r' } });
      const outcomes = await Promise.all(
        ['a', 'b', 'c'].map((id) => isolated.invoke(event, `Root=1-00000000-${id.repeat(24)}`)),
      );
      const ids = outcomes.map((outcome) => {
        assert.equal(outcome.kind, 'result');
        return JSON.parse(JSON.parse((outcome as { payload: string }).payload).body).environmentId;
      });
      assert.equal(new Set(ids).size, 3);
      assert.equal(isolated.threads, 3);
    } finally {
      await isolated.close();
    }
  });
});

describe('environments that cannot serve', () => {
  const quietEvents = { log: () => undefined, coldStart: () => undefined };
  const event = JSON.stringify({ rawQueryString: 'mode=slow', requestContext: { requestId: 'r' } });

  it('stop an init that never ends, as Lambda limits init, instead of holding the request', async () => {
    const stuck = await behaviourEnvironments({
      maxEnvironments: 1,
      events: quietEvents,
      bundlePath: fileURLToPath(new URL('../fixtures/handlers/init-never-ends.mjs', import.meta.url)),
      initLimitMs: 100,
    });
    try {
      const outcome = await stuck.invoke(event, 'Root=1-00000000-000000000000000000000000');
      // The init limit, then the function's timeout (3 s) for Lambda's retry of the init.
      assert.deepEqual(outcome, { kind: 'timeout', timeoutSeconds: 3.1, phase: 'init' });
      assert.equal(stuck.threads, 0, 'its thread was ended');
      assert.equal(stuck.size, 0);
    } finally {
      await stuck.close();
    }
  });

  it('tell an invocation that it ended because another one in its thread timed out', async () => {
    const shared = await behaviourEnvironments({
      maxEnvironments: 2,
      environmentsPerThread: 2,
      events: { log: (_fn, line, stream) => logged.push({ line, stream }), coldStart: () => undefined },
    });
    const trace = 'Root=1-00000000-000000000000000000000000';
    const invocation = (query: string) =>
      shared.invoke(JSON.stringify({ rawQueryString: query, requestContext: { requestId: 'r' } }), trace);
    try {
      // The runaway starts first, so its timeout comes first; it runs away once the other runs.
      const runsAway = releaseFile();
      const runaway = invocation(`mode=wait-then-loop&tag=runaway&release=${runsAway}`);
      await waitFor(() => linesTagged('runaway').length > 0, 'the runaway to start');
      const waiting = invocation(`mode=wait-for-release&tag=neighbour&release=${releaseFile()}`);
      await waitFor(() => linesTagged('neighbour').length > 0, 'its neighbour to start');
      writeFileSync(runsAway, '');
      assert.deepEqual(await runaway, { kind: 'timeout', timeoutSeconds: 3, phase: 'invoke' });
      assert.equal(shared.threads, 0);
      const neighbour = await waiting;
      assert.equal(neighbour.kind, 'crash');
      assert.match(
        (neighbour as { reason: string }).reason,
        /^its worker thread was ended to stop an init or invocation that timed out in another environment/,
      );
    } finally {
      await shared.close();
    }
  });

  it("time an invocation from when its environment starts it, not while a neighbour's init holds the thread", async () => {
    const busyInit = join(scratch, 'busy-init');
    mkdirSync(busyInit);
    const shared = await behaviourEnvironments({
      maxEnvironments: 2,
      environmentsPerThread: 2,
      events: { log: (_fn, line, stream) => logged.push({ line, stream }), coldStart: () => undefined },
      variables: { AWS_LAMBDA_FUNCTION_NAME: 'Behaviours', BUSY_INIT_DIR: busyInit },
    });
    const trace = 'Root=1-00000000-000000000000000000000000';
    const invocation = (query: string) =>
      shared.invoke(JSON.stringify({ rawQueryString: query, requestContext: { requestId: 'r' } }), trace);
    try {
      assert.equal((await invocation('mode=count')).kind, 'result');
      // Environment 0 busy, so the next invocation starts environment 1, whose init will hold the
      // thread for longer than the function's timeout (3 s), within Lambda's init limit.
      const held = releaseFile();
      const first = invocation(`mode=wait-for-release&tag=held&release=${held}`);
      await waitFor(() => linesTagged('held').length > 0, 'environment 0 to be busy');
      writeFileSync(join(busyInit, 'armed'), '4000');
      const second = invocation('mode=count');
      writeFileSync(held, '');
      assert.equal((await first).kind, 'result');
      writeFileSync(join(busyInit, 'go'), '');
      await waitFor(() => existsSync(join(busyInit, 'looping')), "environment 1's init to hold the thread");
      // Handed to the warm environment 0 while the thread is held: its time starts when it runs.
      const third = await invocation('mode=count');
      assert.equal(third.kind, 'result', JSON.stringify(third));
      assert.equal((await second).kind, 'result');
      assert.equal(shared.threads, 1);
    } finally {
      await shared.close();
    }
  });

  it("time out a result whose serialisation runs away, as the function's own code", async () => {
    const runaway = await behaviourEnvironments({ maxEnvironments: 1, events: quietEvents });
    try {
      const outcome = await runaway.invoke(
        JSON.stringify({ rawQueryString: 'mode=tojson-loop', requestContext: { requestId: 'r' } }),
        'Root=1-00000000-000000000000000000000000',
      );
      assert.deepEqual(outcome, { kind: 'timeout', timeoutSeconds: 3, phase: 'invoke' });
      assert.equal(runaway.threads, 0, 'its thread was ended');
    } finally {
      await runaway.close();
    }
  });

  it('take a result that came in time for one, even when this thread reads it after the timeout', async () => {
    const blocked = await behaviourEnvironments({ maxEnvironments: 1, events: quietEvents });
    const trace = 'Root=1-00000000-000000000000000000000000';
    try {
      // Warm first: the invocation below goes to the thread at once.
      const count = JSON.stringify({ rawQueryString: 'mode=count', requestContext: { requestId: 'r' } });
      assert.equal((await blocked.invoke(count, trace)).kind, 'result');
      const outcome = blocked.invoke(
        JSON.stringify({ rawQueryString: 'mode=slow&ms=200', requestContext: { requestId: 'r' } }),
        trace,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      // The handler answers after 200 ms, while this thread is busy past the function's timeout
      // (3 s). Busy in a setImmediate callback, so that the loop's next turn runs its timers,
      // the expired timeout among them, before it reads the answer.
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          for (const until = Date.now() + 3_500; Date.now() < until; ) {
            // Busy.
          }
          resolve();
        }),
      );
      assert.equal((await outcome).kind, 'result');
    } finally {
      await blocked.close();
    }
  });

  it('answer the invocations still waiting for an environment when they close', async () => {
    const busy = await behaviourEnvironments({ maxEnvironments: 1, events: quietEvents });
    const trace = 'Root=1-00000000-000000000000000000000000';
    const running = busy.invoke(event, trace);
    const waiting = busy.invoke(event, trace);
    let answered = false;
    void waiting.then(() => {
      answered = true;
    });
    await busy.close();
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(answered, 'the queued invocation was answered');
    assert.deepEqual(await waiting, { kind: 'crash', reason: 'the local stack is shutting down' });
    assert.notEqual((await running).kind, 'result');
  });

  it('end an invocation whose environment is still starting as shut down, not as an init error', async () => {
    const initStarted = join(scratch, 'init-started');
    const starting = await behaviourEnvironments({
      maxEnvironments: 1,
      events: quietEvents,
      bundlePath: fileURLToPath(new URL('../fixtures/handlers/init-never-ends.mjs', import.meta.url)),
      variables: { AWS_LAMBDA_FUNCTION_NAME: 'Behaviours', INIT_STARTED_FILE: initStarted },
    });
    const outcome = starting.invoke(event, 'Root=1-00000000-000000000000000000000000');
    await waitFor(() => existsSync(initStarted), 'the init to run');
    await starting.close();
    // What an invocation running when the stack closes gets (the gateway says it the same way).
    assert.deepEqual(await outcome, { kind: 'crash', reason: 'the local stack is shutting down' });
  });
});

describe('the record the gateway keeps of each request', () => {
  const recordOf = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    await response.arrayBuffer();
    const requestId = response.headers.get('apigw-requestid');
    const record = records.find((item) => item.requestId === requestId);
    assert.ok(record, `a record with the request id the client got (${requestId})`);
    assert.ok(record.durationMs > 0);
    // What varies from request to request is checked above.
    const { durationMs, requestId: id, ...rest } = record;
    return rest;
  };

  it('names the function invoked, the status, and nothing more when the function answered', async () => {
    assert.deepEqual(await recordOf('/run?mode=count'), {
      method: 'GET',
      url: '/run?mode=count',
      status: 200,
      functionId: 'readMessages',
    });
  });

  it('says why the gateway answered by itself', async () => {
    assert.deepEqual(await recordOf('/run?mode=throw'), {
      method: 'GET',
      url: '/run?mode=throw',
      status: 500,
      functionId: 'readMessages',
      note: 'the function failed: Error: boom: secret internal detail',
    });
    assert.deepEqual(await recordOf('/nowhere'), {
      method: 'GET',
      url: '/nowhere',
      status: 404,
      note: 'no route',
    });
  });
});

describe('the gateway when a function misbehaves', () => {
  const internalError = (response: { status: number; body: string }) => {
    assert.equal(response.status, 500);
    assert.deepEqual(JSON.parse(response.body), { message: 'Internal Server Error' });
  };

  it('answers 500 for a result over the 6 MB Lambda payload limit in UTF-8 bytes, not characters', async () => {
    internalError(await run('wide-characters'));
    await waitFor(() => printed.join('').includes('over the Lambda payload limit'), 'the gateway to tell');
  });

  it('answers 500 when the handler throws, without leaking the error', async () => {
    const response = await run('throw');
    internalError(response);
    assert.doesNotMatch(response.body, /secret/);
  });

  it('stops a runaway invocation at its timeout, answers 500 and keeps serving', async () => {
    const timeoutsBefore = environments.stats.timeouts;
    internalError(await run('loop'));
    assert.equal(environments.stats.timeouts, timeoutsBefore + 1);
    assert.equal((await run('count')).status, 200);
  });

  it('answers 500 for a result API Gateway cannot use', async () => {
    internalError(await run('bad-shape'));
  });

  it('answers 500 when the runtime crashes, and the next invocation gets a fresh environment', async () => {
    internalError(await run('exit'));
    assert.equal((await run('count')).status, 200);
  });

  it('ends the invocations beside a crash in its thread as crashes, and keeps serving', async () => {
    const crashesBefore = environments.stats.crashes;
    // Never released: it runs until the crash ends it (or gives up and answers 200).
    const beside = run(`wait-for-release&tag=t6&release=${releaseFile()}`);
    await waitFor(() => linesTagged('t6').length > 0, 'the invocation beside to start');
    // Started while the other one runs, so in another environment of the same thread.
    internalError(await run('exit'));
    internalError(await beside);
    assert.equal(environments.stats.crashes, crashesBefore + 2);
    assert.equal((await run('count')).status, 200);
  });

  it('infers a 200 JSON response from a result without statusCode', async () => {
    const response = await fetch(`${url}/run?mode=inferred`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await response.json(), { hello: 'world' });
  });
});

describe('the gateway and an event over the Lambda payload limit (6 MB)', () => {
  it('answers 413 when the body in base64 makes the event too large', async () => {
    const fiveMegabytes = Buffer.alloc(5 * 1024 * 1024, 'x');
    // A GET with a body (the test's one route): HTTP allows it, and so does API Gateway.
    const send = async (contentType: string) => {
      const { status, body } = await exchange(`${url}/run?mode=count`, {
        headers: { 'content-type': contentType },
        body: fiveMegabytes,
      });
      return { status, body };
    };
    // As text the event holds the body as it is: under 6 MB. As bytes, in base64: over.
    assert.equal((await send('text/plain')).status, 200);
    assert.deepEqual(await send('application/octet-stream'), {
      status: 413,
      body: '{"message":"Request Entity Too Large"}',
    });
    await waitFor(() => printed.join('').includes('over the Lambda payload limit'), 'the gateway to tell');
  });
});

describe('the gateway and a body over the HTTP API payload limit (10 MB)', () => {
  it('answers 413 to one sent in chunks, without a length, and keeps serving', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${url}/run`, { method: 'POST', headers: { 'content-type': 'text/plain' } });
      req.on('response', async (response) => {
        let body = '';
        for await (const chunk of response) body += chunk;
        resolve({ status: response.statusCode ?? 0, body });
      });
      // Once the gateway has answered and closed, what is still being sent may fail: not the point.
      req.on('error', (error) => (answered ? undefined : reject(error)));
      let answered = false;
      req.on('response', () => {
        answered = true;
      });
      const megabyte = Buffer.alloc(1024 * 1024, 'x');
      for (let i = 0; i < 11; i++) req.write(megabyte);
      req.end();
    });
    assert.deepEqual(answer, { status: 413, body: '{"message":"Request Entity Too Large"}' });
    await waitFor(
      () => /POST \/run 413 [\d.]+ ms \(over the HTTP API payload quota\)\n/.test(printed.join('')),
      'the gateway to say why',
    );
    assert.equal((await run('count')).status, 200);
  });

  it('answers 413 to a client that sends it all without waiting for the answer, as fetch does', async () => {
    // fetch neither asks for `100 Continue` nor stops sending when the answer comes: closing the
    // connection on the rest of the body would reset it, and fetch would see that, not the 413.
    // In a process of its own, as a client is: in this one, the gateway could not close the
    // connection while fetch writes.
    const client = `
      const size = ${HTTP_API_PAYLOAD_LIMIT_BYTES + 1024 * 1024};
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      const chunks = () => new ReadableStream({ start(c) { for (let at = 0; at < size; at += chunk.length) c.enqueue(chunk); c.close(); } });
      for (const body of [Buffer.alloc(size, 'x'), chunks()]) {
        try {
          const response = await fetch(process.argv[1], { method: 'POST', body, duplex: 'half' });
          console.log(response.status, await response.text());
        } catch (error) {
          console.log(error.cause?.code ?? error.message);
        }
      }`;
    const printedByClient = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', client, `${url}/run`], (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      );
    });
    // A declared length, then chunks.
    assert.deepEqual(printedByClient.trim().split('\n'), [
      '413 {"message":"Request Entity Too Large"}',
      '413 {"message":"Request Entity Too Large"}',
    ]);
  });

  it('drops the rest of a body too large and answers the next request on the same connection', async () => {
    const length = HTTP_API_PAYLOAD_LIMIT_BYTES + 1;
    const received = await overSocket((socket) => {
      socket.write(`POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`);
      socket.write(Buffer.alloc(length, 'x'));
      socket.end('GET /run?mode=count HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    assert.deepEqual(received.match(/HTTP\/1\.1 \d{3}/g), ['HTTP/1.1 413', 'HTTP/1.1 200']);
    assert.match(received, /\r\n\r\n\{"message":"Request Entity Too Large"\}HTTP\/1\.1 200/);
  });
  it('closes the connection when the rest of a refused body does not come', async () => {
    // Declared over the quota, one byte sent, then nothing: answered at once, and the connection,
    // kept for the rest of the body, is closed after a while (gateway-server.ts, LINGER_MS) rather
    // than left to Node's own request timeout of 300 s.
    const closedOrNot = await Promise.race([
      overSocket((socket) =>
        socket.write(
          `POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: ${HTTP_API_PAYLOAD_LIMIT_BYTES + 1}\r\n\r\nx`,
        ),
      ),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 60_000).unref()),
    ]);
    assert.ok(closedOrNot !== undefined, 'the connection is still open after 60 s');
    assert.match(closedOrNot, /^HTTP\/1\.1 413 /);
  });
});

describe('the gateway and the size of the request line and headers', () => {
  const withHeader = async (bytes: number) => {
    const response = await fetch(`${url}/run?mode=count`, { headers: { 'x-big': 'h'.repeat(bytes) } });
    return { status: response.status, body: await response.text() };
  };

  it('serves a request within the HTTP API quota of 10240 bytes', async () => {
    assert.equal((await withHeader(9_000)).status, 200);
  });

  it('counts the request line and header values as the quota does, to the byte', async () => {
    // Sent by hand, so that no header is added: the request line without its line break and the
    // values of Host, Connection and x-big make up `bytes` exactly.
    const { host, port } = new URL(url);
    const exactly = (bytes: number) =>
      new Promise<string>((resolve, reject) => {
        const path = '/run?mode=count';
        const fixed = `GET ${path} HTTP/1.1`.length + host.length + 'close'.length;
        const socket = connect(Number(port), '127.0.0.1');
        let received = '';
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString('latin1');
        });
        socket.on('error', reject);
        socket.on('close', () => resolve(received.slice(0, received.indexOf('\r\n'))));
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nx-big: ${'b'.repeat(bytes - fixed)}\r\n\r\n`,
        );
      });
    assert.equal(await exactly(HTTP_API_HEADER_LIMIT_BYTES), 'HTTP/1.1 200 OK');
    assert.equal(
      await exactly(HTTP_API_HEADER_LIMIT_BYTES + 1),
      'HTTP/1.1 431 Request Header Fields Too Large',
    );
  });

  it('answers 431 JSON over the quota, and over what Node itself parses', async () => {
    // Over the quota; over Node's default parser limit (16 KiB); over the gateway's (64 KiB).
    for (const bytes of [10_300, 20_000, 70_000]) {
      assert.deepEqual(await withHeader(bytes), {
        status: 431,
        body: '{"message":"Request Header Fields Too Large"}',
      });
    }
    assert.equal((await run('count')).status, 200);
  });
});

describe('the gateway and its clients', () => {
  it('answers a request sent before the answer to the one before it, even a malformed one, in order', async () => {
    const received = await overSocket((socket) =>
      socket.write('GET /run?mode=slow&ms=200 HTTP/1.1\r\nHost: x\r\n\r\nNOT HTTP AT ALL\r\n\r\n'),
    );
    // The second status line follows the first answer's body, not a line break.
    assert.deepEqual(received.match(/HTTP\/1\.1 \d{3} [^\r]*/g), [
      'HTTP/1.1 200 OK',
      'HTTP/1.1 400 Bad Request',
    ]);
    const badRequest = received.slice(received.lastIndexOf('HTTP/1.1 400'));
    assert.match(badRequest, /\r\napigw-requestid: [A-Za-z0-9_=-]+\r\n/);
    assert.ok(badRequest.endsWith('\r\n\r\n{"message":"Bad Request"}'), badRequest);
    await waitFor(
      () =>
        /a request it could not parse, at "NOT HTTP AT ALL" \(HPE_\w+\): 400 Bad Request\n/.test(
          printed.join(''),
        ),
      'the gateway to tell',
    );
  });

  it('handles a request sent before the answer to the one before it only once that one is done', async () => {
    const release = releaseFile();
    const receiving = overSocket((socket) =>
      socket.write(
        `GET /run?mode=wait-for-release&tag=pipe-first&release=${release} HTTP/1.1\r\nHost: x\r\n\r\n` +
          'GET /run?mode=log&tag=pipe-second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      ),
    );
    await waitFor(() => linesTagged('pipe-first').length > 0, 'the first invocation to start');
    // Handled side by side, the second (a free environment is there for it) would have logged by
    // now: it reached the gateway with the first, before a request on another connection, sent
    // after 300 ms, that has been answered and has logged.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await run('log&tag=pipe-probe')).status, 200);
    await waitFor(() => linesTagged('pipe-probe').length > 0, 'the request on another connection to log');
    assert.deepEqual(linesTagged('pipe-second'), []);
    writeFileSync(release, '');
    const received = await receiving;
    assert.deepEqual(received.match(/HTTP\/1\.1 \d{3} [^\r]*/g), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    assert.match(received, /"released":true[\s\S]*\r\n\r\nlogged$/);
    assert.notDeepEqual(linesTagged('pipe-second'), []);
  });

  it('answers an HTTP/1.1 request without a Host header with 400 JSON and a request id', async () => {
    const raw = await overSocket((socket) =>
      socket.write('GET /run?mode=count HTTP/1.1\r\nConnection: close\r\n\r\n'),
    );
    assert.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(raw, /\r\napigw-requestid: [A-Za-z0-9_=-]{16}\r\n/);
    assert.ok(raw.endsWith('\r\n\r\n{"message":"Bad Request"}'), raw);
    await waitFor(
      () => /GET \/run\?mode=count 400 .*\(no Host header\)/.test(printed.join('')),
      'the gateway to tell',
    );
    // HTTP/1.0 has no such rule.
    const older = await overSocket((socket) => socket.write('GET /run?mode=count HTTP/1.0\r\n\r\n'));
    assert.match(older, /^HTTP\/1\.1 200 OK\r\n/);
  });

  for (const [label, hostLines, note, version = ' HTTP/1.1'] of [
    ['two Host header lines', 'Host: localhost\r\nHost: rebind.example\r\n', 'more than one Host header'],
    ['an empty Host header', 'Host: \r\n', 'an empty Host header'],
    ['a Host header with a path', 'Host: 127.0.0.1/x\r\n', 'a Host header that is not host[:port]'],
    [
      'a Host header of two names',
      'Host: 127.0.0.1 rebind.example\r\n',
      'a Host header that is not host[:port]',
    ],
    [
      'a Host header with a port that is no number',
      'Host: localhost:abc\r\n',
      'a Host header that is not host[:port]',
    ],
    ['version 2.0 in its request line', 'Host: x\r\n', 'HTTP/2.0', ' HTTP/2.0'],
    ['no version in its request line', '', 'HTTP/0.9', ''],
  ] as const) {
    it(`answers a request with ${label} with 400 JSON, and says why (RFC 9112, 3.2)`, async () => {
      const tag = label.replaceAll(' ', '-');
      const raw = await overSocket((socket) =>
        socket.write(`GET /run?mode=count&tag=${tag}${version}\r\n${hostLines}Connection: close\r\n\r\n`),
      );
      assert.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.ok(raw.endsWith('\r\n\r\n{"message":"Bad Request"}'), raw);
      await waitFor(
        () =>
          printed.join('').includes(`GET /run?mode=count&tag=${tag} 400 `) &&
          printed.join('').includes(`(${note})`),
        'the gateway to tell',
      );
    });
  }

  it('answers a transfer coding other than chunked with 501 JSON, and says so (RFC 9112, 6.1)', async () => {
    const raw = await overSocket((socket) =>
      socket.write(
        'GET /run?mode=count&tag=gzip-coded HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n' +
          'Connection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      ),
    );
    assert.match(raw, /^HTTP\/1\.1 501 Not Implemented\r\n/);
    assert.match(raw, /\r\napigw-requestid: [A-Za-z0-9_=-]{16}\r\n/);
    assert.ok(raw.endsWith('\r\n\r\n{"message":"Not Implemented"}'), raw);
    await waitFor(
      () => /GET \/run\?mode=count&tag=gzip-coded 501 .*\(Transfer-Encoding gzip\)/.test(printed.join('')),
      'the gateway to tell',
    );
  });

  it('answers a client that ends its side of the connection once its request is sent (RFC 9112, 9.6)', async () => {
    const raw = await overSocket((socket) => socket.end('GET /run?mode=count HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.match(raw, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(raw, /"environmentId"/);
  });

  it('answers an expectation it cannot meet with 417 JSON and a request id, and says so', async () => {
    const answer = await exchange(`${url}/run?mode=count`, { headers: { expect: 'the-moon' } });
    assert.deepEqual([answer.status, answer.body], [417, '{"message":"Expectation Failed"}']);
    assert.match(String(answer.headers['apigw-requestid']), /^[A-Za-z0-9_=-]{16}$/);
    await waitFor(
      () => /GET \/run\?mode=count 417 .*\(Expect: the-moon\)/.test(printed.join('')),
      'the gateway to tell',
    );
  });

  it('answers CONNECT, which no route has, with 404 JSON and a request id', async () => {
    const raw = await overSocket((socket) =>
      socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'),
    );
    assert.match(raw, /^HTTP\/1\.1 404 Not Found\r\n/);
    assert.match(raw, /\r\napigw-requestid: [A-Za-z0-9_=-]{16}\r\n/);
    assert.ok(raw.endsWith('\r\n\r\n{"message":"Not Found"}'), raw);
    await waitFor(
      () => printed.join('').includes('CONNECT example.com:443: 404 Not Found (no route)\n'),
      'the gateway to say why',
    );
    // A client that resets such a connection takes nothing down with it.
    await connectThenReset(Number(new URL(url).port));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await run('count')).status, 200);
  });

  it('says in one line that a client left before sending its whole body, and keeps serving', async () => {
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.end('POST /run?mode=count HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"author":');
    await waitFor(() => printed.join('').includes('closed the connection'), 'the gateway to tell');
    const said = printed
      .join('')
      .split('\n')
      .filter((line) => line.includes('closed the connection'));
    assert.equal(said.length, 1);
    assert.match(
      said[0] ?? '',
      /gateway POST \/run\?mode=count \(the client closed the connection before its body ended\)$/,
    );
    assert.doesNotMatch(printed.join(''), /internal error of the local gateway/);
    assert.equal((await run('count')).status, 200);
  });
});

describe('the gateway and a request that does not arrive in time', () => {
  let gateway: Server;
  let port: number;
  const lines: string[] = [];
  before(async () => {
    gateway = createGatewayServer({
      routes: [{ method: 'POST', path: '/run', function: 'readMessages' }],
      environments: { readMessages: environments, postMessage: environments },
      cors: corsSettings(),
      printer: { request: () => undefined, gateway: (line) => lines.push(line) },
    });
    // Node's limits (60 s for the headers, 300 s for the request, checked every 30 s), shortened.
    Object.assign(gateway, { headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 100 });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    port = (gateway.address() as AddressInfo).port;
  });
  after(async () => {
    gateway.closeAllConnections();
    await new Promise((resolve) => gateway.close(resolve));
  });

  const isTimeoutAnswer = (raw: string) => {
    assert.match(raw, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(raw, /\r\napigw-requestid: [A-Za-z0-9_=-]{16}\r\n/);
    assert.ok(raw.endsWith('\r\n\r\n{"message":"Request Timeout"}'), raw);
  };

  it('answers headers that stop coming with 408 JSON, says so and ends the connection', async () => {
    isTimeoutAnswer(await overSocket((socket) => socket.write('POST /run HTTP/1.1\r\nHost: x\r\n'), port));
    assert.ok(
      lines.includes('a request that did not arrive in time (ERR_HTTP_REQUEST_TIMEOUT): 408 Request Timeout'),
      lines.join('\n'),
    );
  });

  it('answers a body that stops coming with 408 JSON, says so and ends the connection', async () => {
    isTimeoutAnswer(
      await overSocket(
        (socket) => socket.write('POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"author":'),
        port,
      ),
    );
    await waitFor(() => lines.some((line) => line.startsWith('POST /run (')), 'the gateway to tell');
    assert.deepEqual(
      lines.filter((line) => line.startsWith('POST /run (')),
      ['POST /run (its body did not arrive in time: 408 Request Timeout)'],
    );
  });

  it('gives a body that stops coming behind an answer still owed no answer, which would come first', async () => {
    const release = releaseFile();
    const received = await overSocket(
      (socket) =>
        socket.write(
          `POST /run?mode=wait-for-release&tag=owed-first&release=${release} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n` +
            'POST /run?owed HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"author":',
        ),
      port,
    );
    writeFileSync(release, '');
    assert.doesNotMatch(received, /408/);
    const said = 'POST /run?owed (its body did not arrive in time: no answer, one before it still owed)';
    await waitFor(() => lines.includes(said), `the gateway to say: ${said}`);
  });
});

describe('the gateway when it fails itself', () => {
  it('answers 500 JSON with a request id and the CORS headers, and says what failed', async () => {
    const lines: string[] = [];
    const failing = {
      invoke: () => Promise.reject(new Error('the invoke stand-in failed')),
    };
    const origin = 'https://app.example';
    const gateway = createGatewayServer({
      routes: [{ method: 'GET', path: '/run', function: 'readMessages' }],
      environments: { readMessages: failing, postMessage: failing },
      cors: corsSettings([origin]),
      printer: { request: () => undefined, gateway: (line) => lines.push(line) },
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = gateway.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/run`, { headers: { origin } });
      assert.deepEqual(
        { status: response.status, body: await response.text() },
        { status: 500, body: '{"message":"Internal Server Error"}' },
      );
      assert.match(response.headers.get('apigw-requestid') ?? '', /^[A-Za-z0-9_=-]{16}$/);
      // A bug of ours, not a function's failure: still an answer a browser page can read, with the
      // CORS headers of every other answer (test/emulator/result-and-cors.test.ts).
      assert.equal(response.headers.get('access-control-allow-origin'), origin);
      assert.equal(response.headers.get('vary'), 'origin');
      assert.match(
        lines.join('\n'),
        /internal error of the local gateway: Error: the invoke stand-in failed/,
      );
    } finally {
      await new Promise((resolve) => gateway.close(resolve));
    }
  });
});

describe('stopping the gateway', () => {
  /** A gateway of its own on the fixture's environments, listening, and how to stop it. */
  const stoppable = async (
    routes: RouteDefinition[],
    printer: Pick<LogPrinter, 'request' | 'gateway'>,
    limitMs: number,
  ) => {
    const gateway = createGatewayServer({
      routes,
      environments: { readMessages: environments, postMessage: environments },
      cors: corsSettings(),
      printer,
    });
    const stop = drainOnStop(gateway, limitMs);
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    return { gateway, stop, port: (gateway.address() as AddressInfo).port };
  };
  const linesOnly = (lines: string[]) => ({
    request: () => undefined,
    gateway: (line: string) => lines.push(line),
  });

  it('answers the requests in flight before it closes, and takes no new connection', async () => {
    const { stop, port } = await stoppable(
      [{ method: 'GET', path: '/run', function: 'readMessages' }],
      createLogPrinter({ quiet: true }),
      5_000,
    );
    const listeners = listenersOn(port);
    assert.notDeepEqual(listeners, [], `the gateway does not listen on ${port}`);
    const release = releaseFile();
    const tags = ['drain-a', 'drain-b'];
    const answers = tags.map(async (tag) => {
      const response = await fetch(
        `http://127.0.0.1:${port}/run?mode=wait-for-release&tag=${tag}&release=${release}`,
      );
      return { status: response.status, body: JSON.parse(await response.text()) };
    });
    await waitFor(() => tags.every((tag) => linesTagged(tag).length > 0), 'both invocations to start');
    let stopped = false;
    const stopping = stop().then(() => {
      stopped = true;
    });
    await waitFor(() => stillListening(listeners).length === 0, 'the gateway to stop listening');
    assert.equal(stopped, false, 'still waiting for the requests in flight');
    writeFileSync(release, '');
    for (const answer of await Promise.all(answers)) {
      assert.deepEqual([answer.status, answer.body.released], [200, true]);
    }
    await stopping;
  });

  it('ends a request whose body is still on its way, rather than wait for it, and says why', async () => {
    const lines: string[] = [];
    // Far longer than the grace a body gets: had stopping waited for it, the line below would say
    // the client left, once the limit closed every connection.
    const { gateway, stop, port } = await stoppable(
      [{ method: 'POST', path: '/run', function: 'readMessages' }],
      linesOnly(lines),
      60_000,
    );
    const received = new Promise((resolve) => gateway.once('request', resolve));
    const closed = overSocket(
      (socket) => socket.write('POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"author":'),
      port,
    );
    await received;
    await stop();
    await closed;
    assert.deepEqual(lines, ['POST /run (the stack stopped before its body ended)']);
  });

  it('answers a whole request before it ends the one sent after it on its connection', async () => {
    const lines: string[] = [];
    const { stop, port } = await stoppable(
      [
        { method: 'GET', path: '/run', function: 'readMessages' },
        { method: 'POST', path: '/run', function: 'readMessages' },
      ],
      linesOnly(lines),
      60_000,
    );
    const release = releaseFile();
    // A whole request whose function runs until released, and behind it one whose body stops.
    const receiving = overSocket(
      (socket) =>
        socket.write(
          `GET /run?mode=wait-for-release&tag=pipelined&release=${release} HTTP/1.1\r\nHost: x\r\n\r\n` +
            'POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"author":',
        ),
      port,
    );
    await waitFor(() => linesTagged('pipelined').length > 0, 'the first invocation to start');
    const stopping = stop();
    // Past the grace a body gets, with the first answer still owed on the connection.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    writeFileSync(release, '');
    await stopping;
    const received = await receiving;
    assert.match(received, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(received, /"released":true/);
    // Ended by the stop, or by the connection's close after that answer (Connection: close, as
    // every answer of a stopping stack says), or its turn came after that close.
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(
      lines[0] ?? '',
      /^POST \/run \((?:the (?:stack stopped|client closed the connection) before its body ended|the connection closed before its turn)\)$/,
    );
  });

  it('answers every pipelined request whose function it ran before it stops', async () => {
    const lines: string[] = [];
    const { stop, port } = await stoppable(
      [{ method: 'POST', path: '/run', function: 'readMessages' }],
      linesOnly(lines),
      5_000,
    );
    const requests = Array.from(
      { length: 10 },
      (_, i) => `POST /run?mode=log&tag=stop-pipe-${i} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}`,
    );
    let stopping: Promise<void> | undefined;
    const received = await overSocket((socket) => {
      socket.once('data', () => {
        stopping = stop();
      });
      socket.write(requests.join(''));
    }, port);
    await stopping;
    const ran = requests.filter((_, i) => linesTagged(`stop-pipe-${i}`).length > 0).length;
    const answered = received.match(/HTTP\/1\.1 200 OK/g)?.length ?? 0;
    assert.ok(ran > 0, 'the first request ran');
    assert.equal(answered, ran, `${ran} ran, ${answered} answered\n${lines.join('\n')}`);
  });

  it('is not held up by a CONNECT whose client sends on and goes away', async () => {
    const { stop, port } = await stoppable(
      [{ method: 'GET', path: '/run', function: 'readMessages' }],
      linesOnly([]),
      60_000,
    );
    await connectThenReset(port, Buffer.alloc(100_000, 'x'));
    const stopped = await Promise.race([
      stop().then(() => 'stopped'),
      new Promise((resolve) => setTimeout(() => resolve('still stopping after 60 s'), 60_000).unref()),
    ]);
    assert.equal(stopped, 'stopped');
  });
});

describe('the gateway and the request target', () => {
  it('routes a request whose target is an absolute URL (RFC 9112, 3.2.2)', async () => {
    const { port } = new URL(url);
    // The server closes the connection after its answer (Connection: close).
    const raw = await overSocket((socket) =>
      socket.write(
        `GET ${url}/run?mode=count HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
      ),
    );
    assert.match(raw, /^HTTP\/1\.1 200 /);
    assert.match(raw, /"environmentId"/);
  });
});

describe('what a function writes to stdout and stderr', () => {
  it('arrives line by line, in order, with its stream, by the time the response does', async () => {
    assert.equal((await run('log&tag=t1')).status, 200);
    assert.deepEqual(linesTagged('t1'), [
      { line: 't1 first', stream: 'stdout' },
      { line: 't1 to stderr', stream: 'stderr' },
      { line: 't1 in two writes', stream: 'stdout' },
    ]);
  });

  it('keeps every line when one invocation writes more than the shared ring holds', async () => {
    assert.equal((await run('log-flood&tag=t2&count=600')).status, 200);
    const numbers = linesTagged('t2').map((entry) => Number(entry.line.split(' ')[1]));
    assert.deepEqual(
      numbers,
      Array.from({ length: 600 }, (_, i) => i),
    );
  });

  it('keeps the last line written before a runaway handler is stopped', async () => {
    assert.equal((await run('log-then-loop&tag=t3')).status, 500);
    await waitFor(() => linesTagged('t3').length > 0, 'the line written before the loop');
    assert.deepEqual(linesTagged('t3'), [{ line: 't3 last words before the loop', stream: 'stdout' }]);
  });

  it('keeps the last line written before the runtime exits', async () => {
    assert.equal((await run('log-then-exit&tag=t4')).status, 500);
    await waitFor(() => linesTagged('t4').length > 0, 'the line written before exit');
    assert.deepEqual(linesTagged('t4'), [{ line: 't4 last words before exit', stream: 'stderr' }]);
  });

  it('shows the lines of an invocation still running, before it ends', async () => {
    const release = releaseFile();
    const response = run(`wait-for-release&tag=t5&release=${release}`);
    // The invocation runs until the file exists, so its line can only be seen while it runs.
    await waitFor(() => linesTagged('t5').length > 0, 'the line of the running invocation');
    writeFileSync(release, '');
    assert.equal(JSON.parse((await response).body).released, true);
  });
});
