import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { corsSettings } from '../../backend/http/routes.ts';
import { corsResponseHeaders, isPreflight, preflightHeaders } from '../../backend/local/cors.ts';
import { toHttpResponse } from '../../backend/local/result.ts';

const ok = (result: unknown) => {
  const outcome = toHttpResponse(result);
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
  return outcome.response;
};

describe('function result -> HTTP response (payload format 2.0)', () => {
  it('uses a structured result as given, lower-casing header names', () => {
    const response = ok({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'X-N': 3 },
      body: '{"a":1}',
    });
    assert.equal(response.statusCode, 201);
    assert.deepEqual(response.headers, { 'content-type': 'application/json', 'x-n': '3' });
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
    ]) {
      const outcome = toHttpResponse(bad);
      assert.equal(outcome.ok, false, JSON.stringify(bad));
    }
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
    assert.equal(isPreflight('GET', { origin: 'https://a', 'access-control-request-method': 'POST' }), false);
  });

  it('allows the configured methods and headers', () => {
    const headers = preflightHeaders(anyOrigin, 'https://a', 'POST', 'Content-Type, Idempotency-Key');
    assert.equal(headers['access-control-allow-origin'], '*');
    assert.deepEqual(headers['access-control-allow-methods']?.split(','), ['GET', 'POST', 'OPTIONS']);
    assert.deepEqual(headers['access-control-allow-headers']?.split(','), [
      'content-type',
      'authorization',
      'idempotency-key',
    ]);
  });

  it('gives no CORS headers to a preflight for a method, header or origin that is not allowed', () => {
    assert.deepEqual(preflightHeaders(anyOrigin, 'https://a', 'DELETE', undefined), {});
    assert.deepEqual(preflightHeaders(anyOrigin, 'https://a', 'POST', 'x-secret'), {});
    assert.deepEqual(preflightHeaders(listed, 'https://evil.example', 'POST', undefined), {});
  });

  it('echoes a listed origin with Vary, and answers * for every origin by default', () => {
    assert.deepEqual(corsResponseHeaders(listed, 'https://app.example'), {
      'access-control-allow-origin': 'https://app.example',
      vary: 'origin',
    });
    assert.deepEqual(corsResponseHeaders(listed, 'https://evil.example'), {});
    assert.equal(corsResponseHeaders(anyOrigin, 'https://x')['access-control-allow-origin'], '*');
    assert.deepEqual(corsResponseHeaders(anyOrigin, undefined), {});
  });
});
