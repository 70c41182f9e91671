/**
 * What an HTTP API takes of a request ("Quotas for configuring and running an HTTP API in API
 * Gateway"): its body, read here within the payload quota, and its request line and header values.
 */
import type { IncomingMessage } from 'node:http';

/** HTTP API's payload quota, 10 MB ("Amazon API Gateway quotas"): a larger body is answered 413. */
export const HTTP_API_PAYLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

/** The client went away before its body arrived: there is no one to answer. */
export class ClientGoneError extends Error {}

/** The whole body, or BodyTooLargeError as soon as it is over the payload quota. */
export const readBody = (req: IncomingMessage): Promise<Buffer> =>
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

export const requestLineAndHeaderValuesBytes = (req: IncomingMessage): number => {
  // Node reads header bytes as latin1: one character is one byte. The request line is counted
  // as `GET /path HTTP/1.1`, without its line break (the quota counts header values, not lines).
  let bytes = `${req.method} ${req.url} HTTP/${req.httpVersion}`.length;
  for (let i = 1; i < req.rawHeaders.length; i += 2) bytes += (req.rawHeaders[i] as string).length;
  return bytes;
};
