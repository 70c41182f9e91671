import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { corsSettings } from '../../backend/http/routes.ts';
import { corsResponseHeaders, isPreflight, preflight } from '../../backend/local/cors.ts';
import type { InvocationOutcome } from '../../backend/local/execution-environments.ts';
import { createGatewayServer } from '../../backend/local/gateway-server.ts';
import {
  HTTP_API_HEADER_LIMIT_BYTES,
  HTTP_API_PAYLOAD_LIMIT_BYTES,
} from '../../backend/local/request-quotas.ts';
import { LAMBDA_PAYLOAD_LIMIT_BYTES, toHttpResponse } from '../../backend/local/result.ts';
import { type Exchanged, type ExchangeOptions, exchange } from '../helpers/exchange.ts';

const ok = (result: unknown) => {
  const outcome = toHttpResponse(result);
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
  return outcome.response;
};

describe('function result -> HTTP response (payload format 2.0)', () => {
  it('uses a structured result as given, lower-casing header names', () => {
    const response = ok({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'X-N': 3, 'X-Flag': true },
      body: '{"a":1}',
    });
    assert.equal(response.statusCode, 201);
    assert.deepEqual(response.headers, { 'content-type': 'application/json', 'x-n': '3', 'x-flag': 'true' });
    assert.equal(response.body.toString(), '{"a":1}');
  });

  it('infers 200 JSON from a result without statusCode, the result being the body', () => {
    const response = ok({ messages: [], nextCursor: null });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(response.body.toString()), { messages: [], nextCursor: null });
    assert.equal(ok('plain text').body.toString(), 'plain text');
    assert.equal(ok(null).body.toString(), 'null');
  });

  it('turns each cookie into a set-cookie header', () => {
    const response = ok({ statusCode: 200, cookies: ['a=1; Path=/', 'b=2'], body: '' });
    assert.deepEqual(response.headers['set-cookie'], ['a=1; Path=/', 'b=2']);
  });

  it('decodes base64 bodies', () => {
    const bytes = Buffer.from([0, 255, 1]);
    const response = ok({ statusCode: 200, isBase64Encoded: true, body: bytes.toString('base64') });
    assert.deepEqual(response.body, bytes);
  });

  it('rejects shapes API Gateway cannot use', () => {
    for (const bad of [
      { statusCode: '200', body: '' },
      { statusCode: 99 },
      { statusCode: 600 },
      { statusCode: 200.5 },
      { statusCode: 200, body: { not: 'a string' } },
      { statusCode: 200, headers: { a: { b: 1 } } },
      { statusCode: 200, headers: 'x' },
      { statusCode: 200, cookies: 'a=1' },
      { statusCode: 200, isBase64Encoded: 'yes', body: '' },
      // A 1xx is no final answer: sent as one, the client would wait for another.
      { statusCode: 100 },
      { statusCode: 101, body: 'x' },
      { statusCode: 199 },
      // What Node cannot write as a header (it would throw in the gateway).
      { statusCode: 200, headers: { 'x-bad': 'a\nb' } },
      { statusCode: 200, headers: { 'bad name': 'x' } },
      { statusCode: 200, cookies: ['a=1\r\nx-injected: 1'] },
    ]) {
      const outcome = toHttpResponse(bad);
      assert.equal(outcome.ok, false, JSON.stringify(bad));
    }
  });
});

describe("function result -> HTTP response: headers that are the gateway's", () => {
  it("drops the function's connection headers and content-length, keeping the rest", () => {
    const response = ok({
      statusCode: 200,
      headers: {
        'Transfer-Encoding': 'chunked',
        Connection: 'close',
        'keep-alive': 'timeout=5',
        upgrade: 'websocket',
        'content-length': '999',
        'x-kept': 'yes',
      },
      body: 'x',
    });
    assert.deepEqual(response.headers, { 'x-kept': 'yes' });
  });
});

describe('CORS, as API Gateway answers it for an HTTP API', () => {
  const anyOrigin = corsSettings();
  const listed = corsSettings(['https://app.example']);

  it('recognises a preflight only with Origin and Access-Control-Request-Method', () => {
    assert.equal(
      isPreflight('OPTIONS', { origin: 'https://a', 'access-control-request-method': 'POST' }),
      true,
    );
    assert.equal(isPreflight('OPTIONS', { origin: 'https://a' }), false);
    assert.equal(isPreflight('OPTIONS', { 'access-control-request-method': 'POST' }), false);
    assert.equal(isPreflight('GET', { origin: 'https://a', 'access-control-request-method': 'POST' }), false);
  });

  it('allows the configured methods and headers', () => {
    const headers = preflight(anyOrigin, 'https://a', 'POST', 'Content-Type, Idempotency-Key').headers;
    assert.equal(headers['access-control-allow-origin'], '*');
    assert.deepEqual(headers['access-control-allow-methods']?.split(','), ['GET', 'POST', 'OPTIONS']);
    assert.deepEqual(headers['access-control-allow-headers']?.split(','), [
      'content-type',
      'authorization',
      'idempotency-key',
    ]);
    assert.equal(headers['access-control-max-age'], '600');
    assert.equal(headers.vary, undefined, 'nothing varies with the origin when every one is allowed');
    const fromListed = preflight(listed, 'https://app.example', 'POST', undefined).headers;
    assert.equal(fromListed['access-control-allow-origin'], 'https://app.example');
    assert.equal(fromListed.vary, 'origin');
  });

  it('gives no CORS headers to a preflight for a method, header or origin that is not allowed', () => {
    assert.deepEqual(preflight(anyOrigin, 'https://a', 'DELETE', undefined).headers, {});
    assert.deepEqual(preflight(anyOrigin, 'https://a', 'POST', 'x-secret').headers, {});
    assert.deepEqual(preflight(listed, 'https://evil.example', 'POST', undefined).headers, {});
  });

  it("says why a preflight is refused, for the gateway's log line, and nothing when it is not", () => {
    assert.equal(preflight(anyOrigin, 'https://a', 'post', 'Content-Type').refusal, undefined);
    assert.equal(
      preflight(anyOrigin, 'https://a', 'DELETE', undefined).refusal,
      'method DELETE is not allowed',
    );
    assert.equal(
      preflight(anyOrigin, 'https://a', 'POST', 'content-type, X-Secret, x-other').refusal,
      'header x-secret, x-other is not allowed',
    );
    assert.equal(
      preflight(listed, 'https://evil.example', 'POST', undefined).refusal,
      'origin https://evil.example is not allowed (--cors-origins)',
    );
  });

  it('echoes a listed origin with Vary, exposes Retry-After, and answers * for every origin by default', () => {
    assert.deepEqual(corsResponseHeaders(listed, 'https://app.example'), {
      'access-control-allow-origin': 'https://app.example',
      vary: 'origin',
      'access-control-expose-headers': 'retry-after',
    });
    assert.deepEqual(corsResponseHeaders(listed, 'https://evil.example'), {});
    assert.equal(corsResponseHeaders(anyOrigin, 'https://x')['access-control-allow-origin'], '*');
    assert.deepEqual(corsResponseHeaders(anyOrigin, undefined), {});
  });
});

describe("CORS headers on the gateway's own answers", () => {
  // API Gateway adds the configured CORS headers to the responses of an HTTP API with a CORS
  // configuration, errors included (cors.ts). Without them a browser reports a CORS failure instead
  // of the answer: AWS SAM CLI leaves them off simple requests (aws/aws-sam-cli#3803) and off its
  // own authorizer denials (aws/aws-sam-cli#9087).
  const origin = 'https://app.example';
  const expected = { 'access-control-allow-origin': origin, vary: 'origin' };

  type Send = (path: string, options?: ExchangeOptions) => Promise<Exchanged>;

  /** A gateway with a listed origin, whose function answers with `outcome` (no workers). */
  const withGateway = async (
    outcome: InvocationOutcome,
    use: (send: Send) => Promise<void>,
  ): Promise<void> => {
    const stand = { invoke: async () => outcome };
    const gateway = createGatewayServer({
      routes: [{ method: 'POST', path: '/run', function: 'postMessage' }],
      environments: { readMessages: stand, postMessage: stand },
      cors: corsSettings([origin]),
      printer: { request: () => undefined, gateway: () => undefined },
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const { port } = gateway.address() as AddressInfo;
    try {
      // Each a POST from the origin, of bytes.
      await use((path, options = {}) =>
        exchange(`http://127.0.0.1:${port}${path}`, {
          ...options,
          method: 'POST',
          headers: { origin, 'content-type': 'application/octet-stream', ...options.headers },
        }),
      );
    } finally {
      gateway.closeAllConnections();
      await new Promise((resolve) => gateway.close(resolve));
    }
  };

  const corsOf = (headers: Record<string, unknown>) => ({
    'access-control-allow-origin': headers['access-control-allow-origin'],
    vary: headers.vary,
  });

  const fine: InvocationOutcome = { kind: 'result', payload: '{"statusCode":200,"body":"ok"}' };

  it('adds them to a 404 for a route it does not have, and only for a listed origin', async () => {
    await withGateway(fine, async (send) => {
      const notFound = await send('/nope');
      assert.deepEqual([notFound.status, notFound.body], [404, '{"message":"Not Found"}']);
      assert.deepEqual(corsOf(notFound.headers), expected);
      const elsewhere = await send('/nope', { headers: { origin: 'https://evil.example' } });
      assert.equal(elsewhere.status, 404);
      assert.equal(elsewhere.headers['access-control-allow-origin'], undefined);
      // And to the function's own answer, for comparison.
      assert.deepEqual(corsOf((await send('/run')).headers), expected);
    });
  });

  it('adds them to a 413 for a body over the payload quota, and to a 431 for headers over theirs', async () => {
    await withGateway(fine, async (send) => {
      // Refused on its declared length, before the body is read: a few bytes are enough to send.
      const tooLarge = await send('/run', {
        body: Buffer.from('x'),
        declaredLength: HTTP_API_PAYLOAD_LIMIT_BYTES + 1,
      });
      assert.deepEqual([tooLarge.status, tooLarge.body], [413, '{"message":"Request Entity Too Large"}']);
      assert.deepEqual(corsOf(tooLarge.headers), expected);
      // Just over the quota, and over Node's own default limit of 16 KiB, which would refuse them
      // before the gateway sees the origin.
      for (const bytes of [HTTP_API_HEADER_LIMIT_BYTES, 20_000]) {
        const tooManyHeaders = await send('/run', { headers: { 'x-big': 'h'.repeat(bytes) } });
        assert.equal(tooManyHeaders.status, 431);
        assert.deepEqual(corsOf(tooManyHeaders.headers), expected, `${bytes} bytes`);
      }
    });
  });

  it('adds them to a 413 for an event over the Lambda payload limit', async () => {
    await withGateway(fine, async (send) => {
      // Binary, so the event carries it in base64: 4/3 of its size, over 6 MB.
      const body = Buffer.alloc(Math.ceil((LAMBDA_PAYLOAD_LIMIT_BYTES * 3) / 4) + 1024, 1);
      const answer = await send('/run', { body });
      assert.deepEqual([answer.status, answer.body], [413, '{"message":"Request Entity Too Large"}']);
      assert.deepEqual(corsOf(answer.headers), expected);
    });
  });

  it("drops the function's own CORS headers for the gateway's, and keeps its Vary beside origin", async () => {
    const payload = JSON.stringify({
      statusCode: 200,
      headers: {
        'access-control-allow-origin': 'https://evil.example',
        'access-control-allow-credentials': 'true',
        vary: 'accept-encoding',
      },
      body: 'ok',
    });
    await withGateway({ kind: 'result', payload }, async (send) => {
      const answer = await send('/run');
      assert.equal(answer.headers['access-control-allow-origin'], origin);
      assert.equal(answer.headers['access-control-allow-credentials'], undefined);
      assert.equal(answer.headers.vary, 'accept-encoding, origin');
      // From an origin not listed: none of the function's CORS headers either.
      const elsewhere = await send('/run', { headers: { origin: 'https://evil.example' } });
      assert.equal(elsewhere.headers['access-control-allow-origin'], undefined);
      assert.equal(elsewhere.headers['access-control-allow-credentials'], undefined);
      assert.equal(elsewhere.headers.vary, 'accept-encoding');
    });
  });

  it('answers a 204 without a body or content-length, and keeps the framing its own', async () => {
    const noContent = JSON.stringify({ statusCode: 204, body: 'should not be sent' });
    await withGateway({ kind: 'result', payload: noContent }, async (send) => {
      const answer = await send('/run');
      assert.deepEqual([answer.status, answer.body, answer.headers['content-length']], [204, '', undefined]);
    });
    const chunked = JSON.stringify({
      statusCode: 200,
      headers: { 'transfer-encoding': 'chunked' },
      body: 'ok',
    });
    await withGateway({ kind: 'result', payload: chunked }, async (send) => {
      const answer = await send('/run');
      assert.deepEqual([answer.status, answer.body], [200, 'ok']);
      assert.equal(answer.headers['transfer-encoding'], undefined);
      assert.equal(answer.headers['content-length'], '2');
    });
  });

  // Its 500 for a failure of its own: in execution-environments.test.ts ("the gateway when it
  // fails itself").
  it('adds them to its 500 for a function that fails or returns what it cannot use', async () => {
    const failures: InvocationOutcome[] = [
      { kind: 'error', errorType: 'Error', errorMessage: 'boom' },
      { kind: 'timeout', timeoutSeconds: 3, phase: 'invoke' },
      { kind: 'crash', reason: 'exit 1' },
      { kind: 'result', payload: '{"statusCode":"200"}' },
    ];
    for (const outcome of failures) {
      await withGateway(outcome, async (send) => {
        const answer = await send('/run');
        assert.deepEqual(
          [answer.status, answer.body],
          [500, '{"message":"Internal Server Error"}'],
          outcome.kind,
        );
        assert.deepEqual(corsOf(answer.headers), expected, outcome.kind);
      });
    }
  });
});
