import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { errors, MockAgent } from 'undici';
import { ApiError, NetworkError, ResponseError } from '../../cli/errors.ts';
import { backoffDelay, createHttpClient, type HttpClientOptions } from '../../cli/http-client.ts';
import { API, JSON_HEADERS, message, requestedPaths } from './helpers.ts';

const PAGE = { messages: [message(1)], nextCursor: null };

const setup = (options: Partial<HttpClientOptions> = {}) => {
  const agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  const sleeps: number[] = [];
  let keys = 0;
  const client = createHttpClient({
    baseUrl: API,
    timeoutMs: 1000,
    retries: 3,
    userAgent: 'whiteboard-cli/test',
    dispatcher: agent,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0,
    now: () => 0,
    newIdempotencyKey: () => `key-${++keys}`,
    ...options,
  });
  return { agent, pool: agent.get(API), client, sleeps };
};

/** An error as Node's net module raises it for a refused connection. */
const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3000'), { code: 'ECONNREFUSED' });

const rejectsWith = async <T extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => T,
  check: (error: T) => void,
): Promise<void> => {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    check(error);
    return true;
  });
};

describe('backoffDelay', () => {
  it('doubles per retry with half of each step random, up to 8 s', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map((retry) => backoffDelay(retry, () => 0)),
      [125, 250, 500, 1000, 2000, 4000, 4000],
    );
    assert.deepEqual(
      [1, 2, 6, 7].map((retry) => backoffDelay(retry, () => 1)),
      [250, 500, 8000, 8000],
    );
  });
});

describe('HTTP client: reads', () => {
  it('retries a 503 with backoff and returns the page that follows', async () => {
    const { pool, client, sleeps, agent } = setup();
    pool
      .intercept({ path: '/messages', method: 'GET' })
      .reply(503, { message: 'Service Unavailable' })
      .times(2);
    pool.intercept({ path: '/messages', method: 'GET' }).reply(200, PAGE, JSON_HEADERS);
    assert.deepEqual(await client.get('/messages'), PAGE);
    assert.deepEqual(sleeps, [125, 250]);
    assert.equal(requestedPaths(agent).length, 3);
  });

  it('retries a 429, waiting as long as Retry-After says', async () => {
    const { pool, client, sleeps } = setup();
    pool
      .intercept({ path: '/messages', method: 'GET' })
      .reply(429, { message: 'Too Many Requests' }, { headers: { 'retry-after': '2' } });
    pool.intercept({ path: '/messages', method: 'GET' }).reply(200, PAGE, JSON_HEADERS);
    assert.deepEqual(await client.get('/messages'), PAGE);
    assert.deepEqual(sleeps, [2000]);
  });

  it('waits until the date Retry-After gives, and for a longer wait given in more digits', async () => {
    const now = Date.parse('2026-11-27T10:00:00Z');
    const notes: string[] = [];
    const { pool, client, sleeps } = setup({ now: () => now, note: (text) => notes.push(text) });
    pool
      .intercept({ path: '/messages', method: 'GET' })
      .reply(
        429,
        { message: 'Too Many Requests' },
        { headers: { 'retry-after': 'Fri, 27 Nov 2026 10:00:07 GMT' } },
      );
    pool
      .intercept({ path: '/messages', method: 'GET' })
      .reply(503, { message: 'busy' }, { headers: { 'retry-after': '99999999' } });
    pool
      .intercept({ path: '/messages', method: 'GET' })
      .reply(503, { message: 'busy' }, { headers: { 'retry-after': 'Fri, 27 Nov 2026 09:00:00 GMT' } });
    pool.intercept({ path: '/messages', method: 'GET' }).reply(200, PAGE, JSON_HEADERS);
    assert.deepEqual(await client.get('/messages'), PAGE);
    // 7 s; then at most 30 s (the cap) for 99999999 s; a date gone by asks for no wait.
    assert.deepEqual(sleeps, [7000, 30_000, 0]);
    // What it says: 99999999 s is read as a day at most, a wait no server means literally.
    assert.deepEqual(notes, [
      `${API} asks to wait 7 s (Retry-After), then retrying at most 3 more times`,
      `${API} asks to wait 86400 s (Retry-After); waiting 30 s, then retrying at most 2 more times`,
    ]);
  });

  it('says before a wait of more than 2 s that the API asked for it, and not before 2 s', async () => {
    const notes: string[] = [];
    const { pool, client, sleeps } = setup({ note: (text) => notes.push(text) });
    pool
      .intercept({ path: '/messages', method: 'GET' })
      .reply(429, { message: 'Too Many Requests' }, { headers: { 'retry-after': '3' } });
    pool
      .intercept({ path: '/messages', method: 'GET' })
      .reply(503, { message: 'busy' }, { headers: { 'retry-after': '2' } });
    pool.intercept({ path: '/messages', method: 'GET' }).reply(200, PAGE, JSON_HEADERS);
    assert.deepEqual(await client.get('/messages'), PAGE);
    assert.deepEqual(sleeps, [3000, 2000]);
    assert.deepEqual(notes, [`${API} asks to wait 3 s (Retry-After), then retrying at most 3 more times`]);
  });

  it('gives up after the retries with the API message and status', async () => {
    const { pool, client, sleeps, agent } = setup({ retries: 2 });
    pool
      .intercept({ path: '/messages', method: 'GET' })
      .reply(500, { message: 'Internal Server Error', code: 'INTERNAL_ERROR' })
      .times(3);
    await rejectsWith(client.get('/messages'), ApiError, (error) => {
      assert.equal(error.status, 500);
      assert.equal(error.message, 'Internal Server Error (HTTP 500 INTERNAL_ERROR)');
    });
    assert.equal(sleeps.length, 2);
    assert.equal(requestedPaths(agent).length, 3);
  });

  it('does not retry a 400', async () => {
    const { pool, client, agent } = setup();
    pool
      .intercept({ path: '/messages', method: 'GET', query: { limit: '0' } })
      .reply(400, { message: 'limit must be a whole number from 1 to 100, got "0"', code: 'INVALID_LIMIT' });
    await rejectsWith(client.get('/messages', { limit: 0 }), ApiError, (error) => {
      assert.equal(error.code, 'INVALID_LIMIT');
      assert.equal(error.apiMessage, 'limit must be a whole number from 1 to 100, got "0"');
    });
    assert.deepEqual(requestedPaths(agent), ['GET /messages?limit=0']);
  });

  it('retries when the server closes the connection', async () => {
    const { pool, client, sleeps } = setup();
    pool
      .intercept({ path: '/messages', method: 'GET' })
      .replyWithError(new errors.SocketError('other side closed'));
    pool.intercept({ path: '/messages', method: 'GET' }).reply(200, PAGE, JSON_HEADERS);
    assert.deepEqual(await client.get('/messages'), PAGE);
    assert.equal(sleeps.length, 1);
  });

  it('reports a server that keeps closing the connection', async () => {
    const { pool, client } = setup({ retries: 1 });
    pool
      .intercept({ path: '/messages', method: 'GET' })
      .replyWithError(new errors.SocketError('other side closed'))
      .times(2);
    await rejectsWith(client.get('/messages'), NetworkError, (error) => {
      assert.equal(error.message, `${API} closed the connection before answering (tried 2 times)`);
    });
  });

  it('retries a response timeout', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: '/messages', method: 'GET' }).replyWithError(new errors.HeadersTimeoutError());
    pool.intercept({ path: '/messages', method: 'GET' }).reply(200, PAGE, JSON_HEADERS);
    assert.deepEqual(await client.get('/messages'), PAGE);
  });

  it('times out an attempt that takes longer than twice the timeout, and says so', async () => {
    const { pool, client } = setup({ timeoutMs: 20, retries: 0 });
    // Longer than the attempt deadline (twice the timeout); the abort cancels the delayed reply.
    pool.intercept({ path: '/messages', method: 'GET' }).reply(200, PAGE, JSON_HEADERS).delay(5000);
    await rejectsWith(client.get('/messages'), NetworkError, (error) => {
      // Nothing of the answer came: not "did not finish answering".
      assert.equal(error.message, `${API} did not answer within 0.04 s (twice --timeout)`);
    });
  });

  it('says an answer did not finish when its body trickles in past the attempt deadline', async () => {
    // A real server: the headers at once, then a byte of the body every 10 ms, never the end.
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const drip = setInterval(() => response.write(' '), 10);
      response.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Its own undici Agent, as the CLI has, rather than the mock.
    const client = createHttpClient({
      baseUrl: url,
      timeoutMs: 100,
      retries: 0,
      userAgent: 'whiteboard-cli/test',
      sleep: async () => {},
      random: () => 0,
      now: () => 0,
      newIdempotencyKey: () => 'key-1',
    });
    try {
      await rejectsWith(client.get('/messages'), NetworkError, (error) => {
        assert.equal(error.message, `${url} did not finish answering within 0.2 s (twice --timeout)`);
      });
    } finally {
      await client.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('says how to start the local stack when the connection is refused', async () => {
    const { pool, client, sleeps } = setup({ unreachableHint: 'is the local stack running? (npm start)' });
    pool.intercept({ path: '/messages', method: 'GET' }).replyWithError(refused()).times(4);
    await rejectsWith(client.get('/messages'), NetworkError, (error) => {
      assert.equal(
        error.message,
        `cannot reach ${API}: connection refused; is the local stack running? (npm start) (tried 4 times)`,
      );
    });
    assert.deepEqual(sleeps, [125, 250, 500]);
  });

  it('does not retry an unknown host', async () => {
    const { pool, client, sleeps } = setup();
    pool
      .intercept({ path: '/messages', method: 'GET' })
      .replyWithError(Object.assign(new Error('getaddrinfo ENOTFOUND api.test'), { code: 'ENOTFOUND' }));
    await rejectsWith(client.get('/messages'), NetworkError, (error) => {
      assert.equal(error.message, `cannot reach ${API}: host api.test not found`);
    });
    assert.deepEqual(sleeps, []);
  });

  it('asks whether an https:// URL should be http:// when the server does not speak TLS', async () => {
    const lines: string[] = [];
    const { agent, client, sleeps } = setup({ baseUrl: 'https://api.test', log: (line) => lines.push(line) });
    const openssl =
      '802CE4E3307F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:' +
      '../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n';
    agent
      .get('https://api.test')
      .intercept({ path: '/messages', method: 'GET' })
      .replyWithError(Object.assign(new Error(openssl), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }));
    await rejectsWith(client.get('/messages'), NetworkError, (error) => {
      assert.equal(
        error.message,
        'cannot reach https://api.test: the server does not speak TLS; is it an http:// URL?',
      );
    });
    assert.deepEqual(sleeps, []);
    // --verbose still shows what OpenSSL said.
    assert.ok(lines.some((line) => line.includes('wrong version number')));
  });

  it('asks whether it is an HTTP server when the answer is not HTTP', async () => {
    const lines: string[] = [];
    const { pool, client } = setup({ log: (line) => lines.push(line) });
    pool
      .intercept({ path: '/messages', method: 'GET' })
      .replyWithError(
        new errors.HTTPParserError(
          'Response does not match the HTTP/1.1 protocol (Expected HTTP/, RTSP/ or ICE/)',
        ),
      );
    await rejectsWith(client.get('/messages'), NetworkError, (error) => {
      assert.equal(error.message, `${API} answered with something that is not HTTP; not an HTTP server?`);
    });
    assert.ok(lines.some((line) => line.includes('Response does not match the HTTP/1.1 protocol')));
  });

  it('rejects a 200 that is not JSON, naming the URL asked and where it came from', async () => {
    const { pool, client } = setup({ wrongApiHint: 'is --url X the whiteboard API?' });
    pool.intercept({ path: '/messages', method: 'GET' }).reply(200, '<html>hello</html>');
    await rejectsWith(client.get('/messages'), ResponseError, (error) => {
      assert.equal(
        error.message,
        `${API}/messages answered 200 with something that is not JSON; is --url X the whiteboard API?`,
      );
    });
  });

  it('explains an error page that is not JSON by its status', async () => {
    const { pool, client } = setup({ retries: 0 });
    pool.intercept({ path: '/messages', method: 'GET' }).reply(502, '<html>Bad Gateway</html>');
    await rejectsWith(client.get('/messages'), ApiError, (error) => {
      assert.equal(error.message, 'Bad Gateway (HTTP 502)');
    });
  });

  it("names a status RFC 9110 lists by its phrase, and one it does not by the status's class", async () => {
    for (const [status, said] of [
      [501, 'Not Implemented'],
      [415, 'Unsupported Media Type'],
      [499, 'Client Error'],
      [599, 'Server Error'],
    ] as const) {
      const { pool, client } = setup({ retries: 0 });
      pool.intercept({ path: '/messages', method: 'GET' }).reply(status, 'not the API');
      await rejectsWith(client.get('/messages'), ApiError, (error) => {
        assert.equal(error.message, `${said} (HTTP ${status})`);
      });
    }
  });

  it('fails on a 300, which is not a success, as Multiple Choices', async () => {
    const { pool, client } = setup({ retries: 0 });
    pool.intercept({ path: '/messages', method: 'GET' }).reply(300, PAGE, JSON_HEADERS);
    await rejectsWith(client.get('/messages'), ApiError, (error) => {
      assert.equal(error.status, 300);
      assert.equal(error.message, 'Multiple Choices (HTTP 300)');
    });
  });

  it('refuses an answer larger than the limit, declared by content-length', async () => {
    const { pool, client } = setup({
      maxResponseBytes: 1000,
      wrongApiHint: 'is --url X the whiteboard API?',
    });
    const big = JSON.stringify({ messages: [message(1, { text: 'x'.repeat(5000) })], nextCursor: null });
    pool.intercept({ path: '/messages', method: 'GET' }).reply(200, big, {
      headers: { 'content-type': 'application/json', 'content-length': String(big.length) },
    });
    await rejectsWith(client.get('/messages'), ResponseError, (error) => {
      assert.equal(
        error.message,
        `the answer from ${API}/messages is larger than 1000 bytes; is --url X the whiteboard API?`,
      );
    });
  });

  it('refuses an answer that grows past the limit without a content-length', async () => {
    const { pool, client } = setup({ maxResponseBytes: 1000 });
    pool
      .intercept({ path: '/messages', method: 'GET' })
      .reply(200, Buffer.alloc(50_000, 'a'), { headers: { 'content-type': 'application/json' } });
    await rejectsWith(client.get('/messages'), ResponseError, (error) => {
      assert.match(error.message, /larger than 1000 bytes/);
    });
  });

  it('stops waiting to retry when interrupted', async () => {
    const controller = new AbortController();
    const { pool, client, agent } = setup({
      signal: controller.signal,
      sleep: async () => controller.abort(new Error('interrupted')),
    });
    pool.intercept({ path: '/messages', method: 'GET' }).reply(503, {}).persist();
    await assert.rejects(client.get('/messages'), /interrupted/);
    assert.equal(requestedPaths(agent).length, 1);
  });

  it('sends the query and appends paths to a base URL with a stage', async () => {
    const { pool, client, agent } = setup({ baseUrl: `${API}/prod` });
    pool
      .intercept({ path: (path) => path.startsWith('/prod/boards/team/messages') })
      .reply(200, PAGE, JSON_HEADERS);
    await client.get('/boards/team/messages', { limit: 5, since: undefined, cursor: 'abc' });
    assert.deepEqual(requestedPaths(agent), ['GET /prod/boards/team/messages?limit=5&cursor=abc']);
  });
});

describe('HTTP client: posts', () => {
  const STORED = message(7);
  const calls = (agent: MockAgent) => agent.getCallHistory()?.calls() ?? [];

  it('sends JSON with an Idempotency-Key', async () => {
    const { pool, client, agent } = setup();
    pool.intercept({ path: '/messages', method: 'POST' }).reply(201, STORED, JSON_HEADERS);
    assert.deepEqual(await client.post('/messages', { author: 'ann', text: 'hi' }), STORED);
    const [call] = calls(agent);
    assert.equal(call?.body, '{"author":"ann","text":"hi"}');
    assert.equal(call?.headers?.['idempotency-key'], 'key-1');
    assert.equal(call?.headers?.['content-type'], 'application/json');
  });

  it('retries a refused connection with the same Idempotency-Key', async () => {
    const { pool, client, agent, sleeps } = setup();
    pool.intercept({ path: '/messages', method: 'POST' }).replyWithError(refused());
    pool.intercept({ path: '/messages', method: 'POST' }).replyWithError(new errors.ConnectTimeoutError());
    pool.intercept({ path: '/messages', method: 'POST' }).reply(201, STORED, JSON_HEADERS);
    assert.deepEqual(await client.post('/messages', { author: 'ann', text: 'hi' }), STORED);
    assert.deepEqual(
      calls(agent).map((call) => call.headers?.['idempotency-key']),
      ['key-1', 'key-1', 'key-1'],
    );
    assert.equal(sleeps.length, 2);
  });

  it('gives each post its own key', async () => {
    const { pool, client, agent } = setup();
    pool.intercept({ path: '/messages', method: 'POST' }).reply(201, STORED, JSON_HEADERS).times(2);
    await client.post('/messages', { author: 'ann', text: 'one' });
    await client.post('/messages', { author: 'ann', text: 'two' });
    assert.deepEqual(
      calls(agent).map((call) => call.headers?.['idempotency-key']),
      ['key-1', 'key-2'],
    );
  });

  it('retries after a 429, which is answered before the function runs, with the same key', async () => {
    const { pool, client, agent, sleeps } = setup();
    pool
      .intercept({ path: '/messages', method: 'POST' })
      .reply(429, { message: 'Too Many Requests' }, { headers: { 'retry-after': '1' } });
    pool.intercept({ path: '/messages', method: 'POST' }).reply(201, STORED, JSON_HEADERS);
    assert.deepEqual(await client.post('/messages', { author: 'ann', text: 'hi' }), STORED);
    assert.deepEqual(sleeps, [1000]);
    assert.deepEqual(
      calls(agent).map((call) => call.headers?.['idempotency-key']),
      ['key-1', 'key-1'],
    );
  });

  // Until the API honours Idempotency-Key, a request that may have arrived must not be sent again.
  for (const [name, reply] of [
    ['a 503', { status: 503 }],
    ['a closed connection', { error: () => new errors.SocketError('other side closed') }],
    ['a response timeout', { error: () => new errors.HeadersTimeoutError() }],
    [
      'a reset connection',
      { error: () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) },
    ],
    // The request was being written when the server closed: part or all of it may have arrived.
    ['a broken pipe', { error: () => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }) }],
  ] as const) {
    it(`does not retry after ${name}`, async () => {
      const { pool, client, agent, sleeps } = setup();
      const interceptor = pool.intercept({ path: '/messages', method: 'POST' });
      if ('status' in reply) interceptor.reply(reply.status, { message: 'busy' }).persist();
      else interceptor.replyWithError(reply.error()).persist();
      await assert.rejects(client.post('/messages', { author: 'ann', text: 'hi' }), (error: unknown) => {
        assert.ok(error instanceof ApiError || error instanceof NetworkError);
        return true;
      });
      assert.equal(calls(agent).length, 1);
      assert.deepEqual(sleeps, []);
    });
  }
});
