/**
 * The CLI's one HTTP client (undici): timeouts, keep-alive, retries with backoff and jitter, an
 * Idempotency-Key on every POST, and every response body read or destroyed so no socket leaks.
 */
import type { Dispatcher } from 'undici';
import { ApiError, NetworkError, ResponseError } from './errors.ts';
import {
  classifyFailure,
  codeOf,
  describeNetworkFailure,
  type FailureClass,
  failureCode,
  seconds,
} from './network-failure.ts';
import type { HttpProxy } from './proxy.ts';
import { loadProxyUndici, loadUndici, type UndiciParts } from './undici-parts.ts';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface HttpClientOptions {
  /** Base URL without trailing slash; request paths are appended to it. */
  readonly baseUrl: string;
  /** Connect timeout, and separately the time allowed for a response. */
  readonly timeoutMs: number;
  /** Retries after the first attempt, for failures that allow one (see `shouldRetry`). */
  readonly retries: number;
  readonly userAgent: string;
  /** Tests pass a MockAgent; otherwise a keep-alive Agent is made on first use and closed by `close()`. */
  readonly dispatcher?: Dispatcher | undefined;
  /** The HTTP proxy to go through (cli/proxy.ts); without it, the API is reached directly. */
  readonly proxy?: HttpProxy | undefined;
  readonly sleep: Sleep;
  readonly random: () => number;
  readonly now: () => number;
  readonly newIdempotencyKey: () => string;
  /** Ctrl-C: aborts the request in flight and any wait. */
  readonly signal?: AbortSignal | undefined;
  /** --verbose lines. */
  readonly log?: ((line: string) => void) | undefined;
  /** Lines shown even without --verbose: a long wait should not look like a hang. */
  readonly note?: ((line: string) => void) | undefined;
  /** Added to "cannot reach" messages, e.g. "is the local stack running? (npm start)". */
  readonly unreachableHint?: string | undefined;
  /** Added where the API's host is not found or refuses: `FailureContext.goneHint`. */
  readonly goneHint?: string | undefined;
  /** Carried by an error answer, for when it is not the API's: `ResolvedUrl.wrongApiHint`. */
  readonly wrongApiHint?: string | undefined;
  readonly maxResponseBytes?: number | undefined;
}

export interface HttpClient {
  get(path: string, query?: Readonly<Record<string, string | number | undefined>>): Promise<unknown>;
  post(path: string, body: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * A page holds at most 100 messages of at most 2000 characters (4 UTF-8 bytes each at worst), about
 * 1 MB; anything far beyond that is not the whiteboard API and is not worth buffering.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 8000;
const RETRY_AFTER_MAX_MS = 30_000;
/** Waits longer than this before a retry are announced on stderr (see `note`). */
const QUIET_WAIT_MAX_MS = 2000;

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so clients that
 * failed together spread out, yet no retry comes immediately.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export const backoffDelay = (retry: number, random: () => number): number => {
  const step = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (retry - 1));
  return Math.round(step / 2 + (random() * step) / 2);
};

/** Statuses worth another try: throttled, or the server (or API Gateway, or Lambda) failed. */
const retryableStatus = (status: number): boolean => status === 429 || status >= 500;

/**
 * Reads retry on any transient failure. A POST is retried only when no request could have
 * reached the function: the API does not honour Idempotency-Key yet, so a retry after a dropped
 * connection or a 5xx could store the message twice. A 429 is such a case: API Gateway answers it
 * when it throttles the request, which is then not sent to the integration ("Throttling requests
 * to your HTTP API", API Gateway Developer Guide: the client "can resubmit the failed requests").
 * The key is
 * sent anyway, the same on every attempt, so once the API honours it this rule can widen to match
 * reads.
 */
const shouldRetry = (method: 'GET' | 'POST', outcome: Outcome): boolean => {
  if (outcome.type === 'response') {
    return method === 'GET' ? retryableStatus(outcome.status) : outcome.status === 429;
  }
  if (!outcome.failure.transient) return false;
  return method === 'GET' || !outcome.failure.mayHaveArrived;
};

type Outcome =
  | {
      readonly type: 'response';
      readonly status: number;
      readonly text: string;
      /** As the server asked, not yet capped at RETRY_AFTER_MAX_MS. */
      readonly retryAfterMs?: number;
      /** A redirect's target. */
      readonly location?: string;
    }
  | { readonly type: 'failure'; readonly failure: FailureClass; readonly error: unknown };

/** Our own per-attempt deadline, for what undici's timeouts cannot see (a body trickling in slowly). */
class AttemptTimeoutError extends Error {
  readonly code = 'ATTEMPT_TIMEOUT';
  /** Whether the answer had begun (its status and headers had come) when time ran out. */
  answerBegun = false;
  constructor() {
    super('attempt timed out');
    this.name = 'AttemptTimeoutError';
  }
}

/** The first value of a response header that may come more than once. */
const headerValue = (value: string | string[] | undefined): string | undefined =>
  (Array.isArray(value) ? value[0] : value)?.trim();

/**
 * `Retry-After`: a number of seconds or an HTTP date (RFC 9110, section 10.2.3), as milliseconds
 * from `nowMs`. A date in the past asks for no wait; anything else is not a request to wait.
 */
const parseRetryAfter = (value: string | string[] | undefined, nowMs: number): number | undefined => {
  const raw = headerValue(value);
  if (raw === undefined || raw === '') return undefined;
  // Any number of digits: the wait is capped later, and more digits ask for longer, not for none.
  if (/^\d+$/.test(raw)) return Math.min(Number(raw), 86_400) * 1000;
  const date = /[a-z]/i.test(raw) ? Date.parse(raw) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
};

const readCapped = async (
  response: Dispatcher.ResponseData,
  limit: number,
  url: string,
  wrongApiHint: string,
): Promise<string> => {
  const { body } = response;
  const tooBig = () =>
    new ResponseError(`the answer from ${url} is larger than ${limit} bytes; ${wrongApiHint}`);
  const declared = Number(response.headers['content-length']);
  const chunks: Buffer[] = [];
  let size = 0;
  if (Number.isFinite(declared) && declared > limit) {
    body.destroy();
    throw tooBig();
  }
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      // Destroying (rather than draining) closes the connection: cheaper than reading megabytes.
      body.destroy();
      throw tooBig();
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size).toString('utf8');
};

/**
 * The reason phrases of RFC 9110 (section 15) for the statuses an answer that is not the API's may
 * carry (a proxy's page, another server), with 429 and 431 of RFC 6585: what the CLI says when the
 * body does not. A status none of them names is described by its class.
 */
const STATUS_TEXT: Readonly<Record<number, string>> = {
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

/** RFC 9110's names of the status classes (section 15), for a status it gives no phrase. */
const STATUS_CLASS: Readonly<Record<number, string>> = {
  3: 'Redirection',
  4: 'Client Error',
  5: 'Server Error',
};

const statusText = (status: number): string =>
  STATUS_TEXT[status] ?? STATUS_CLASS[Math.floor(status / 100)] ?? 'Unexpected status';

/** The API's `{"message", "code"}` error body, or the status text when the body is something else. */
const apiErrorOf = (
  status: number,
  text: string,
  url: string,
  details: ConstructorParameters<typeof ApiError>[4],
): ApiError => {
  try {
    const body: unknown = JSON.parse(text);
    if (
      typeof body === 'object' &&
      body !== null &&
      typeof (body as { message?: unknown }).message === 'string'
    ) {
      const { message, code } = body as { message: string; code?: unknown };
      return new ApiError(status, message, typeof code === 'string' ? code : undefined, url, details);
    }
  } catch {
    // Not JSON: an HTML error page from a proxy, say. Say what the status means instead.
  }
  return new ApiError(status, statusText(status), undefined, url, {
    ...details,
    apiShaped: false,
  });
};

export const createHttpClient = (options: HttpClientOptions): HttpClient => {
  const {
    baseUrl,
    timeoutMs,
    retries,
    sleep,
    random,
    now,
    signal,
    log,
    note,
    maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
  } = options;
  const base = new URL(baseUrl);
  const wrongApiHint = options.wrongApiHint ?? 'is it the whiteboard API?';
  const { proxy } = options;
  let ownAgent: Dispatcher | undefined;

  const agentOptions = {
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    // --follow polls up to every 16 s: keep the connection for the next poll.
    keepAliveTimeout: 20_000,
    keepAliveMaxTimeout: 60_000,
    // Node's default. Given here, undici need not load node:http to ask (scripts/build.mjs).
    maxHeaderSize: 16 * 1024,
  };

  /** A test's MockAgent, or this client's own dispatcher, made by `make` on first use. */
  const dispatcherOf = (make: () => Dispatcher): Dispatcher => {
    if (options.dispatcher !== undefined) return options.dispatcher;
    ownAgent ??= make();
    return ownAgent;
  };

  /** undici's `request`, and the dispatcher it is called on: a test's MockAgent, an Agent or a ProxyAgent. */
  const undici = async (): Promise<{ request: UndiciParts['request']; dispatcher: Dispatcher }> => {
    if (proxy === undefined) {
      const { Agent, request } = await loadUndici();
      return { request, dispatcher: dispatcherOf(() => new Agent(agentOptions)) };
    }
    const { ProxyAgent, request } = await loadProxyUndici();
    const viaProxy = () =>
      new ProxyAgent({
        ...agentOptions,
        uri: proxy.uri,
        // The connection to the proxy, and the TLS handshake with the API through it.
        proxyTls: { timeout: timeoutMs },
        requestTls: { timeout: timeoutMs },
        // An http:// API is asked through the proxy as curl asks it, in a plain request; an
        // https:// one through a CONNECT tunnel, whatever this says.
        proxyTunnel: false,
      });
    return { request, dispatcher: dispatcherOf(viaProxy) };
  };

  const describeFailure = (error: unknown, attempts: number): string =>
    describeNetworkFailure(error, attempts, {
      baseUrl,
      hostname: base.hostname,
      timeoutMs,
      unreachableHint: options.unreachableHint,
      goneHint: options.goneHint,
      proxy,
      log,
    });

  /** One try of a request to `path`, which is `url` on the API's origin. */
  const attempt = async (
    method: 'GET' | 'POST',
    path: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<Outcome> => {
    const { request, dispatcher } = await undici();
    const deadline = new AbortController();
    // Connect, then answer: each may take up to the timeout.
    const timer = setTimeout(() => deadline.abort(new AttemptTimeoutError()), 2 * timeoutMs);
    const attemptSignal = signal === undefined ? deadline.signal : AbortSignal.any([signal, deadline.signal]);
    let answerBegun = false;
    try {
      const response = await request.call(dispatcher, {
        origin: base.origin,
        path,
        method,
        headers,
        body,
        signal: attemptSignal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      answerBegun = true;
      const text = await readCapped(response, maxResponseBytes, url, wrongApiHint);
      const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now());
      const location = headerValue(response.headers.location);
      return {
        type: 'response',
        status: response.statusCode,
        text,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        ...(location === undefined ? {} : { location }),
      };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof ResponseError) throw error;
      const failure = deadline.signal.aborted ? deadline.signal.reason : error;
      if (failure instanceof AttemptTimeoutError) failure.answerBegun = answerBegun;
      return { type: 'failure', failure: classifyFailure(failureCode(failure)), error: failure };
    } finally {
      clearTimeout(timer);
    }
  };

  const send = async (
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<unknown> => {
    const url = `${base.origin}${path}`;
    for (let attemptNo = 1; ; attemptNo++) {
      const started = now();
      const outcome = await attempt(method, path, url, headers, body);
      const result = outcome.type === 'response' ? `${outcome.status}` : (codeOf(outcome.error) ?? 'error');
      log?.(`${method} ${url} -> ${result} (${now() - started} ms)`);
      if (attemptNo <= retries && shouldRetry(method, outcome)) {
        const asked = outcome.type === 'response' ? outcome.retryAfterMs : undefined;
        const delay =
          asked === undefined ? backoffDelay(attemptNo, random) : Math.min(RETRY_AFTER_MAX_MS, asked);
        log?.(`retrying in ${delay} ms (attempt ${attemptNo + 1} of ${retries + 1})`);
        if (delay > QUIET_WAIT_MAX_MS) {
          const left = retries - attemptNo + 1;
          const waiting =
            asked === undefined
              ? `${method} ${url} failed (${result}); waiting ${seconds(delay)}`
              : `${baseUrl} asks to wait ${seconds(asked)} (Retry-After)` +
                (delay < asked ? `; waiting ${seconds(delay)}` : '');
          note?.(`${waiting}, then retrying at most ${left} more time${left === 1 ? '' : 's'}`);
        }
        await sleep(delay, signal);
        if (signal?.aborted) throw signal.reason;
        continue;
      }
      if (outcome.type === 'failure') {
        throw new NetworkError(describeFailure(outcome.error, attemptNo), { cause: outcome.error });
      }
      if (outcome.status < 200 || outcome.status > 299) {
        throw apiErrorOf(outcome.status, outcome.text, url, {
          attempts: attemptNo,
          location: outcome.location,
          wrongApiHint: options.wrongApiHint,
        });
      }
      try {
        return JSON.parse(outcome.text) as unknown;
      } catch (error) {
        throw new ResponseError(
          `${url} answered ${outcome.status} with something that is not JSON; ${wrongApiHint}`,
          { cause: error },
        );
      }
    }
  };

  const fullPath = (path: string, query?: Readonly<Record<string, string | number | undefined>>): string => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) search.set(key, String(value));
    const qs = search.toString();
    return `${base.pathname.replace(/\/$/, '')}${path}${qs === '' ? '' : `?${qs}`}`;
  };

  const commonHeaders = { accept: 'application/json', 'user-agent': options.userAgent };

  return {
    get: (path, query) => send('GET', fullPath(path, query), commonHeaders),
    post: (path, body) =>
      send(
        'POST',
        fullPath(path),
        {
          ...commonHeaders,
          'content-type': 'application/json',
          // One key per message, reused by every retry: a server honouring it stores the message once.
          'idempotency-key': options.newIdempotencyKey(),
        },
        JSON.stringify(body),
      ),
    close: async () => {
      await ownAgent?.close();
      ownAgent = undefined;
    },
  };
};
