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
 * - a request line and header values over the HTTP API quota of 10240 bytes: 431 (below).
 * Every response carries `apigw-requestid`, as HTTP API responses do.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { CorsSettings, FunctionId, RouteDefinition } from '../http/routes.ts';
import { corsResponseHeaders, isPreflight, preflightHeaders } from './cors.ts';
import { lambdaTraceHeader, newRequestId, toEvent } from './event.ts';
import type { FunctionEnvironments, InvocationOutcome } from './execution-environments.ts';
import type { LogPrinter } from './log-printer.ts';
import {
  gatewayError,
  type HttpResponse,
  INTERNAL_SERVER_ERROR,
  overLambdaPayloadLimit,
  toHttpResponse,
} from './result.ts';
import { createRouteMatcher } from './route-matcher.ts';

export const HTTP_API_PAYLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

export interface GatewayOptions {
  readonly routes: readonly RouteDefinition[];
  readonly environments: Readonly<Record<FunctionId, FunctionEnvironments>>;
  readonly cors: CorsSettings;
  readonly printer: LogPrinter;
}

class BodyTooLargeError extends Error {}

/** The client went away before its body arrived: there is no one to answer. */
class ClientGoneError extends Error {}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > HTTP_API_PAYLOAD_LIMIT_BYTES) {
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > HTTP_API_PAYLOAD_LIMIT_BYTES) {
        // The rest is read and dropped, not refused: a socket closed on unread data is reset, and
        // the client would see that instead of the 413 (the response closes the connection).
        req.off('data', onData);
        req.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    // Node ends a request whose connection closed before its body was complete with an error
    // ("aborted"): the client is gone, which is no failure of the gateway.
    req.on('error', () => reject(new ClientGoneError()));
  });

/**
 * HTTP API's quota "Total combined size of request line and header values: 10240 bytes" (API
 * Gateway Developer Guide, "Quotas for configuring and running an HTTP API in API Gateway"). The
 * guide does not say how API Gateway answers a request over it; the emulator answers 431, so that
 * what AWS would refuse is not accepted here.
 */
export const HTTP_API_HEADER_LIMIT_BYTES = 10_240;

const requestLineAndHeaderValuesBytes = (req: IncomingMessage): number => {
  // Node reads header bytes as latin1: one character is one byte.
  let bytes = (req.method ?? '').length + (req.url ?? '').length + 11; // 2 spaces, "HTTP/1.1"
  for (let i = 1; i < req.rawHeaders.length; i += 2) bytes += (req.rawHeaders[i] as string).length;
  return bytes;
};

/**
 * Node answers a request it cannot parse (a malformed request line, headers beyond its own 16 KiB
 * limit) with a bare status line. The gateway answers it as it answers everything else: JSON.
 */
const answerClientError = (error: NodeJS.ErrnoException, socket: Duplex): void => {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason] =
    error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
  const body = JSON.stringify({ message: reason });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
};

/**
 * The path and query of a request target. A client may send the absolute form
 * (`GET http://host/messages HTTP/1.1`), which a server must accept (RFC 9112, section 3.2.2);
 * Node passes it on as it came.
 */
const originForm = (target: string): string => {
  if (!/^https?:\/\//i.test(target)) return target;
  try {
    const parsed = new URL(target);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return target;
  }
};

const describeOutcome = (outcome: InvocationOutcome): string => {
  switch (outcome.kind) {
    case 'error':
      return `the function failed: ${outcome.errorType}: ${outcome.errorMessage}`;
    case 'timeout':
      return outcome.phase === 'init'
        ? `the function's init did not finish in ${outcome.timeoutSeconds} s and its environment was stopped`
        : `the function timed out after ${outcome.timeoutSeconds} s and its environment was stopped`;
    case 'crash':
      return `the function's environment stopped: ${outcome.reason}`;
    default:
      return 'ok';
  }
};

export const createGatewayServer = ({ routes, environments, cors, printer }: GatewayOptions): Server => {
  const match = createRouteMatcher(routes);

  const send = (
    res: ServerResponse,
    response: HttpResponse,
    requestId: string,
    extra: Record<string, string>,
  ) => {
    res.writeHead(response.statusCode, {
      ...response.headers,
      ...extra,
      'apigw-requestid': requestId,
      'content-length': String(response.body.length),
    });
    res.end(response.body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const epochMs = Date.now();
    const requestId = newRequestId();
    const method = req.method ?? 'GET';
    const url = originForm(req.url ?? '/');
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const corsHeaders = corsResponseHeaders(cors, origin);
    const finish = (response: HttpResponse, extra: Record<string, string>, note = '') => {
      send(res, response, requestId, extra);
      const ms = (performance.now() - started).toFixed(1);
      printer.gateway(`${method} ${url} ${response.statusCode} ${ms} ms${note ? ` ${note}` : ''}`);
    };

    if (requestLineAndHeaderValuesBytes(req) > HTTP_API_HEADER_LIMIT_BYTES) {
      req.resume();
      res.setHeader('connection', 'close');
      finish(gatewayError(431, 'Request Header Fields Too Large'), corsHeaders, '(over the HTTP API quota)');
      return;
    }

    if (isPreflight(method, req.headers)) {
      req.resume();
      const acrh = req.headers['access-control-request-headers'];
      finish(
        { statusCode: 204, headers: {}, body: Buffer.alloc(0) },
        preflightHeaders(
          cors,
          origin,
          String(req.headers['access-control-request-method']),
          typeof acrh === 'string' ? acrh : undefined,
        ),
        '(CORS preflight)',
      );
      return;
    }

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        res.setHeader('connection', 'close');
        finish(gatewayError(413, 'Request Entity Too Large'), corsHeaders);
        return;
      }
      if (error instanceof ClientGoneError) {
        res.destroy();
        printer.gateway(`${method} ${url} (the client closed the connection before its body ended)`);
        return;
      }
      throw error;
    }

    const path = url.split('?', 1)[0] as string;
    const route = match(method, path);
    if (!route) {
      finish(gatewayError(404, 'Not Found'), corsHeaders);
      return;
    }

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
    if (overLambdaPayloadLimit(eventJson)) {
      finish(gatewayError(413, 'Request Entity Too Large'), corsHeaders, '(over the Lambda payload limit)');
      return;
    }

    const traceHeader = lambdaTraceHeader(event.headers['x-amzn-trace-id'], epochMs);
    const outcome = await environments[route.route.function].invoke(eventJson, traceHeader);
    if (outcome.kind !== 'result') {
      finish(INTERNAL_SERVER_ERROR(), corsHeaders, `(${describeOutcome(outcome)})`);
      return;
    }
    if (overLambdaPayloadLimit(outcome.payload)) {
      finish(INTERNAL_SERVER_ERROR(), corsHeaders, '(the function result is over the Lambda payload limit)');
      return;
    }
    const mapped = toHttpResponse(JSON.parse(outcome.payload));
    if (!mapped.ok) {
      finish(INTERNAL_SERVER_ERROR(), corsHeaders, `(invalid function result: ${mapped.reason})`);
      return;
    }
    finish(mapped.response, corsHeaders);
  };

  // Idle keep-alive connections stay open for 65 s rather than Node's 5 s: a client that reuses a
  // connection just as the server closes it sees the request fail (ECONNRESET), so the server
  // should be the last to give up on one. Clients keep idle connections for less (undici 4 s).
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      printer.gateway(`internal error of the local gateway: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) send(res, INTERNAL_SERVER_ERROR(), 'none', {});
      else res.destroy();
    });
  });
  server.on('clientError', answerClientError);
  return server;
};
