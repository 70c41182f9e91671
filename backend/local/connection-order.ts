/**
 * The gateway's connections, request by request: answers in the order the requests came, and the
 * answers Node leaves to the server where it hands over no request (a request it cannot parse, or
 * one that did not arrive in time). gateway-server.ts answers each request; this decides when, and
 * what is written on the socket when there is no request to answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Duplex, finished } from 'node:stream';
import { newRequestId } from './event.ts';
import type { LogPrinter } from './log-printer.ts';
import { BodyCutShortError, cutShort } from './request-quotas.ts';

/**
 * How long the rest of a body is read and dropped after an answer given before it was read (413,
 * 431): the client is likely still sending it. Then the connection is closed.
 */
export const LINGER_MS = 5_000;

/**
 * An answer written on the socket itself, where Node hands the gateway no response to write. The
 * connection ends with it; what the client still sends is read for LINGER_MS and dropped (it would
 * reset the connection otherwise, as above), then the connection is closed, unless the request is
 * ended at once (a timed-out body: `clientError` below).
 */
export const answerOnSocket = (socket: Duplex, status: number, reason: string): void => {
  const body = JSON.stringify({ message: reason });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\napigw-requestid: ${newRequestId()}\r\n` +
      `connection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
};

/**
 * Node's limits on how long a request may take to arrive: its headers (`headersTimeout`, 60 s) and
 * the whole request (`requestTimeout`, 300 s), checked every 30 s.
 */
const isRequestTimeout = (error: NodeJS.ErrnoException) => error.code === 'ERR_HTTP_REQUEST_TIMEOUT';

/**
 * Node answers a request it cannot parse (a malformed request line, headers beyond the server's
 * `maxHeaderSize`), or one that did not arrive in time (408), with a bare status line. The gateway
 * answers it as it answers everything else: JSON, with a request id.
 */
const answerClientError = (error: NodeJS.ErrnoException, socket: Duplex): string | undefined => {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return undefined;
  }
  const [status, reason] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large']
      : isRequestTimeout(error)
        ? [408, 'Request Timeout']
        : [400, 'Bad Request'];
  answerOnSocket(socket, status, reason);
  return `${status} ${reason}`;
};

/**
 * The line Node's parser stopped on, from the bytes it hands over with the error (`rawPacket`, and
 * `bytesParsed` where it stopped): a request line, or the header that is wrong.
 */
const unparsedLine = (error: NodeJS.ErrnoException): string | undefined => {
  const { rawPacket, bytesParsed } = error as { rawPacket?: unknown; bytesParsed?: unknown };
  if (!Buffer.isBuffer(rawPacket) || typeof bytesParsed !== 'number') return undefined;
  const text = rawPacket.toString('latin1');
  const start = text.lastIndexOf('\n', bytesParsed - 1) + 1;
  const end = text.indexOf('\n', bytesParsed);
  return text.slice(start, end === -1 ? undefined : end).replace(/\r$/, '');
};

export interface ConnectionOrderOptions {
  readonly printer: Pick<LogPrinter, 'gateway'>;
  /** How the log names a request that never got its turn (its method and target). */
  readonly label: (req: IncomingMessage) => string;
}

export interface ConnectionOrder {
  /** Runs `handle` for this request at its turn on its connection (the server's request listener). */
  take(req: IncomingMessage, res: ServerResponse, handle: () => Promise<void>): void;
  /** The server's `clientError` listener. */
  clientError(error: NodeJS.ErrnoException, socket: Duplex): void;
}

export const connectionOrder = ({ printer, label }: ConnectionOrderOptions): ConnectionOrder => {
  /** The last request of each connection, its response, and the response of the one before. */
  const lastExchange = new WeakMap<
    Duplex,
    { req: IncomingMessage; res: ServerResponse; previous: ServerResponse | undefined }
  >();
  /**
   * Each connection's requests in hand: when the last one's answer is out. A client may send a
   * request before the answer to the one before (pipelining), and Node hands both over at once. A
   * server may handle pipelined requests side by side only if all of them are safe (RFC 9112,
   * section 9.3.2): a GET behind a POST must see the message that the POST stored. So a
   * connection's requests are handled one after the other, each once the answer before it is out
   * (a stop that closes the connection then stores nothing that nobody hears of); a client that
   * waits for each answer never waits here.
   */
  const connectionQueue = new WeakMap<Duplex, Promise<void>>();

  const take: ConnectionOrder['take'] = (req, res, handle) => {
    const { socket } = req;
    lastExchange.set(socket, { req, res, previous: lastExchange.get(socket)?.res });
    const out = new Promise<void>((resolve) => finished(res, () => resolve()));
    // At its turn: once the answer before it is out, unless the connection went meanwhile.
    const takeTurn = () => {
      // Ended by the answer before (`connection: close`, as a stopping stack says) or closed.
      if (!socket.destroyed && !socket.writableEnded) return handle();
      // Cut short while it waited (a body that timed out): that says why.
      const why =
        req.errored instanceof BodyCutShortError
          ? req.errored.message
          : 'the connection closed before its turn';
      printer.gateway(`${label(req)} (${why})`);
      return undefined;
    };
    const before = connectionQueue.get(socket);
    const handled = before === undefined ? handle() : before.then(takeTurn, takeTurn);
    const answered = handled.then(() => out);
    connectionQueue.set(socket, answered);
    const forget = () => {
      if (connectionQueue.get(socket) === answered) connectionQueue.delete(socket);
    };
    // A failure of the gateway's own last resort still surfaces, as an unhandled rejection.
    void answered.then(forget, (error: unknown) => {
      forget();
      throw error;
    });
  };

  const clientError: ConnectionOrder['clientError'] = (error, socket) => {
    const last = lastExchange.get(socket);
    // A request whose body was cut short: its own stage says so, once the request ends. A timed-out
    // body ends its request and the connection at once; answered only if no answer to a request
    // before it is still owed, which would otherwise come after this one (Node's own rule).
    if (last && !last.req.complete) {
      // Answers go out in order: the one before still owed is the last to be.
      const earlierOwed =
        isRequestTimeout(error) && last.previous !== undefined && !last.previous.writableFinished;
      const answered = earlierOwed ? undefined : answerClientError(error, socket);
      if (isRequestTimeout(error)) {
        cutShort(
          last.req,
          `its body did not arrive in time: ${answered ?? 'no answer, one before it still owed'}`,
        );
      }
      return;
    }
    const answerIt = () => {
      const answered = answerClientError(error, socket);
      const line = unparsedLine(error);
      const what = isRequestTimeout(error)
        ? 'a request that did not arrive in time'
        : `a request it could not parse${line === undefined ? '' : `, at ${JSON.stringify(line.slice(0, 100))}`}`;
      if (answered) printer.gateway(`${what} (${error.code}): ${answered}`);
    };
    // A client may send its next request before the answer to the one before (pipelining). When
    // that next one is malformed, the answers still in the making come first: HTTP/1.1 answers
    // requests in the order they came (RFC 9112, section 9.3.2), and one of them may say a message
    // was stored.
    if (last && !last.res.writableFinished) finished(last.res, answerIt);
    else answerIt();
  };

  return { take, clientError };
};
