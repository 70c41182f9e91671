import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { routes } from '../../backend/http/routes.ts';
import {
  type IncomingRequest,
  lambdaTraceHeader,
  newRequestId,
  parseQueryString,
  toEvent,
} from '../../backend/local/event.ts';
import { createRouteMatcher } from '../../backend/local/route-matcher.ts';

// Real HTTP API events, captured by others (origins in test/fixtures/README.md).
const fixture = (name: string): APIGatewayProxyEventV2 =>
  JSON.parse(readFileSync(new URL(`../fixtures/apigw-http/${name}`, import.meta.url), 'utf8'));

const match = createRouteMatcher(routes);

const request = (overrides: Partial<IncomingRequest> = {}): IncomingRequest => ({
  method: 'GET',
  url: '/messages',
  httpVersion: '1.1',
  rawHeaders: ['Host', '127.0.0.1:3000', 'User-Agent', 'curl/8.5.0', 'Accept', '*/*'],
  sourceIp: '127.0.0.1',
  body: Buffer.alloc(0),
  localPort: 3000,
  ...overrides,
});

const emulate = (req: IncomingRequest, epochMs = Date.now()): APIGatewayProxyEventV2 => {
  const route = match(req.method, req.url.split('?')[0] as string);
  assert.ok(route, `no route for ${req.method} ${req.url}`);
  return toEvent(req, route, 'LV7fzho-PHcEJPw=', epochMs);
};

const typeTree = (value: unknown): unknown => {
  if (Array.isArray(value)) return ['array', ...(value.length > 0 ? [typeTree(value[0])] : [])];
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, typeTree((value as Record<string, unknown>)[key])]),
    );
  }
  return value === null ? 'null' : typeof value;
};

// Fields that depend on the API's configuration (authorizers, stage variables) and that our
// API does not use; everything else must be present with the same type.
const CONFIG_DEPENDENT = new Set(['authorizer', 'stageVariables', 'authentication']);
const strip = (tree: unknown): unknown => {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) return tree;
  return Object.fromEntries(
    Object.entries(tree)
      .filter(([key]) => !CONFIG_DEPENDENT.has(key))
      .map(([key, value]) => [key, strip(value)]),
  );
};

describe('emulated payload format 2.0 events', () => {
  it('have the fields and types of a real GET event without a body', () => {
    const real = fixture('curl-get-default-route.json');
    const ours = emulate(request({ url: '/messages' }));
    const realTree = strip(typeTree(real)) as Record<string, unknown>;
    const ourTree = strip(typeTree(ours)) as Record<string, unknown>;
    // Same top-level and requestContext fields, same types.
    assert.deepEqual(Object.keys(ourTree).sort(), Object.keys(realTree).sort());
    assert.deepEqual(ourTree.requestContext, realTree.requestContext);
    assert.equal('body' in ours, false, 'body is absent when there is none');
  });

  it('have the fields and types of a real POST event with a JSON body and path parameters', () => {
    const real = fixture('post-with-json-body.json');
    const ours = emulate(
      request({
        method: 'POST',
        url: '/boards/team-a/messages',
        rawHeaders: [
          'Host',
          '127.0.0.1:3000',
          'Content-Type',
          'application/json',
          'User-Agent',
          'curl/8.5.0',
        ],
        body: Buffer.from('{"author":"ann","text":"hi"}'),
      }),
    );
    const realTree = strip(typeTree(real)) as Record<string, Record<string, unknown>>;
    const ourTree = strip(typeTree(ours)) as Record<string, Record<string, unknown>>;
    for (const key of ['version', 'routeKey', 'rawPath', 'rawQueryString', 'body', 'isBase64Encoded']) {
      assert.deepEqual(ourTree[key], realTree[key], key);
    }
    // Path parameters: an object of strings, as in the real event that has them.
    const withParams = typeTree(fixture('query-cookies-body.json')) as Record<
      string,
      Record<string, unknown>
    >;
    assert.deepEqual(
      Object.values(ourTree.pathParameters ?? {}),
      Object.values(withParams.pathParameters ?? {}),
    );
    assert.deepEqual(
      Object.keys(ourTree.requestContext ?? {}).sort(),
      Object.keys(realTree.requestContext ?? {}).sort(),
    );
    assert.deepEqual(ours.pathParameters, { board: 'team-a' });
    assert.equal(ours.routeKey, 'POST /boards/{board}/messages');
    assert.equal(ours.requestContext.routeKey, ours.routeKey);
    assert.equal(ours.body, '{"author":"ann","text":"hi"}');
    assert.equal(ours.isBase64Encoded, false);
  });

  it('lower-case header names and comma-join repeated headers', () => {
    const ours = emulate(
      request({ rawHeaders: ['Host', 'x', 'X-Custom', 'a', 'x-custom', 'b', 'Authorization', 'Bearer t'] }),
    );
    for (const name of Object.keys(ours.headers)) assert.equal(name, name.toLowerCase());
    assert.equal(ours.headers['x-custom'], 'a,b');
    assert.equal(ours.headers.authorization, 'Bearer t');
    // Like real events (see the fixtures), API Gateway adds forwarding and trace headers.
    for (const added of ['x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto', 'x-amzn-trace-id']) {
      assert.equal(typeof fixture('curl-get-default-route.json').headers[added], 'string');
      assert.equal(typeof ours.headers[added], 'string', added);
    }
    assert.match(ours.headers['x-amzn-trace-id'] ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it('add the forwarding headers with the source ip, the listening port and http', () => {
    // In the captured events, X-Forwarded-For is the source ip alone.
    for (const name of ['curl-get-default-route.json', 'no-auth.json', 'post-with-json-body.json']) {
      const real = fixture(name);
      assert.equal(real.headers['x-forwarded-for'], real.requestContext.http.sourceIp, name);
    }
    // A port other than the Host header's, so that the port is shown to come from the socket.
    const local = { sourceIp: '127.0.0.1', localPort: 43210 };
    const plain = emulate(request(local));
    assert.equal(plain.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(plain.headers['x-forwarded-port'], '43210');
    assert.equal(plain.headers['x-forwarded-proto'], 'http');
    // A client's own X-Forwarded-For is kept and the source ip appended after it; the port and
    // protocol are the gateway's, whatever the client claimed. (What event.ts does; it cites no AWS
    // source for it.)
    const proxied = emulate(
      request({
        ...local,
        rawHeaders: [
          'Host',
          '127.0.0.1:3000',
          'X-Forwarded-For',
          '203.0.113.7',
          'X-Forwarded-Port',
          '443',
          'X-Forwarded-Proto',
          'https',
        ],
      }),
    );
    assert.equal(proxied.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
    assert.equal(proxied.headers['x-forwarded-port'], '43210');
    assert.equal(proxied.headers['x-forwarded-proto'], 'http');
  });

  it('name the domain as the Host header does, without its port, as real events do', () => {
    for (const name of ['curl-get-default-route.json', 'no-auth.json', 'post-with-json-body.json']) {
      const real = fixture(name);
      assert.equal(real.requestContext.domainName, real.headers.host, name);
      assert.equal(real.requestContext.domainPrefix, real.headers.host?.split('.')[0], name);
    }
    for (const [host, domainName, domainPrefix] of [
      ['127.0.0.1:3000', '127.0.0.1', '127'],
      ['app.localhost:3000', 'app.localhost', 'app'],
      ['[::1]:3000', '[::1]', '[::1]'],
      ['localhost', 'localhost', 'localhost'],
    ]) {
      const { requestContext } = emulate(request({ rawHeaders: ['Host', host as string] }));
      assert.deepEqual(
        [requestContext.domainName, requestContext.domainPrefix],
        [domainName, domainPrefix],
        host,
      );
    }
  });

  it('join repeated query keys with commas and split cookies into their own array, like the real event', () => {
    const real = fixture('query-cookies-body.json');
    const ours = emulate(
      request({
        url: `/messages?${real.rawQueryString}`,
        rawHeaders: ['Host', 'x', 'Cookie', 'cookie1; cookie2'],
      }),
    );
    assert.deepEqual(ours.queryStringParameters, real.queryStringParameters);
    assert.equal(ours.rawQueryString, real.rawQueryString);
    assert.deepEqual(ours.cookies, real.cookies);
    assert.equal(ours.headers.cookie, undefined);
  });

  it('leave optional fields out instead of null', () => {
    const ours = emulate(request({ url: '/messages' })) as unknown as Record<string, unknown>;
    for (const key of ['queryStringParameters', 'pathParameters', 'cookies', 'body', 'stageVariables']) {
      assert.equal(key in ours, false, `${key} should be absent`);
    }
  });

  it('use API Gateway time formats: timeEpoch in milliseconds and time as dd/MMM/yyyy:HH:mm:ss +0000', () => {
    const real = fixture('curl-get-default-route.json');
    const before = Date.now();
    const ours = emulate(request());
    assert.ok(ours.requestContext.timeEpoch >= before && ours.requestContext.timeEpoch <= Date.now());
    const timePattern = /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/;
    assert.match(real.requestContext.time, timePattern);
    assert.match(ours.requestContext.time, timePattern);
    // At the instant of a captured event, the time API Gateway wrote, to the letter.
    const then = emulate(request(), real.requestContext.timeEpoch);
    assert.equal(then.requestContext.time, real.requestContext.time);
    assert.equal(ours.requestContext.stage, real.requestContext.stage);
    assert.equal(ours.requestContext.http.protocol, real.requestContext.http.protocol);
  });

  /** The event of a POST /messages with this body and content type. */
  const posted = (contentType: string, body: Buffer) =>
    emulate(request({ method: 'POST', url: '/messages', rawHeaders: ['Content-Type', contentType], body }));

  it('base64-encode bodies whose content type is not text', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251]);
    const ours = posted('application/octet-stream', bytes);
    assert.equal(ours.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(ours.body ?? '', 'base64'), bytes);
  });

  it('pass text media types as text and every other body base64-encoded', () => {
    // The list is event.ts's: AWS says only that the content type decides; what ministack's
    // maintainers saw on a real HTTP API (ministackorg/ministack#766) is text/*, application/json,
    // application/xml and application/javascript as text, and everything else encoded.
    const body = Buffer.from('a=1&b=two');
    const text = [
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'Application/Json; Charset=UTF-8',
      'application/xml',
      'application/javascript',
      'text/plain',
      'text/plain; charset=utf-8',
      'TEXT/CSV',
      'text/html',
    ];
    const binary = [
      // curl -d's default type: not among the text types, so it arrives encoded.
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      'multipart/form-data; boundary=x',
      'image/png',
      'application/jsonx',
      // Structured types are not on the list either.
      'application/vnd.api+json',
      'application/merge-patch+json',
      'application/problem+json',
      'application/atom+xml',
    ];
    for (const contentType of text) {
      const ours = posted(contentType, body);
      assert.deepEqual([ours.isBase64Encoded, ours.body], [false, 'a=1&b=two'], contentType);
    }
    for (const contentType of binary) {
      const ours = posted(contentType, body);
      assert.deepEqual([ours.isBase64Encoded, ours.body], [true, body.toString('base64')], contentType);
    }
    // Without a content type at all, a body is bytes too.
    const untyped = emulate(request({ method: 'POST', url: '/messages', rawHeaders: [], body }));
    assert.deepEqual([untyped.isBase64Encoded, untyped.body], [true, body.toString('base64')]);
  });

  it('pass a JSON-typed body that is not UTF-8 as its bytes, base64-encoded, never altered', () => {
    const bytes = Buffer.from('{"author":"u","text":"a\xff\xfeb"}', 'latin1');
    const ours = posted('application/json', bytes);
    assert.equal(ours.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(ours.body ?? '', 'base64'), bytes);
    const utf8 = posted('application/json', Buffer.from('{"text":"é😀"}'));
    assert.deepEqual([utf8.isBase64Encoded, utf8.body], [false, '{"text":"é😀"}']);
  });

  it('match a path parameter to one segment only, as API Gateway matches {name}', () => {
    assert.equal(match('GET', '/boards/a/b/messages'), undefined);
    assert.equal(match('GET', '/boards//messages'), undefined);
    assert.deepEqual(match('GET', '/boards/a/messages')?.pathParameters, { board: 'a' });
  });

  it('percent-decode path parameters and the path, not the query string', () => {
    const ours = emulate(request({ method: 'POST', url: '/boards/team%2Da/messages?x=%2D' }));
    assert.deepEqual(ours.pathParameters, { board: 'team-a' });
    // As an HTTP API does (event.ts): the path decoded, despite the name rawPath.
    assert.equal(ours.rawPath, '/boards/team-a/messages');
    assert.equal(ours.requestContext.http.path, '/boards/team-a/messages');
    assert.equal(ours.rawQueryString, 'x=%2D');
    assert.deepEqual(emulate(request({ url: '/boards/caf%C3%A9/messages' })).pathParameters, {
      board: 'café',
    });
    // Not valid percent-encoding: passed on as it came, not refused.
    const invalid = emulate(request({ url: '/boards/50%25%ZZ/messages' }));
    assert.deepEqual(invalid.pathParameters, { board: '50%25%ZZ' });
    assert.equal(invalid.rawPath, '/boards/50%25%ZZ/messages');
    // Every escape in the path decoded but %25 (event.ts).
    assert.equal(
      emulate(request({ url: '/boards/a%2Db%25c%2D/messages' })).rawPath,
      '/boards/a-b%25c-/messages',
    );
  });

  it('parse query strings as API Gateway does', () => {
    assert.equal(parseQueryString(''), undefined);
    assert.deepEqual(parseQueryString('limit=5&limit=6&x'), { limit: '5,6', x: '' });
    assert.deepEqual(parseQueryString('a=%20b&c=%E2%9C%93'), { a: ' b', c: '✓' });
  });

  it('take query keys and header names that objects inherit as names like any other', () => {
    const query = parseQueryString('constructor=x&toString=y&__proto__=z&toString=w');
    assert.deepEqual(query, { constructor: 'x', toString: 'y,w', ['__proto__']: 'z' });
    assert.equal(Object.getPrototypeOf(query), Object.prototype);
    const ours = emulate(request({ rawHeaders: ['Host', 'x', 'Constructor', 'a', '__proto__', 'b'] }));
    assert.equal(ours.headers.constructor, 'a');
    assert.equal(Object.hasOwn(ours.headers, '__proto__'), true);
    assert.equal(Object.getOwnPropertyDescriptor(ours.headers, '__proto__')?.value, 'b');
  });

  it('get request ids shaped like those of real events', () => {
    const shape = /^[A-Za-z0-9_-]{15}=$/;
    for (const name of ['curl-get-default-route.json', 'authorizer-request.json', 'iam-auth.json']) {
      assert.match(fixture(name).requestContext.requestId, shape);
    }
    const ids = Array.from({ length: 200 }, newRequestId);
    for (const id of ids) assert.match(id, shape);
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe('the trace header Lambda gives an invocation (_X_AMZN_TRACE_ID)', () => {
  const lambdaHeader = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=[0-9a-f]{16};Sampled=1$/;

  it("continues the request's trace with a parent of its own, sampled", () => {
    const root = '1-5759e988-bd862e3fe1be46a994272793';
    for (const incoming of [
      `Root=${root}`,
      `Root=${root};Sampled=0`,
      `Self=1-x;Root=${root};Parent=53995c3f42cd8ad8`,
    ]) {
      const header = lambdaTraceHeader(incoming, Date.now());
      assert.equal(lambdaHeader.exec(header)?.[1], root, incoming);
    }
    const parents = new Set(
      Array.from({ length: 10 }, () => lambdaTraceHeader(`Root=${root}`, 0).split(';')[1]),
    );
    assert.equal(parents.size, 10, 'each invocation its own parent id');
  });

  it('starts a trace of its own when the request names none, or one that is not valid', () => {
    const epochMs = Date.UTC(2026, 10, 26, 12);
    for (const incoming of [
      undefined,
      '',
      'foo',
      'Root=1-xyz;Sampled=1',
      'Root=2-5759e988-bd862e3fe1be46a994272793',
    ]) {
      const root = lambdaHeader.exec(lambdaTraceHeader(incoming, epochMs))?.[1];
      assert.ok(root, String(incoming));
      assert.equal(
        root.slice(2, 10),
        Math.floor(epochMs / 1000).toString(16),
        'the epoch seconds of the request',
      );
    }
  });
});
