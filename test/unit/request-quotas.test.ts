/**
 * The gateway's body reader and the HTTP API payload quota (10 MB), to the byte, on streams that
 * stand in for a request: no sockets.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import {
  BodyCutShortError,
  BodyTooLargeError,
  cutShort,
  HTTP_API_HEADER_LIMIT_BYTES,
  HTTP_API_PAYLOAD_LIMIT_BYTES,
  readBody,
} from '../../backend/local/request-quotas.ts';
import { LAMBDA_PAYLOAD_LIMIT_BYTES } from '../../backend/local/result.ts';

const MIB = 1024 * 1024;

/** A stream that stands in for a request with `headers`, whose body the test writes. */
const openRequest = (headers: Record<string, string> = {}) =>
  Object.assign(new PassThrough(), { headers }) as unknown as IncomingMessage & PassThrough;

/** A request whose body is `size` bytes in chunks of at most 1 MiB, with the headers given. */
const requestOf = (size: number, headers: Record<string, string> = {}) => {
  const stream = openRequest(headers);
  let written = 0;
  // Written as it is read, so that no more is buffered than the reader asks for.
  const writeMore = () => {
    while (written < size) {
      const chunk = Buffer.alloc(Math.min(MIB, size - written), 0x61);
      written += chunk.length;
      if (!stream.write(chunk)) {
        stream.once('drain', writeMore);
        return;
      }
    }
    stream.end();
  };
  writeMore();
  return stream;
};

describe('readBody and the HTTP API payload quota (10 MB)', () => {
  it('is 10 MiB', () => {
    assert.equal(HTTP_API_PAYLOAD_LIMIT_BYTES, 10 * MIB);
  });

  // The quotas the other tests derive their sizes from, written out: "Amazon API Gateway quotas"
  // (request line and header values, 10240 bytes) and "Lambda quotas" (6 MB invocation payload).
  it('sits beside the header quota of 10240 bytes and the Lambda payload quota of 6 MiB', () => {
    assert.equal(HTTP_API_HEADER_LIMIT_BYTES, 10_240);
    assert.equal(LAMBDA_PAYLOAD_LIMIT_BYTES, 6 * MIB);
  });

  it('reads a body of exactly the quota, with or without its declared length', async () => {
    const declared: Array<Record<string, string>> = [
      {},
      { 'content-length': String(HTTP_API_PAYLOAD_LIMIT_BYTES) },
    ];
    for (const headers of declared) {
      const body = await readBody(requestOf(HTTP_API_PAYLOAD_LIMIT_BYTES, headers));
      assert.equal(body.length, HTTP_API_PAYLOAD_LIMIT_BYTES, JSON.stringify(headers));
      assert.equal(body.at(-1), 0x61);
    }
  });

  it('refuses a body one byte over the quota that declares no length, as the byte arrives', async () => {
    await assert.rejects(readBody(requestOf(HTTP_API_PAYLOAD_LIMIT_BYTES + 1)), BodyTooLargeError);
  });

  it('refuses a body one byte over the quota in one chunk, and reads the rest and drops it', async () => {
    const req = openRequest();
    const reading = readBody(req);
    req.write(Buffer.alloc(HTTP_API_PAYLOAD_LIMIT_BYTES + 1));
    await assert.rejects(reading, BodyTooLargeError);
    // The reader no longer listens, yet the stream flows: what still comes is consumed.
    req.end(Buffer.alloc(MIB));
    await new Promise((resolve) => req.on('end', resolve));
  });

  it('refuses a declared length one byte over the quota before it reads the body, then drops the body', async () => {
    const req = openRequest({ 'content-length': String(HTTP_API_PAYLOAD_LIMIT_BYTES + 1) });
    await assert.rejects(readBody(req), BodyTooLargeError);
    assert.equal(req.listenerCount('data'), 0, 'no data listener');
    // Flowing with no one reading: what the client still sends is consumed and dropped, so that the
    // connection is not closed on unread data (gateway-server.ts).
    assert.equal(req.readableFlowing, true);
    req.end(Buffer.alloc(MIB));
    await new Promise((resolve) => req.on('end', resolve));
  });

  it('tells a client that went away before its body ended from a body too large', async () => {
    const req = openRequest();
    // A request Node ends with an error: its connection closed before its body was whole.
    const reading = readBody(req);
    req.destroy(new Error('aborted'));
    await assert.rejects(
      reading,
      new BodyCutShortError('the client closed the connection before its body ended'),
    );
  });

  it('says why the stack cut a request short, where it did', async () => {
    const req = openRequest();
    const reading = readBody(req);
    req.write('{"author":');
    cutShort(req, 'the stack stopped before its body ended');
    await assert.rejects(reading, new BodyCutShortError('the stack stopped before its body ended'));
  });
});
