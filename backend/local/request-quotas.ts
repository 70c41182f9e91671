/**
 * What an HTTP API takes of a request ("Quotas for configuring and running an HTTP API in API
 * Gateway"): its body, read here within the payload quota, and its request line and header values.
 */
import type { IncomingMessage } from 'node:http';

/** HTTP API's payload quota, 10 MB ("Amazon API Gateway quotas"): a larger body is answered 413. */
export const HTTP_API_PAYLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

/**
 * The request's body did not arrive whole, and there is no one to answer: the client went away,
 * or the stack ended the request (`cutShort`). The message says which, for the gateway's log line.
 */
export class BodyCutShortError extends Error {}

/** Ends a request whose body has not arrived, saying why. */
export const cutShort = (req: IncomingMessage, why: string): void => {
  req.destroy(new BodyCutShortError(why));
};

/**
 * The whole body, or BodyTooLargeError as soon as it is over the payload quota. A body too large
 * is then read and dropped, not left unread: the gateway answers 413 at once, and a connection
 * closed on unread data is reset, which can wipe the answer from the client's side before it reads
 * it (RFC 9112, section 9.6); curl waits for `100 Continue` before a large body, fetch does not.
 */
export const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    // Ended before its turn came (pipelined behind another): it will say nothing more.
    if (req.destroyed && !req.readableEnded) {
      reject(
        req.errored instanceof BodyCutShortError
          ? req.errored
          : new BodyCutShortError('the client closed the connection before its body ended'),
      );
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > HTTP_API_PAYLOAD_LIMIT_BYTES) {
      req.resume();
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > HTTP_API_PAYLOAD_LIMIT_BYTES) {
        // Still flowing without its listener: what comes next is dropped.
        req.off('data', onData);
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    // Node ends a request whose connection closed before its body was complete with an error
    // ("aborted"): the client is gone, which is no failure of the gateway.
    req.on('error', (error) =>
      reject(
        error instanceof BodyCutShortError
          ? error
          : new BodyCutShortError('the client closed the connection before its body ended'),
      ),
    );
  });

/**
 * HTTP API's quota "Total combined size of request line and header values: 10240 bytes" (API
 * Gateway Developer Guide, "Quotas for configuring and running an HTTP API in API Gateway"). The
 * guide does not say how API Gateway answers a request over it; the emulator answers 431, so that
 * what AWS would refuse is not accepted here.
 */
export const HTTP_API_HEADER_LIMIT_BYTES = 10_240;

export const requestLineAndHeaderValuesBytes = (req: IncomingMessage): number => {
  // Node reads header bytes as latin1: one character is one byte. The request line is counted
  // as `GET /path HTTP/1.1`, without its line break (the quota counts header values, not lines).
  let bytes = `${req.method} ${req.url} HTTP/${req.httpVersion}`.length;
  for (let i = 1; i < req.rawHeaders.length; i += 2) bytes += (req.rawHeaders[i] as string).length;
  return bytes;
};
