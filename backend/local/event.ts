/**
 * HTTP request -> API Gateway HTTP API payload format 2.0 event.
 *
 * Copies the fields and shapes of real events (AWS docs, "Create AWS Lambda proxy integrations for
 * HTTP APIs in API Gateway", payload format version 2.0; samples in test/fixtures/apigw-http):
 * lower-cased header names with duplicates comma-joined, a separate `cookies` array (and no
 * `cookie` header), repeated query keys comma-joined in `queryStringParameters`, optional fields
 * left out rather than null when empty, `timeEpoch` in milliseconds and a fresh `requestId` per
 * request. Today's emulators get the last two wrong: AWS SAM CLI reuses one request id for every
 * request of a process (aws/aws-sam-cli#9279), Architect's sandbox gives `timeEpoch` in seconds;
 * Powertools Logger takes its correlation id from `requestId`.
 */
import { isUtf8 } from 'node:buffer';
import { randomFillSync } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { decode } from './route-matcher.ts';

export interface IncomingRequest {
  readonly method: string;
  /** The request target as sent: path plus optional `?query`. */
  readonly url: string;
  readonly httpVersion: string;
  /** Node's `rawHeaders`: name, value, name, value... */
  readonly rawHeaders: readonly string[];
  readonly sourceIp: string;
  readonly body: Buffer;
  readonly localPort: number;
}

export interface MatchedRoute {
  /** `GET /messages`, or `$default`. */
  readonly routeKey: string;
  readonly pathParameters: Readonly<Record<string, string>> | undefined;
}

const API_ID = 'local';
const STAGE = '$default';
export const ACCOUNT_ID = '123456789012';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (value: number) => String(value).padStart(2, '0');

/** `requestContext.time` as API Gateway writes it: `21/Apr/2020:15:08:21 +0000`. */
const formatRequestTime = (epochMs: number): string => {
  const d = new Date(epochMs);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} +0000`;
};

/**
 * Random bytes for ids, taken from a pool refilled 4 KiB at a time: one call into the system's
 * random source per ~180 requests instead of two per request.
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
const randomSlice = (size: number): Buffer => {
  if (poolOffset + size > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += size;
  return pool.subarray(poolOffset - size, poolOffset);
};

/** A request id shaped like API Gateway's (`LV7fzho-PHcEJPw=`, 11 bytes): unique per request. */
export const newRequestId = (): string =>
  randomSlice(11).toString('base64').replaceAll('/', '-').replaceAll('+', '_');

/** A new X-Ray trace id: `1-{8 hex digits of epoch seconds}-{24 hex digits}`. */
const newTraceRoot = (epochMs: number): string =>
  `1-${Math.floor(epochMs / 1000).toString(16)}-${randomSlice(12).toString('hex')}`;

const TRACE_ROOT = /(?:^|;)\s*Root=(1-[0-9a-f]{8}-[0-9a-f]{24})\s*(?:;|$)/i;

/**
 * The trace header Lambda gives an invocation (`_X_AMZN_TRACE_ID`), in the form of the AWS X-Ray
 * Developer Guide, "Tracing header": `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`.
 * The trace is the request's when its header names one, a new one otherwise; the parent is the
 * function's own segment, which the X-Ray SDK hangs the invocation's subsegments on (it refuses a
 * Lambda header without one). Every invocation is sampled locally.
 */
export const lambdaTraceHeader = (requestHeader: string | undefined, epochMs: number): string => {
  const root = TRACE_ROOT.exec(requestHeader ?? '')?.[1] ?? newTraceRoot(epochMs);
  return `Root=${root};Parent=${randomSlice(8).toString('hex')};Sampled=1`;
};

/**
 * Adds `value` under `key`, after a comma when the key came before. Own keys only: a query key or
 * header named `constructor` or `__proto__` is a name like any other.
 */
const appendValue = (values: Record<string, string>, key: string, value: string): void => {
  if (Object.hasOwn(values, key)) values[key] = `${values[key]},${value}`;
  // Assigning `__proto__` would set the prototype; every other name becomes an own property.
  else if (key === '__proto__') {
    Object.defineProperty(values, key, { value, writable: true, enumerable: true, configurable: true });
  } else values[key] = value;
};

/** Repeated keys are joined with commas (payload format 2.0 has no multiValue fields). */
export const parseQueryString = (raw: string): Record<string, string> | undefined => {
  if (raw.length === 0) return undefined;
  const params: Record<string, string> = {};
  for (const pair of raw.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    appendValue(params, key, value);
  }
  return Object.keys(params).length > 0 ? params : undefined;
};

// Content types API Gateway passes as text; any other body arrives base64-encoded with
// `isBase64Encoded: true`. An HTTP API "infers the need for encoding based on the content-type
// header" (AWS Compute Blog, "Handling binary data using Amazon API Gateway HTTP APIs"), without
// publishing the list. This one is what ministack's maintainers found on a real HTTP API
// (ministackorg/ministack#766): text only for text/*, application/json, application/xml and
// application/javascript; everything else, a form body and a body without a type among them, is
// base64-encoded. Structured types such as application/problem+json are not on that list.
const TEXT_TYPES = /^(text\/|application\/(json|javascript|xml)\b)/i;

const isTextContentType = (contentType: string | undefined): boolean =>
  contentType !== undefined && TEXT_TYPES.test(contentType.trim());

/**
 * The path as an HTTP API hands it to the function: percent-decoded, in `rawPath` and
 * `requestContext.http.path` despite the name, while the query string stays as sent. No AWS
 * document says so; others found it on real APIs: the maintainers of AWS's own .NET Lambda test
 * tool ("The path and path parameters should be decoded", aws/aws-lambda-dotnet#1901), a request
 * for /RSC/%40id%2Fassets arriving as /RSC/@id/assets (honojs/hono#2156), and every escape decoded
 * but %25 (as ministack's emulation of HTTP APIs has it). Here each stretch between two
 * %25 is decoded on its own, and one that is not valid percent-encoding goes on as it came.
 */
const decodePath = (path: string): string =>
  path.includes('%') ? path.split('%25').map(decode).join('%25') : path;

export const toEvent = (
  request: IncomingRequest,
  route: MatchedRoute,
  requestId: string,
  epochMs: number,
): APIGatewayProxyEventV2 => {
  const queryIndex = request.url.indexOf('?');
  const rawPath = decodePath(queryIndex === -1 ? request.url : request.url.slice(0, queryIndex));
  const rawQueryString = queryIndex === -1 ? '' : request.url.slice(queryIndex + 1);

  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = (request.rawHeaders[i] as string).toLowerCase();
    const value = request.rawHeaders[i + 1] as string;
    if (name === 'cookie') {
      for (const cookie of value.split(';')) if (cookie.trim()) cookies.push(cookie.trim());
      continue;
    }
    appendValue(headers, name, value);
  }
  // Headers API Gateway adds on the way in.
  headers['x-amzn-trace-id'] ??= `Root=${newTraceRoot(epochMs)}`;
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${request.sourceIp}`
    : request.sourceIp;
  headers['x-forwarded-port'] = String(request.localPort);
  headers['x-forwarded-proto'] = 'http';

  // The Host header's name without its port, as real events have it (API Gateway's own port, 443,
  // is never written in it).
  const domainName = (headers.host ?? '127.0.0.1').replace(/:\d*$/, '');
  const queryStringParameters = parseQueryString(rawQueryString);
  const hasBody = request.body.length > 0;
  // A "text" body that is not UTF-8 goes on as its bytes, base64-encoded, rather than decoded with
  // replacement characters: the function then sees what was sent (and refuses it), not an altered
  // message. How API Gateway treats such bytes is not documented.
  const isBase64Encoded = hasBody && (!isTextContentType(headers['content-type']) || !isUtf8(request.body));

  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(route.pathParameters ? { pathParameters: { ...route.pathParameters } } : {}),
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: API_ID,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: STAGE,
      time: formatRequestTime(epochMs),
      timeEpoch: epochMs,
    },
    ...(hasBody ? { body: request.body.toString(isBase64Encoded ? 'base64' : 'utf8') } : {}),
    isBase64Encoded,
  };
};
