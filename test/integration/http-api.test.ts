/**
 * The HTTP API end to end: real HTTP through the API Gateway emulator, the real handler bundles in
 * worker execution environments, a real DynamoDB engine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Message, MessagePage } from '../../backend/domain/message.ts';
import type { GatewayRecord } from '../../backend/local/gateway-server.ts';
import { createLogPrinter } from '../../backend/local/log-printer.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../backend/local/stack.ts';
import { createTestTable } from '../helpers/dynamodb.ts';
import { type DynamoDbRelay, startDynamoDbRelay } from '../helpers/dynamodb-relay.ts';
import { exchange, rawExchange } from '../helpers/exchange.ts';
import { listeningAddresses } from '../helpers/listening.ts';

let stack: LocalStack;
/** What the functions wrote, line by line. */
const functionLines: string[] = [];
/** The gateway's record of each request, with its note (why a 500, say). */
const requests: GatewayRecord[] = [];

/**
 * A local stack on a table of its own, that hands the functions' lines to `lines` and the gateway's
 * records to `records`, and reaches DynamoDB at what `reach` makes of the engine's endpoint;
 * `allowedHosts` as the stack takes it.
 */
const startStack = async (
  lines: string[],
  records: GatewayRecord[],
  reach: (engine: string) => Promise<string> | string = (engine) => engine,
  allowedHosts?: LocalStackOptions['allowedHosts'],
) => {
  const table = await createTestTable();
  const printer = {
    ...createLogPrinter({ quiet: true }),
    functionLog: (_fn: string, line: string) => lines.push(line),
    request: (record: GatewayRecord) => records.push(record),
  };
  return startLocalStack({
    port: 0,
    dynamoDbEndpoint: await reach(table.endpoint),
    tableName: table.tableName,
    printer,
    allowedHosts,
  });
};

before(async () => {
  stack = await startStack(functionLines, requests);
});
after(async () => {
  await stack?.stop();
});

type Page = MessagePage;

const call = async (path: string, init: RequestInit = {}, { url } = stack) => {
  const response = await fetch(`${url}${path}`, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as Record<string, unknown> };
};

const post = (
  path: string,
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) =>
  call(path, {
    method: 'POST',
    headers,
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });

const readAll = async (board: string): Promise<Message[]> => {
  const all: Message[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const query: string = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const { status, json } = await call(`/boards/${board}/messages?${query}`);
    assert.equal(status, 200);
    const body = json as unknown as Page;
    all.push(...body.messages);
    cursor = body.nextCursor;
    if (cursor === null) return all;
  }
  throw new Error('pagination did not end');
};

let boardCounter = 0;
const freshBoard = () => `b-${process.pid}-${++boardCounter}`;

describe('the HTTP contract', () => {
  it('answers the two curl calls of the original article', async () => {
    const created = await post('/messages', '{"author":"name", "text":"Message text"}');
    assert.equal(created.status, 201);
    const message = created.json as unknown as Message;
    assert.equal(message.author, 'name');
    assert.equal(message.text, 'Message text');
    assert.equal(message.board, 'default');
    assert.match(message.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(new Date(message.createdAt).toISOString(), message.createdAt);
    assert.match(created.headers.get('content-type') ?? '', /^application\/json/);

    const read = await call('/messages');
    assert.equal(read.status, 200);
    const page = read.json as unknown as Page;
    assert.ok(page.messages.some((m) => m.id === message.id));
  });

  it('returns the 3 most recent messages by default, newest first, and pages with cursors', async () => {
    const board = freshBoard();
    const posted: Message[] = [];
    for (let i = 0; i < 7; i++) {
      const { status, json } = await post(`/boards/${board}/messages`, {
        author: 'ann',
        text: `message ${i}`,
      });
      assert.equal(status, 201);
      posted.push(json as unknown as Message);
    }
    const first = (await call(`/boards/${board}/messages`)).json as unknown as Page;
    assert.deepEqual(
      first.messages.map((m) => m.text),
      ['message 6', 'message 5', 'message 4'],
    );
    assert.equal(typeof first.nextCursor, 'string');

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = (await call(`/boards/${board}/messages${query}`)).json as unknown as Page;
      seen.push(...page.messages.map((m) => m.text));
      cursor = page.nextCursor;
      // Seven messages in pages of two: a cursor that never ends would loop here forever.
      assert.ok(seen.length <= posted.length, `more pages than messages: ${seen.join(', ')}`);
    } while (cursor !== null);
    assert.deepEqual(seen, posted.map((m) => m.text).reverse());
  });

  it('gives no cursor on the page with the oldest message, even a full one', async () => {
    const board = freshBoard();
    for (let i = 0; i < 3; i++) await post(`/boards/${board}/messages`, { author: 'ann', text: `${i}` });
    const page = (await call(`/boards/${board}/messages`)).json as unknown as Page;
    assert.equal(page.messages.length, 3);
    assert.equal(page.nextCursor, null);
  });

  it('pages with a cursor and since together, and answers an empty page when nothing lies between', async () => {
    const board = freshBoard();
    const posted: Message[] = [];
    for (let i = 0; i < 5; i++)
      posted.push(
        (await post(`/boards/${board}/messages`, { author: 'ann', text: `${i}` })).json as unknown as Message,
      );
    const since = posted[1]?.id as string;
    const first = (await call(`/boards/${board}/messages?limit=2&since=${since}`)).json as unknown as Page;
    assert.deepEqual(
      first.messages.map((m) => m.text),
      ['4', '3'],
    );
    const cursor = encodeURIComponent(first.nextCursor ?? '');
    const rest = await call(`/boards/${board}/messages?limit=2&since=${since}&cursor=${cursor}`);
    assert.equal(rest.status, 200);
    assert.deepEqual(rest.json, { messages: [posted[2]], nextCursor: null });
    // The cursor after "4" and "3", with since at the newest message: nothing is in between.
    const empty = await call(`/boards/${board}/messages?since=${posted[4]?.id}&cursor=${cursor}`);
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.json, { messages: [], nextCursor: null });
  });

  it('keeps boards apart and returns only newer messages with since', async () => {
    const a = freshBoard();
    const b = freshBoard();
    const first = (await post(`/boards/${a}/messages`, { author: 'ann', text: 'on a' }))
      .json as unknown as Message;
    await post(`/boards/${b}/messages`, { author: 'bob', text: 'on b' });
    const second = (await post(`/boards/${a}/messages`, { author: 'ann', text: 'later on a' }))
      .json as unknown as Message;
    assert.deepEqual(
      (await readAll(a)).map((m) => m.id),
      [second.id, first.id],
    );
    const newer = (await call(`/boards/${a}/messages?since=${first.id}`)).json as unknown as Page;
    assert.deepEqual(
      newer.messages.map((m) => m.id),
      [second.id],
    );
  });

  it('stores trimmed values and accepts newlines and tabs in text', async () => {
    const board = freshBoard();
    const { status, json } = await post(`/boards/${board}/messages`, {
      author: '  ann ',
      text: ' line 1\n\tline 2 ',
    });
    assert.equal(status, 201);
    const [stored] = await readAll(board);
    assert.equal(stored?.author, 'ann');
    assert.equal(stored?.text, 'line 1\n\tline 2');
    assert.equal(stored?.id, (json as unknown as Message).id);
  });
});

describe('bad input: a 4xx JSON error and nothing stored', () => {
  const cases: Array<[string, { body: string | Buffer; headers?: Record<string, string> }, number, string]> =
    [
      ['invalid JSON', { body: '{"author": "ann", ' }, 400, 'INVALID_JSON'],
      [
        'a JSON body that is not UTF-8',
        { body: Buffer.from('{"author": "u", "text": "a\xff\xfeb"}', 'latin1') },
        400,
        'INVALID_JSON',
      ],
      ['an empty body', { body: '' }, 400, 'INVALID_JSON'],
      ['a JSON array', { body: '[1,2]' }, 400, 'INVALID_BODY'],
      ['a number as author', { body: '{"author": 5, "text": "x"}' }, 400, 'INVALID_AUTHOR'],
      ['a missing text', { body: '{"author": "ann"}' }, 400, 'INVALID_TEXT'],
      ['an author of spaces', { body: '{"author": "   ", "text": "x"}' }, 400, 'INVALID_AUTHOR'],
      [
        'an author of 65 characters',
        { body: JSON.stringify({ author: 'a'.repeat(65), text: 'x' }) },
        400,
        'INVALID_AUTHOR',
      ],
      [
        'a text of 2001 characters',
        { body: JSON.stringify({ author: 'a', text: 'x'.repeat(2001) }) },
        400,
        'INVALID_TEXT',
      ],
      [
        'an escape sequence in text',
        { body: JSON.stringify({ author: 'a', text: 'hi \u001b[2J' }) },
        400,
        'INVALID_TEXT',
      ],
      ['a newline in author', { body: JSON.stringify({ author: 'a\nb', text: 'x' }) }, 400, 'INVALID_AUTHOR'],
      [
        'an unknown field',
        { body: JSON.stringify({ author: 'a', text: 'x', admin: true }) },
        400,
        'INVALID_BODY',
      ],
      [
        'a valid message sent as text/plain, as a page of another site may send it unasked',
        { body: '{"author": "page", "text": "x"}', headers: { 'content-type': 'text/plain' } },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'a gzip-compressed JSON body, which the API does not decompress',
        {
          body: gzipSync(JSON.stringify({ author: 'zip', text: 'x' })),
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'a body over 32 KiB',
        { body: JSON.stringify({ author: 'a', text: 'x'.repeat(33 * 1024) }) },
        413,
        'PAYLOAD_TOO_LARGE',
      ],
    ];

  for (const [name, request, status, code] of cases) {
    it(`rejects ${name} with ${status} ${code}`, async () => {
      const board = freshBoard();
      const response = await post(`/boards/${board}/messages`, request.body, request.headers);
      assert.equal(response.status, status, response.text);
      assert.equal(response.json.code, code);
      assert.equal(typeof response.json.message, 'string');
      assert.ok((response.json.message as string).length > 0);
      assert.deepEqual(await readAll(board), []);
    });
  }

  it('rejects a bad board name with 400 INVALID_BOARD, in a post and in a read', async () => {
    const response = await post('/boards/no%20spaces/messages', { author: 'a', text: 'x' });
    assert.equal(response.status, 400);
    assert.equal(response.json.code, 'INVALID_BOARD');
    const tooLong = await call(`/boards/${'b'.repeat(65)}/messages`);
    assert.equal(tooLong.status, 400);
    assert.equal(tooLong.json.code, 'INVALID_BOARD');
  });

  it('rejects bad limits and cursors on reads', async () => {
    const board = freshBoard();
    for (const limit of ['0', '101', 'abc', '2.5', '-1']) {
      const response = await call(`/boards/${board}/messages?limit=${limit}`);
      assert.equal(response.status, 400, limit);
      assert.equal(response.json.code, 'INVALID_LIMIT');
    }
    const repeated = await call(`/boards/${board}/messages?limit=1&limit=2`);
    assert.equal(repeated.status, 400);
    const garbage = await call(`/boards/${board}/messages?cursor=not-a-cursor`);
    assert.equal(garbage.status, 400);
    assert.equal(garbage.json.code, 'INVALID_CURSOR');
  });

  it('rejects a cursor from another board', async () => {
    const a = freshBoard();
    for (let i = 0; i < 3; i++) await post(`/boards/${a}/messages`, { author: 'a', text: `${i}` });
    const page = (await call(`/boards/${a}/messages?limit=2`)).json as unknown as Page;
    assert.ok(page.nextCursor);
    const response = await call(
      `/boards/${freshBoard()}/messages?cursor=${encodeURIComponent(page.nextCursor)}`,
    );
    assert.equal(response.status, 400);
    assert.equal(response.json.code, 'INVALID_CURSOR');
    assert.match(response.json.message as string, /belongs to board/);
  });
});

describe('what API Gateway answers by itself', () => {
  it('answers an unknown route or method with 404 {"message":"Not Found"}', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/messages'],
      ['GET', '/messages/'],
      ['PUT', '/boards/x/messages'],
    ] as const) {
      const response = await call(path, { method });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.deepEqual(response.json, { message: 'Not Found' });
    }
    const notFound = requests.find((record) => record.url === '/nope');
    assert.equal(notFound?.note, 'no route');
  });

  it('answers a CORS preflight with 204 and adds CORS headers to responses, errors included', async () => {
    const preflight = await call('/messages', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,idempotency-key',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /idempotency-key/);

    const error = await post('/messages', 'nope', {
      'content-type': 'application/json',
      origin: 'https://app.example',
    });
    assert.equal(error.status, 400);
    assert.equal(error.headers.get('access-control-allow-origin'), '*');
  });

  it('adds CORS headers to its own 404 for a cross-origin request', async () => {
    // The local stack's default CORS configuration: every origin (a listed origin, with Vary, on
    // the gateway's other answers: test/emulator/result-and-cors.test.ts).
    const response = await call('/nope', { headers: { origin: 'https://app.example' } });
    assert.equal(response.status, 404);
    assert.deepEqual(response.json, { message: 'Not Found' });
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.equal(
      response.headers.get('vary'),
      null,
      'nothing varies with the origin when every one is allowed',
    );
  });

  it('answers 403 to a Host that is not a name of this machine, and stores nothing (DNS rebinding)', async () => {
    const board = freshBoard();
    const body = Buffer.from(JSON.stringify({ author: 'web page', text: 'rebound' }));
    const rebound = await exchange(`${stack.url}/boards/${board}/messages`, {
      method: 'POST',
      headers: {
        host: `rebind.example:${new URL(stack.url).port}`,
        'content-type': 'application/json',
        origin: 'https://app.example',
      },
      body,
    });
    assert.deepEqual([rebound.status, JSON.parse(rebound.body)], [403, { message: 'Forbidden' }]);
    // With the CORS headers of every answer: a page of an allowed origin can read why.
    assert.equal(rebound.headers['access-control-allow-origin'], '*');
    assert.match(String(rebound.headers['apigw-requestid']), /^[A-Za-z0-9_=-]{16}$/);
    assert.deepEqual(await readAll(board), []);
    const refused = requests.find(
      (record) => record.url === `/boards/${board}/messages` && record.status === 403,
    );
    assert.match(refused?.note ?? '', /^Host rebind\.example:\d+ is not a name of this machine/);
    // In the absolute form the target names the host, whatever the Host header says (RFC 9112, 3.2.2).
    const absolute = await rawExchange(
      Number(new URL(stack.url).port),
      `GET http://rebind.example/boards/${board}/messages HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    );
    assert.match(absolute, /^HTTP\/1\.1 403 Forbidden\r\n/);
    const fromMachine = await rawExchange(
      Number(new URL(stack.url).port),
      `GET http://localhost/boards/${board}/messages HTTP/1.1\r\nHost: rebind.example\r\nConnection: close\r\n\r\n`,
    );
    assert.match(fromMachine, /^HTTP\/1\.1 200 OK\r\n/);
    // The names of this machine are answered, as before.
    for (const host of ['localhost', 'app.localhost:3000', '127.0.0.1:1', '[::1]:3000', 'LOCALHOST.']) {
      const answered = await exchange(`${stack.url}/boards/${board}/messages`, { headers: { host } });
      assert.equal(answered.status, 200, host);
    }
  });

  it('passes on every header line under the quota, however many: a Content-Type after 1100 others', async () => {
    const board = freshBoard();
    const many = Object.fromEntries(Array.from({ length: 1100 }, (_, i) => [`x-filler-${i}`, '1']));
    const posted = await exchange(`${stack.url}/boards/${board}/messages`, {
      method: 'POST',
      headers: { ...many, 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ author: 'many', text: 'headers' })),
    });
    assert.equal(posted.status, 201, posted.body);
    assert.deepEqual(
      (await readAll(board)).map(({ author, text }) => [author, text]),
      [['many', 'headers']],
    );
  });

  it('answers the names it is told to allow, or every name when told any', async () => {
    const started = await Promise.all(
      [['proxy.test', '.tunnel.test'] as const, 'any' as const].map((allowedHosts) =>
        startStack([], [], undefined, allowedHosts),
      ),
    );
    const [named, any] = started as [LocalStack, LocalStack];
    try {
      const status = async (on: LocalStack, host: string) =>
        (await exchange(`${on.url}/messages`, { headers: { host } })).status;
      assert.deepEqual(
        await Promise.all(
          ['proxy.test:8080', 'a.b.tunnel.test', 'tunnel.test', 'other.test', 'xproxy.test'].map((host) =>
            status(named, host),
          ),
        ),
        [200, 200, 200, 403, 403],
      );
      assert.equal(await status(any, 'rebind.example'), 200);
    } finally {
      await Promise.all(started.map((each) => each.stop()));
    }
  });

  it('listens on 127.0.0.1 only, by default', () => {
    assert.deepEqual(listeningAddresses(Number(new URL(stack.url).port)), ['127.0.0.1']);
  });

  it('gives every response its own apigw-requestid', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await call('/messages')).headers.get('apigw-requestid') ?? '');
    assert.equal(ids.size, 5);
    assert.ok(![...ids].includes(''));
  });
});

describe('concurrency', () => {
  it('acknowledges 200 concurrent POSTs, all readable back with unique ids', async () => {
    const board = freshBoard();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        post(`/boards/${board}/messages`, { author: `user${i % 7}`, text: `concurrent ${i}` }),
      ),
    );
    const failed = responses.filter((r) => r.status !== 201);
    assert.deepEqual(
      failed.map((r) => r.status),
      [],
      // What a failure was, should one happen: the answer, and what the gateway and function said.
      JSON.stringify({
        answers: failed.map((r) => r.text),
        notes: requests.filter((record) => record.status !== 201).map((record) => record.note),
        errors: functionLines.filter((line) => line.includes('"level":"ERROR"')),
      }),
    );
    const ids = responses.map((r) => (r.json as unknown as Message).id);
    assert.equal(new Set(ids).size, 200);

    const stored = await readAll(board);
    assert.equal(stored.length, 200);
    assert.deepEqual(new Set(stored.map((m) => m.id)), new Set(ids));
    assert.deepEqual(new Set(stored.map((m) => m.text)), new Set(responses.map((_, i) => `concurrent ${i}`)));
    // Newest first across the whole walk.
    const sorted = [...stored]
      .map((m) => m.id)
      .sort()
      .reverse();
    assert.deepEqual(
      stored.map((m) => m.id),
      sorted,
    );
  });
});

describe('trace ids in environments that share a thread', () => {
  // A stack of its own, whose DynamoDB calls go through a relay that can hold them back (its extra
  // hop would slow the other tests' load on a busy machine).
  let traced: LocalStack;
  let relay: DynamoDbRelay;
  const tracedLines: string[] = [];
  before(async () => {
    traced = await startStack(tracedLines, [], async (engine) => {
      relay = await startDynamoDbRelay(engine);
      return relay.endpoint;
    });
  });
  after(async () => {
    await traced?.stop();
    await relay?.close();
  });

  it("logs each invocation's own trace id while environments sharing a thread interleave", async () => {
    const board = freshBoard();
    // Each request with a trace header of its own, which the gateway hands to the invocation.
    const roots = Array.from({ length: 16 }, (_, i) => `1-6b000000-${String(i).padStart(24, '0')}`);
    // The first invocations wait in their DynamoDB query until 4 do, so at least 4 environments
    // run at once in one thread (up to 16 share one), and each of those logs its request line after
    // the others have started (and set the thread's _X_AMZN_TRACE_ID). Left to themselves, 16 GETs
    // on a busy machine need not overlap at all. Not all 16: on a loaded machine 15 cold starts in
    // one thread took longer than the first held invocation's 5 s timeout (one CI run).
    const together = 4;
    const queries = relay.holdTogether('Query', together);
    let responses: Awaited<ReturnType<typeof call>>[];
    try {
      responses = await Promise.all(
        roots.map((root) =>
          call(`/boards/${board}/messages`, { headers: { 'x-amzn-trace-id': `Root=${root}` } }, traced),
        ),
      );
    } finally {
      queries.end();
    }
    assert.ok(queries.passedTogether, `only ${queries.held} of the ${together} queries ever waited at once`);
    assert.ok(traced.environments.readMessages.threads < traced.environments.readMessages.size);
    const requestLog = new Map<string, Record<string, unknown>>();
    for (const line of tracedLines) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.message === 'request') requestLog.set(String(entry.correlation_id), entry);
    }
    responses.forEach((response, i) => {
      assert.equal(response.status, 200);
      const entry = requestLog.get(response.headers.get('apigw-requestid') ?? '');
      assert.ok(entry, 'the invocation logged its request line');
      assert.equal(entry.xray_trace_id, roots[i]);
    });
  });
});
