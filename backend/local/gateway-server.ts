/**
 * The local API Gateway: a node:http server that answers as an HTTP API does. It turns each
 * request into a payload format 2.0 event (event.ts), invokes the function of the matched route in
 * a Lambda-like execution environment (execution-environments.ts) and maps the result back
 * (result.ts). Where API Gateway answers by itself, so does this:
 * - no matching route: 404 `{"message":"Not Found"}`;
 * - CORS preflight: 204 (cors.ts);
 * - a function that throws, times out, crashes or returns an unusable result: 500
 *   `{"message":"Internal Server Error"}` (AWS docs, "Troubleshooting issues with HTTP API Lambda
 *   integrations");
 * - a request body over the HTTP API payload quota (10 MB, "Amazon API Gateway quotas"): 413;
 * - an event over Lambda's 6 MB invocation payload quota ("Lambda quotas"; a body of 10 MB or less
 *   can make one, above all a binary one, which the event carries in base64): 413 as well. AWS does
 *   not document what an HTTP API answers when Lambda refuses the invocation as too large; 413 says
 *   what went wrong, and the function never runs either way;
 * - a request line and header values over the HTTP API quota of 10240 bytes: 431
 *   (request-quotas.ts);
 * - an `Expect` other than 100-continue: 417, Node's answer (what AWS answers is not documented);
 * - a transfer coding other than chunked: 501 (RFC 9112, section 6.1; AWS documents none);
 * - in the local stack, a `Host` that is not a name of this machine: 403 (allowed-hosts.ts).
 * Every response carries `apigw-requestid`, as HTTP API responses do.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { CorsSettings, FunctionId, RouteDefinition } from '../http/routes.ts';
import { answerOnSocket, connectionOrder, LINGER_MS } from './connection-order.ts';
import { corsResponseHeaders, isPreflight, preflight, withGatewayCors } from './cors.ts';
import { lambdaTraceHeader, newRequestId, toEvent } from './event.ts';
import type { FunctionEnvironments, InvocationOutcome } from './execution-environments.ts';
import type { LogPrinter } from './log-printer.ts';
import {
  BodyCutShortError,
  BodyTooLargeError,
  HTTP_API_HEADER_LIMIT_BYTES,
  readBody,
  requestLineAndHeaderValuesBytes,
} from './request-quotas.ts';
import {
  gatewayError,
  type HttpResponse,
  internalServerError,
  overLambdaPayloadLimit,
  toHttpResponse,
} from './result.ts';
import { createRouteMatcher, type RouteMatch } from './route-matcher.ts';

export interface GatewayOptions {
  readonly routes: readonly RouteDefinition[];
  /** Only what the gateway calls, so that a test or a fuzzer can stand in for the functions. */
  readonly environments: Readonly<Record<FunctionId, Pick<FunctionEnvironments, 'invoke'>>>;
  readonly cors: CorsSettings;
  readonly printer: Pick<LogPrinter, 'request' | 'gateway'>;
  /**
   * Whether a request's `Host` is one the gateway answers (allowed-hosts.ts); others get 403.
   * Without it, any.
   */
  readonly allowsHost?: ((host: string) => boolean) | undefined;
}

/**
 * The largest request line and headers the server parses (Node's default is 16 KiB). Up to it,
 * a request over the HTTP API quota gets the gateway's own 431, with the CORS headers a browser
 * page needs to read it; beyond it, Node's parser refuses it first (connection-order.ts).
 */
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * A request target in the absolute form (`GET http://host/messages HTTP/1.1`), which a server must
 * accept (RFC 9112, section 3.2.2) and Node passes on as it came, as a URL; undefined for any other.
 */
const absoluteTarget = (target: string): URL | undefined => {
  if (!/^https?:\/\//i.test(target)) return undefined;
  try {
    return new URL(target);
  } catch {
    return undefined;
  }
};

/** The path and query of a request target, whichever its form. */
const originForm = (target: string): string => {
  const absolute = absoluteTarget(target);
  return absolute === undefined ? target : `${absolute.pathname}${absolute.search}`;
};

/**
 * `Host = uri-host [ ":" port ]` (RFC 9110, section 7.2), uri-host an IP-literal in brackets, or an
 * IPv4 address or reg-name of unreserved characters, percent-encodings and sub-delims (RFC 3986,
 * section 3.2.2); port digits (section 3.2.3).
 */
const HOST_VALUE = /^(?:\[[0-9A-Za-z:.%_~-]+\]|[0-9A-Za-z._~%!$&'()*+,;=-]+)(?::\d*)?$/;

/**
 * What is wrong with the request's version or authority, if anything. Node's parser takes a request
 * line without a version (HTTP/0.9) and any HTTP/1.x or 2.x version; the API speaks HTTP/1.0 and
 * 1.1 here. "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request
 * message that lacks a Host header field and to any request message that contains more than one
 * Host header field line or a Host header field with an invalid field value" (RFC 9112, section
 * 3.2). An empty one is invalid for an http URI, which has an authority (RFC 9110, section 4.2.1).
 */
const versionOrHostProblem = (req: IncomingMessage): string | undefined => {
  if (req.httpVersionMajor !== 1) return `HTTP/${req.httpVersion}`;
  let lines = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if ((req.rawHeaders[i] as string).toLowerCase() === 'host') lines++;
  }
  if (lines > 1) return 'more than one Host header';
  const host = req.headers.host;
  if (host === undefined) return req.httpVersionMinor >= 1 ? 'no Host header' : undefined;
  if (host.trim() === '') return 'an empty Host header';
  return HOST_VALUE.test(host) ? undefined : 'a Host header that is not host[:port]';
};

/** A transfer coding of the request other than chunked, the one Node's parser undoes. */
const otherTransferCoding = (req: IncomingMessage): string | undefined =>
  req.headers['transfer-encoding']
    ?.split(',')
    .map((coding) => coding.trim().toLowerCase())
    // Empty list elements do not count (RFC 9110, section 5.6.1).
    .find((coding) => coding !== '' && coding !== 'chunked');

/**
 * The host the request is for: "When an origin server receives a request with an absolute-form of
 * request-target, the origin server MUST ignore the received Host header field (if any) and instead
 * use the host information of the request-target" (RFC 9112, section 3.2.2); else its Host.
 */
const requestedHost = (req: IncomingMessage): string | undefined =>
  absoluteTarget(req.url ?? '/')?.host ?? req.headers.host;

const describeOutcome = (outcome: InvocationOutcome): string => {
  switch (outcome.kind) {
    case 'error':
      return `the function failed: ${outcome.errorType}: ${outcome.errorMessage}`;
    case 'timeout':
      return outcome.phase === 'init'
        ? `the function's init did not finish in ${outcome.timeoutSeconds} s (Lambda's init limit and the function's timeout) and its environment was stopped`
        : `the function timed out after ${outcome.timeoutSeconds} s and its environment was stopped`;
    case 'crash':
      return `the function's environment stopped: ${outcome.reason}`;
    default:
      return 'ok';
  }
};

/**
 * How the gateway answered one request: what the terminal prints as the gateway's line, and what a
 * later view of the local stack's invocations can show (a record, not a formatted line).
 */
export interface GatewayRecord {
  readonly requestId: string;
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly durationMs: number;
  /** The function of the matched route, when one was invoked. */
  readonly functionId?: FunctionId;
  /** Why the gateway answered as it did, when it was not the function's own answer. */
  readonly note?: string;
}

/** What a stage of the gateway answers with: the response, its extra headers, and why. */
interface Answer {
  readonly response: HttpResponse;
  readonly headers: Record<string, string>;
  readonly note?: string;
  readonly functionId?: FunctionId;
}

/** What the stages know of a request from its first line and headers. */
interface Incoming {
  readonly req: IncomingMessage;
  readonly requestId: string;
  readonly epochMs: number;
  readonly method: string;
  readonly url: string;
  readonly origin: string | undefined;
  readonly corsHeaders: Record<string, string>;
}

export const createGatewayServer = ({
  routes,
  environments,
  cors,
  printer,
  allowsHost,
}: GatewayOptions): Server => {
  const match = createRouteMatcher(routes);

  const send = (
    res: ServerResponse,
    response: HttpResponse,
    requestId: string,
    corsHeaders: Record<string, string>,
  ) => {
    // A 204 has no body, and so no content-length (RFC 9110, 8.6); Node drops the body itself.
    const noContent = response.statusCode === 204;
    res.writeHead(response.statusCode, {
      ...withGatewayCors(response.headers, corsHeaders),
      'apigw-requestid': requestId,
      ...(noContent ? {} : { 'content-length': String(response.body.length) }),
    });
    res.end(noContent ? undefined : response.body);
  };

  /** What API Gateway answers before it reads the body: the size quota, a CORS preflight. */
  const beforeBody = ({ req, method, origin, corsHeaders }: Incoming): Answer | undefined => {
    // Node answers a missing Host with a bare status line (its `requireHostHeader`, off below): the
    // gateway's answer is JSON with a request id, as every other.
    const badRequest = versionOrHostProblem(req);
    if (badRequest !== undefined) {
      return { response: gatewayError(400, 'Bad Request'), headers: corsHeaders, note: badRequest };
    }
    const host = requestedHost(req);
    if (host !== undefined && allowsHost !== undefined && !allowsHost(host)) {
      return {
        response: gatewayError(403, 'Forbidden'),
        headers: corsHeaders,
        note: `Host ${host.slice(0, 100)} is not a name of this machine (npm start -- --allow-host <name> answers it)`,
      };
    }
    if (requestLineAndHeaderValuesBytes(req) > HTTP_API_HEADER_LIMIT_BYTES) {
      return {
        response: gatewayError(431, 'Request Header Fields Too Large'),
        headers: corsHeaders,
        note: 'over the HTTP API quota',
      };
    }
    // Node's parser takes `Transfer-Encoding: gzip, chunked`, undoes the chunking and passes the
    // gzip bytes on as the body, which the function would then call invalid UTF-8. "A server that
    // receives a request message with a transfer coding it does not understand SHOULD respond
    // with 501 (Not Implemented)" (RFC 9112, section 6.1).
    const coding = otherTransferCoding(req);
    if (coding !== undefined) {
      return {
        response: gatewayError(501, 'Not Implemented'),
        headers: corsHeaders,
        note: `Transfer-Encoding ${coding.slice(0, 100)}`,
      };
    }
    if (isPreflight(method, req.headers)) {
      const acrh = req.headers['access-control-request-headers'];
      const { headers, refusal } = preflight(
        cors,
        origin,
        String(req.headers['access-control-request-method']),
        typeof acrh === 'string' ? acrh : undefined,
      );
      return {
        response: { statusCode: 204, headers: {}, body: Buffer.alloc(0) },
        headers,
        note: refusal === undefined ? 'CORS preflight' : `CORS preflight refused: ${refusal}`,
      };
    }
    return undefined;
  };

  /** Invokes the route's function with the request as a payload 2.0 event, and maps its result. */
  const invoke = async (incoming: Incoming, route: RouteMatch, body: Buffer): Promise<Answer> => {
    const { req, requestId, epochMs, method, url, corsHeaders } = incoming;
    const functionId = route.route.function;
    const failed = (note: string): Answer => ({
      response: internalServerError(),
      headers: corsHeaders,
      note,
      functionId,
    });
    const event = toEvent(
      {
        method,
        url,
        httpVersion: req.httpVersion,
        rawHeaders: req.rawHeaders,
        sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        body,
        localPort: req.socket.localPort ?? 0,
      },
      route,
      requestId,
      epochMs,
    );
    const eventJson = JSON.stringify(event);
    // Lambda refuses it before the function runs (the gateway's header above says why 413).
    if (overLambdaPayloadLimit(eventJson)) {
      return {
        response: gatewayError(413, 'Request Entity Too Large'),
        headers: corsHeaders,
        note: 'over the Lambda payload limit',
        functionId,
      };
    }
    const traceHeader = lambdaTraceHeader(event.headers['x-amzn-trace-id'], epochMs);
    const outcome = await environments[functionId].invoke(eventJson, traceHeader);
    if (outcome.kind !== 'result') return failed(describeOutcome(outcome));
    if (overLambdaPayloadLimit(outcome.payload)) {
      return failed('the function result is over the Lambda payload limit');
    }
    const mapped = toHttpResponse(JSON.parse(outcome.payload));
    if (!mapped.ok) return failed(`invalid function result: ${mapped.reason}`);
    return { response: mapped.response, headers: corsHeaders, functionId };
  };

  /**
   * The gateway's stages, in API Gateway's order: what it answers before the body, the body's size,
   * the route, then the function. (An authorizer would run between the route and the function.)
   */
  const answer = async (incoming: Incoming): Promise<Answer | BodyCutShortError> => {
    const { req, method, url, corsHeaders } = incoming;
    const early = beforeBody(incoming);
    if (early) {
      req.resume();
      return early;
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return {
          response: gatewayError(413, 'Request Entity Too Large'),
          headers: corsHeaders,
          note: 'over the HTTP API payload quota',
        };
      }
      if (error instanceof BodyCutShortError) return error;
      throw error;
    }
    const route = match(method, url.split('?', 1)[0] as string);
    if (!route) return { response: gatewayError(404, 'Not Found'), headers: corsHeaders, note: 'no route' };
    return invoke(incoming, route, body);
  };

  const originOf = (req: IncomingMessage) =>
    typeof req.headers.origin === 'string' ? req.headers.origin : undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const origin = originOf(req);
    const incoming: Incoming = {
      req,
      requestId,
      epochMs: Date.now(),
      method,
      url: originForm(req.url ?? '/'),
      origin,
      corsHeaders: corsResponseHeaders(cors, origin),
    };
    const answered = await answer(incoming);
    if (answered instanceof BodyCutShortError) {
      res.destroy();
      printer.gateway(`${method} ${incoming.url} (${answered.message})`);
      return;
    }
    send(res, answered.response, incoming.requestId, answered.headers);
    // Answered before its body was read: the rest is dropped as it comes (readBody, `answer`), and
    // the connection stays open for it, to be used again once the body has ended. Closing it on
    // unread data would reset it, which can wipe the answer from the client's side before it reads
    // it: servers read on for a while first (RFC 9112, section 9.6), as this does for LINGER_MS.
    if (!req.complete) {
      const lingering = setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
      req.once('close', () => clearTimeout(lingering));
    }
    printer.request({
      requestId: incoming.requestId,
      method,
      url: incoming.url,
      status: answered.response.statusCode,
      durationMs: performance.now() - started,
      ...(answered.functionId === undefined ? {} : { functionId: answered.functionId }),
      ...(answered.note === undefined ? {} : { note: answered.note }),
    });
  };

  const connections = connectionOrder({
    printer,
    label: (req) => `${req.method ?? 'GET'} ${originForm(req.url ?? '/')}`,
  });
  // Idle keep-alive connections stay open for 65 s rather than Node's 5 s: a client that reuses a
  // connection just as the server closes it sees the request fail (ECONNRESET), so the server
  // should be the last to give up on one. Clients keep idle connections for less (undici 4 s).
  const server = createServer(
    { keepAliveTimeout: 65_000, maxHeaderSize: MAX_HEADER_BYTES, requireHostHeader: false },
    (req, res) => {
      const requestId = newRequestId();
      connections.take(req, res, () =>
        handle(req, res, requestId).catch((error: unknown) => {
          printer.gateway(`internal error of the local gateway: ${(error as Error).stack ?? String(error)}`);
          // With the CORS headers of every other answer, so that a browser page sees the 500.
          if (!res.headersSent)
            send(res, internalServerError(), requestId, corsResponseHeaders(cors, originOf(req)));
          else res.destroy();
        }),
      );
    },
  );
  // Every header line reaches the quota check and the event: by default Node keeps the first 2000
  // names and values (`maxHeadersCount`), about 1000 lines, and drops the rest without a word, a
  // Content-Type among them. MAX_HEADER_BYTES bounds them all the same.
  server.maxHeadersCount = 0;
  // A client may end its side of the connection once its request is sent (`nc -N`, some HTTP/1.0
  // tools). Node's server then ends the connection without the answer, by default; "a TCP
  // connection that is half-closed by the client does not delimit a request message, nor does it
  // imply that the client is no longer interested in a response" (RFC 9112, section 9.6). The
  // answer goes out, then the connection ends. (A server property since Node's first releases, read
  // in lib/_http_server.js, though not in its documentation; the gateway's tests check it holds.)
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  // An Expect header other than 100-continue: Node answers a bare 417, which a server may (RFC
  // 9110, section 10.1.1). The gateway's own, as every other answer: JSON, request id, CORS.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const requestId = newRequestId();
    send(res, gatewayError(417, 'Expectation Failed'), requestId, corsResponseHeaders(cors, originOf(req)));
    printer.request({
      requestId,
      method: req.method ?? 'GET',
      url: originForm(req.url ?? '/'),
      status: 417,
      durationMs: 0,
      note: `Expect: ${String(req.headers.expect)}`,
    });
  });
  // CONNECT has no route, as any other method without one; Node would drop the connection unanswered.
  // Node hands the socket over paused and without its own error listener: what the client still
  // sends is dropped, so that its end is seen, and a reset must not take the server down.
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    socket.resume();
    // Closed by answerOnSocket in the end: out of the server's reach once handed over
    // (closeAllConnections does not see it).
    answerOnSocket(socket, 404, 'Not Found');
    printer.gateway(`CONNECT ${req.url ?? ''}: 404 Not Found (no route)`);
  });
  server.on('clientError', connections.clientError);
  return server;
};
