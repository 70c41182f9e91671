import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface ExchangeOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer;
  /**
   * The content-length to declare, by default the body's. Declaring more than is sent leaves the
   * request open: the server answers before its body is whole, or never.
   */
  readonly declaredLength?: number;
}

export interface Exchanged {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: string;
}

/**
 * One request with node:http, and its whole answer: for what fetch will not send, a GET with a
 * body or a length the body does not have.
 */
export const exchange = (
  url: string,
  { method = 'GET', headers = {}, body = Buffer.alloc(0), declaredLength }: ExchangeOptions = {},
): Promise<Exchanged> =>
  new Promise((resolve, reject) => {
    // Node frames a GET's body only when told its length.
    const req = request(url, {
      method,
      headers: { 'content-length': String(declaredLength ?? body.length), ...headers },
    });
    let answered = false;
    req.on('response', async (response) => {
      answered = true;
      let text = '';
      for await (const chunk of response) text += chunk;
      resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text });
    });
    // Once the server has answered and closed, the rest of the request may fail: not the point.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    if (declaredLength === undefined) req.end(body);
    else req.write(body);
  });

/**
 * What the server on 127.0.0.1:`port` sends back on a connection of its own, as latin1, once the
 * connection has closed; `send` writes the request bytes, by hand, for what no HTTP client sends
 * (two Host lines, an absolute-form target, a malformed request). A reset ends it as a close does.
 */
export const overSocket = async (port: number, send: (socket: Socket) => void): Promise<string> => {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  const closed = new Promise((resolve) => socket.once('close', resolve));
  send(socket);
  await closed;
  return received;
};

/** `request`, raw, and all that comes back (`overSocket`). Ask with `Connection: close`. */
export const rawExchange = (port: number, request: string): Promise<string> =>
  overSocket(port, (socket) => socket.write(request));
