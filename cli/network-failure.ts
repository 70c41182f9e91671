/**
 * Network failures of the CLI's HTTP client: whether a request could have reached the server,
 * whether another try can help, and what to tell the user, decided from the error codes Node and
 * undici give.
 */
import { ApiError, NetworkError, ResponseError, triedTimes } from './errors.ts';
import type { HttpProxy } from './proxy.ts';

export const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`;

/**
 * What a network failure says about its request, decided in one place (classifyFailure) for the
 * retry rule and for the note a failed POST gets.
 */
export interface FailureClass {
  /** Whether the request could have reached the server: if so, a POST may have been stored. */
  readonly mayHaveArrived: boolean;
  /** Whether trying again can help: not for an unknown host, TLS trouble or a broken answer. */
  readonly transient: boolean;
}

/** The connection was never made: nothing was sent, and another try may connect. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** Sent, maybe processed: the connection dropped or the answer did not come in time. */
const MAYBE_SENT = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ATTEMPT_TIMEOUT',
]);

/** The error code, looking through the wrappers Node and undici put around socket errors. */
export const codeOf = (error: unknown): string | undefined => {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  if (Array.isArray(errors) && errors.length > 0) return codeOf(errors[0]);
  return cause === undefined ? undefined : codeOf(cause);
};

/**
 * The proxy refused to pass the request on, as undici's ProxyAgent reports it: a CONNECT answered
 * with another status than 200 ("Proxy response (403) !== 200 when HTTP Tunneling"), or a 407 to
 * a plain request ("Proxy Authentication Required (407)"). Nothing reached the API.
 */
const PROXY_REFUSED = 'WHITEBOARD_PROXY_REFUSED';
const PROXY_REFUSALS = [
  /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$/,
  /^Proxy Authentication Required \((407)\)$/,
];

/** The proxy's status, when `error` is its refusal to pass the request on. */
const proxyRefusalStatus = (error: unknown): string | undefined => {
  if (!(error instanceof Error)) return undefined;
  for (const refusal of PROXY_REFUSALS) {
    const status = refusal.exec(error.message)?.[1];
    if (status !== undefined) return status;
  }
  return undefined;
};

/**
 * A proxy's 502, 503 or 504 to a CONNECT: it could not reach the API (a name it could not look up,
 * a host down), as a connection that could not be made. Nothing was sent; another try may pass.
 */
const PROXY_CANNOT_REACH = 'WHITEBOARD_PROXY_CANNOT_REACH';
const GATEWAY_STATUSES = new Set(['502', '503', '504']);

/** What a failure is, for classifyFailure and the message: its code, or what a proxy answered. */
export const failureCode = (error: unknown): string | undefined => {
  const status = proxyRefusalStatus(error);
  if (status === undefined) return codeOf(error);
  return GATEWAY_STATUSES.has(status) ? PROXY_CANNOT_REACH : PROXY_REFUSED;
};

/**
 * The bundle's HTTP parser (undici's llhttp, dist/cli/llhttp*.wasm, scripts/build.mjs), which it
 * needs where Node.js has no parser of its own to lend it (cli/node-http-parser.ts), could not be
 * read. The bundle's undici reads it once connected, before it sends the request (it compiles it
 * after): nothing was sent.
 */
const INCOMPLETE_BUILD = 'WHITEBOARD_INCOMPLETE_BUILD';
/**
 * The parser's bytes were read but do not compile (a damaged dist/cli): the bundle's undici finds
 * out once the request is sent, as it compiles them while the server answers.
 */
const BROKEN_BUILD = 'WHITEBOARD_BROKEN_BUILD';

/** Codes of a failed TLS handshake (Node's ERR_TLS_*, OpenSSL's ERR_SSL_*, certificate checks). */
const isTlsCode = (code: string): boolean =>
  /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(code);

/**
 * No request is sent before the connection and the TLS handshake succeed, so a failure of either
 * never arrived. An unknown host and TLS trouble stay so on another try. A failure we cannot place
 * (a broken HTTP answer, an unknown code) may have arrived and is not retried.
 */
export const classifyFailure = (code: string | undefined): FailureClass => {
  if (code === INCOMPLETE_BUILD || code === PROXY_REFUSED) return { mayHaveArrived: false, transient: false };
  if (code === BROKEN_BUILD) return { mayHaveArrived: true, transient: false };
  if (code !== undefined && (NOT_CONNECTED.has(code) || code === PROXY_CANNOT_REACH)) {
    return { mayHaveArrived: false, transient: true };
  }
  if (code !== undefined && (code === 'ENOTFOUND' || isTlsCode(code))) {
    return { mayHaveArrived: false, transient: false };
  }
  return { mayHaveArrived: true, transient: code !== undefined && MAYBE_SENT.has(code) };
};

/**
 * Whether a failed request may have reached the server, and so a POST may have been stored: not
 * for a network failure that never arrived (classifyFailure), nor for an answer that says the
 * request was refused (4xx). A 5xx, a dropped connection, a timeout, an answer that is not the
 * API's: maybe.
 */
export const mayHaveArrived = (error: unknown): boolean => {
  if (error instanceof ApiError) return error.status >= 500;
  if (error instanceof ResponseError) return true;
  if (!(error instanceof NetworkError)) return false;
  return classifyFailure(failureCode(error.cause)).mayHaveArrived;
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * undici's HTTPParserError: the answer was not HTTP/1.1. It has an `HPE_` code only for some
 * parser failures ("Response does not match the HTTP/1.1 protocol" has none), so its name counts.
 */
const isParserError = (error: unknown): boolean => {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const { code } = current as { code?: unknown };
    if (current.name === 'HTTPParserError' || (typeof code === 'string' && code.startsWith('HPE_'))) {
      return true;
    }
    current = current.cause;
  }
  return false;
};

/** What describeNetworkFailure names: the API's URL, the timeout, and a hint for a refused connection. */
export interface FailureContext {
  readonly baseUrl: string;
  readonly hostname: string;
  readonly timeoutMs: number;
  readonly unreachableHint?: string | undefined;
  /**
   * Added where the API's host is not found or refuses the connection, what a server that is gone
   * gives (not a DNS lookup that failed for now, or a timeout, which an API that is there gives
   * too): where a URL the user did not type came from.
   */
  readonly goneHint?: string | undefined;
  /** The proxy the request went through (cli/proxy.ts), if any. */
  readonly proxy?: Pick<HttpProxy, 'origin' | 'variable'> | undefined;
  /** --verbose lines: the library's own text, where the message gives a plainer one. */
  readonly log?: ((line: string) => void) | undefined;
}

/** The one-line message of a request that got no usable answer after `attempts` tries. */
export const describeNetworkFailure = (error: unknown, attempts: number, context: FailureContext): string => {
  const { proxy } = context;
  if (proxy === undefined) return describeDirect(error, attempts, context);
  const through = `the proxy ${proxy.origin} (${proxy.variable})`;
  const status = proxyRefusalStatus(error);
  if (status !== undefined) {
    if (GATEWAY_STATUSES.has(status)) {
      return `${through} could not reach ${context.baseUrl}: it answered ${status}${triedTimes(attempts)}`;
    }
    const credentials =
      status === '407'
        ? `; it asks for credentials: http://user:password@host:port in ${proxy.variable}`
        : '';
    return `${through} refused the request to ${context.baseUrl}: it answered ${status}${credentials}${triedTimes(attempts)}`;
  }
  // Through a proxy, a connection that could not be made is one to the proxy.
  const code = codeOf(error);
  if (code !== undefined && (NOT_CONNECTED.has(code) || code === 'ENOTFOUND')) {
    const proxyUrl = new URL(proxy.origin);
    return describeDirect(error, attempts, {
      ...context,
      baseUrl: through,
      hostname: proxyUrl.hostname,
      unreachableHint: undefined,
      goneHint: undefined,
    });
  }
  return `${describeDirect(error, attempts, context)} (through ${through})`;
};

const describeDirect = (
  error: unknown,
  attempts: number,
  { baseUrl, hostname, timeoutMs, unreachableHint, goneHint, log }: FailureContext,
): string => {
  const code = codeOf(error);
  const tried = triedTimes(attempts);
  const hint = unreachableHint === undefined ? '' : `; ${unreachableHint}`;
  const gone = goneHint === undefined ? '' : `; ${goneHint}`;
  switch (code) {
    case 'ECONNREFUSED':
      return `cannot reach ${baseUrl}: connection refused${hint}${gone}${tried}`;
    case 'ENOTFOUND':
      return `cannot reach ${baseUrl}: host ${hostname} not found${gone}${tried}`;
    case 'EAI_AGAIN':
      return `cannot reach ${baseUrl}: looking up ${hostname} failed (DNS)${tried}`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `cannot reach ${baseUrl}: no connection within ${seconds(timeoutMs)} (--timeout)${hint}${tried}`;
    case 'UND_ERR_HEADERS_TIMEOUT':
      return `${baseUrl} did not answer within ${seconds(timeoutMs)} (--timeout)${tried}`;
    case 'UND_ERR_BODY_TIMEOUT':
      // It had begun: its body stalled for that long.
      return `${baseUrl} stopped answering for ${seconds(timeoutMs)} (--timeout)${tried}`;
    case 'ATTEMPT_TIMEOUT': {
      // The attempt's own deadline (http-client.ts): connecting and answering, each up to the
      // timeout. It can also end an attempt that has no answer at all, before undici's headers
      // timeout, whose timer is coarse, sees a short --timeout.
      const begun = (error as { answerBegun?: boolean }).answerBegun === true;
      return `${baseUrl} did not ${begun ? 'finish answering' : 'answer'} within ${seconds(2 * timeoutMs)} (twice --timeout)${tried}`;
    }
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return `${baseUrl} closed the connection before answering${tried}`;
    case INCOMPLETE_BUILD:
    case BROKEN_BUILD:
      return messageOf(error);
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      // OpenSSL's text ("ssl3_get_record:wrong version number:../deps/openssl/...") means
      // little to most; the usual cause is an https:// URL for a plain HTTP server.
      log?.(`TLS failed: ${messageOf(error)}`);
      return `cannot reach ${baseUrl}: the server does not speak TLS; is it an http:// URL?${tried}`;
    default: {
      const message = messageOf(error);
      if (code !== undefined && isTlsCode(code)) {
        return `cannot reach ${baseUrl}: TLS: ${message}`;
      }
      if (isParserError(error)) {
        // undici's "Response does not match the HTTP/1.1 protocol": something else answered.
        log?.(`HTTP parser: ${message}`);
        return `${baseUrl} answered with something that is not HTTP; not an HTTP server?${tried}`;
      }
      if (code !== undefined && NOT_CONNECTED.has(code))
        return `cannot reach ${baseUrl}: ${message}${hint}${tried}`;
      return `request to ${baseUrl} failed: ${message}${tried}`;
    }
  }
};
