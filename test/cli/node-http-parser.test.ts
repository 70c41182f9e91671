/**
 * The bridge that lets undici's HTTP/1 client parse with Node's own llhttp (cli/node-http-parser.ts),
 * against the parser it stands in for: undici's llhttp compiled to WebAssembly, driven the way
 * undici's client-h1.js drives it. Each answer below goes through both, whole and cut into pieces,
 * to a client that records what it is told and answers as undici's does (pausing, failing, taking an
 * upgrade); both must tell it the same and end the same way.
 */
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import {
  type AnswerHandler,
  type LlhttpErrors,
  nodeLlhttp,
  parsesAsUndici,
} from '../../cli/node-http-parser.ts';

const requireUndici = createRequire(import.meta.url);
const { ERROR, TYPE } = requireUndici('undici/lib/llhttp/constants.js') as {
  ERROR: LlhttpErrors;
  TYPE: { RESPONSE: number };
};
const codeName = (code: number): string =>
  Object.entries(ERROR).find(([, value]) => value === code)?.[0] ?? String(code);

/** What a client is told of one message, the spans joined as undici's client joins them. */
interface MessageSeen {
  statusCode?: number;
  statusText: string;
  headers: string[];
  upgrade?: boolean;
  keepAlive?: boolean;
  body: string;
  complete: boolean;
}

/** How the recording client answers: as undici's does in each case it has. */
interface Behaviour {
  /** Returned by onHeadersComplete (undici: 1 for HEAD or 1xx, 2 for an upgrade, PAUSED, -1). */
  readonly headersComplete?: (statusCode: number, upgrade: boolean) => number;
  /** Returned by the first call of each kind (later ones return 0). */
  readonly messageBegin?: number;
  readonly body?: number;
  readonly messageComplete?: number;
  readonly throwOnBody?: boolean;
  /** Header bytes past which it fails, as undici's `trackHeader`; then every callback returns -1. */
  readonly maxHeaderBytes?: number;
}

class RecordingClient implements AnswerHandler {
  readonly messages: MessageSeen[] = [];
  headerBytes = 0;
  overflowed = false;
  /** The connection was closed, as undici's client closes it; every callback returns -1 after. */
  closed = false;
  readonly #answered = new Set<string>();

  constructor(readonly behaviour: Behaviour) {}

  get #message(): MessageSeen {
    const message = this.messages.at(-1);
    assert.ok(message, 'a callback before the start of a message');
    return message;
  }

  /** The behaviour's answer the first time, 0 after; -1 once failed or closed as undici would. */
  #answer(kind: 'messageBegin' | 'body' | 'messageComplete'): number {
    if (this.overflowed || this.closed) return -1;
    const wanted = this.behaviour[kind];
    if (wanted === undefined || this.#answered.has(kind)) return 0;
    this.#answered.add(kind);
    return wanted;
  }

  onMessageBegin(): number {
    if (this.closed) return -1;
    this.messages.push({ statusText: '', headers: [], body: '', complete: false });
    return this.#answer('messageBegin');
  }
  onStatus(text: Buffer): number {
    this.#message.statusText += text.toString('latin1');
    return 0;
  }
  onHeaderField(bytes: Buffer): number {
    return this.#header('name', bytes);
  }
  onHeaderValue(bytes: Buffer): number {
    return this.#header('value', bytes);
  }
  /** A name starts at an even place in the list, a value at an odd one; a span cut in two is joined. */
  #header(part: 'name' | 'value', bytes: Buffer): number {
    const { headers } = this.#message;
    if ((headers.length % 2 === 0) === (part === 'name')) headers.push(bytes.toString('latin1'));
    else headers[headers.length - 1] += bytes.toString('latin1');
    this.trackHeader(bytes.length);
    return 0;
  }
  trackHeader(length: number): void {
    this.headerBytes += length;
    if (this.headerBytes >= (this.behaviour.maxHeaderBytes ?? Number.POSITIVE_INFINITY))
      this.overflowed = true;
  }
  onHeadersComplete(statusCode: number, upgrade: boolean, shouldKeepAlive: boolean): number {
    if (this.overflowed || this.closed) return -1;
    Object.assign(this.#message, { statusCode, upgrade, keepAlive: shouldKeepAlive });
    this.headerBytes = 0;
    return this.behaviour.headersComplete?.(statusCode, upgrade) ?? (statusCode < 200 ? 1 : 0);
  }
  onBody(bytes: Buffer): number {
    if (this.closed) return -1;
    if (this.behaviour.throwOnBody) throw new Error('thrown by the client');
    this.#message.body += bytes.toString('latin1');
    return this.#answer('body');
  }
  onMessageComplete(): number {
    this.#message.complete = true;
    const answer = this.#answer('messageComplete');
    // undici pauses at the end of a message only as it closes the connection.
    if (answer === ERROR.PAUSED) this.closed = true;
    return answer;
  }
}

/** One engine as undici's Parser drives it: execute, and on PAUSED resume with the rest. */
interface Engine {
  execute(chunk: Buffer): { code: number; position: number };
  finish(): number;
  resume(): void;
  reason(): string;
}

let current: RecordingClient | undefined;
let currentChunk: Buffer | undefined;
const client = (): RecordingClient => current as RecordingClient;
const chunk = (): Buffer => currentChunk as Buffer;

const nodeEngine = (maxHeaderSize: number): Engine => {
  const exports = nodeLlhttp(client, chunk, ERROR);
  assert.ok(exports, "this Node.js has no HTTP parser in _http_common; the CLI would use undici's");
  const parser = exports.llhttp_alloc(TYPE.RESPONSE, maxHeaderSize);
  return {
    execute(bytes) {
      currentChunk = bytes;
      const code = exports.llhttp_execute(parser, 0, bytes.length);
      return { code, position: exports.llhttp_get_error_pos(parser) };
    },
    finish: () => exports.llhttp_finish(parser),
    resume: () => exports.llhttp_resume(parser),
    reason: () => exports.llhttp_get_error_reason(parser),
  };
};

/** WebAssembly, as far as this test uses it (the project's TypeScript settings have no DOM types). */
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Buffer) => object;
      Instance: new (module: object, imports: object) => { readonly exports: unknown };
    };
  }
).WebAssembly;

interface WasmLlhttp {
  readonly memory: { readonly buffer: ArrayBuffer };
  malloc(size: number): number;
  free(at: number): void;
  llhttp_alloc(type: number): number;
  llhttp_execute(parser: number, at: number, length: number): number;
  llhttp_finish(parser: number): number;
  llhttp_resume(parser: number): void;
  llhttp_get_error_pos(parser: number): number;
  llhttp_get_error_reason(parser: number): number;
}

/** undici's own parser, instantiated as undici/lib/dispatcher/client-h1.js does. */
const wasmEngine = (): Engine => {
  const module = new wasm.Module(requireUndici('undici/lib/llhttp/llhttp-wasm.js') as Buffer);
  let memory: WasmLlhttp['memory'] | undefined;
  // A copy: the span lives in the parser's memory, which the next call reuses.
  const span = (at: number, length: number) =>
    Buffer.from(Buffer.from((memory as WasmLlhttp['memory']).buffer, at, length));
  const instance = new wasm.Instance(module, {
    env: {
      wasm_on_url: () => 0,
      wasm_on_status: (_p: number, at: number, length: number) => client().onStatus(span(at, length)),
      wasm_on_message_begin: () => client().onMessageBegin(),
      wasm_on_header_field: (_p: number, at: number, length: number) =>
        client().onHeaderField(span(at, length)),
      wasm_on_header_value: (_p: number, at: number, length: number) =>
        client().onHeaderValue(span(at, length)),
      wasm_on_headers_complete: (_p: number, statusCode: number, upgrade: number, keepAlive: number) =>
        client().onHeadersComplete(statusCode, upgrade === 1, keepAlive === 1),
      wasm_on_body: (_p: number, at: number, length: number) => client().onBody(span(at, length)),
      wasm_on_message_complete: () => client().onMessageComplete(),
    },
  });
  const llhttp = instance.exports as unknown as WasmLlhttp;
  memory = llhttp.memory;
  const parser = llhttp.llhttp_alloc(TYPE.RESPONSE);
  return {
    execute(bytes) {
      const at = llhttp.malloc(Math.max(bytes.length, 1));
      new Uint8Array(llhttp.memory.buffer, at, bytes.length).set(bytes);
      const code = llhttp.llhttp_execute(parser, at, bytes.length);
      const position = code === ERROR.OK ? bytes.length : llhttp.llhttp_get_error_pos(parser) - at;
      llhttp.free(at);
      return { code, position };
    },
    finish: () => llhttp.llhttp_finish(parser),
    resume: () => llhttp.llhttp_resume(parser),
    reason: () => {
      const at = llhttp.llhttp_get_error_reason(parser);
      const bytes = new Uint8Array(llhttp.memory.buffer, at);
      return Buffer.from(bytes.subarray(0, bytes.indexOf(0))).toString();
    },
  };
};

interface Outcome {
  messages: MessageSeen[];
  /** How the bytes ended: OK (then finished at the end), or the code that stopped them. */
  end: string;
  pauses: number;
  /** The bytes after an upgrade's header section. */
  upgraded?: string;
  thrown?: string;
  overflowed: boolean;
}

/** Feeds `pieces` to an engine as undici's Parser does, and finishes at the end of the bytes. */
const parse = (engine: Engine, pieces: readonly Buffer[], behaviour: Behaviour): Outcome => {
  const recorder = new RecordingClient(behaviour);
  current = recorder;
  let pauses = 0;
  const result = (end: string, extra: Partial<Outcome> = {}): Outcome => ({
    messages: recorder.messages,
    end,
    pauses,
    overflowed: recorder.overflowed,
    ...extra,
  });
  try {
    const queue = [...pieces];
    while (queue.length > 0) {
      const piece = queue.shift() as Buffer;
      const { code, position } = engine.execute(piece);
      if (code === ERROR.PAUSED) {
        pauses += 1;
        // undici resumes when the reader of a body wants more of it: a message that has ended
        // (its body whole, or its socket failed) is never resumed for.
        if (recorder.messages.at(-1)?.complete) return result('PAUSED');
        engine.resume();
        // The client gives back the bytes not taken yet, as undici unshifts them, and executes
        // them on resume even when there are none (what lets llhttp end a message paused in).
        queue.unshift(piece.subarray(position));
        continue;
      }
      if (code === ERROR.PAUSED_UPGRADE) {
        const rest = Buffer.concat([piece.subarray(position), ...queue]);
        return result('PAUSED_UPGRADE', { upgraded: rest.toString('latin1') });
      }
      if (code !== ERROR.OK) {
        assert.notEqual(engine.reason(), '', `a failure (${codeName(code)}) with no reason`);
        return result(codeName(code));
      }
    }
    const finished = engine.finish();
    return result(finished === ERROR.OK ? 'OK' : codeName(finished));
  } catch (error) {
    return result('thrown', { thrown: (error as Error).message });
  } finally {
    current = undefined;
    currentChunk = undefined;
  }
};

/**
 * The outcome with the status text and headers of a message whose header section never ended
 * left out. undici's parser hands them over as they come, Node's once the section is whole; an
 * answer that fails before then fails the request, and undici's client drops what it was given.
 */
const headersOnceComplete = (outcome: Outcome): Outcome => ({
  ...outcome,
  messages: outcome.messages.map((message) =>
    message.statusCode === undefined ? { ...message, statusText: '', headers: [] } : message,
  ),
});

/** The answer whole, byte by byte, and cut in three at places that fall inside spans. */
const cuts = (bytes: Buffer): Buffer[][] => [
  [bytes],
  [...bytes].map((byte) => Buffer.from([byte])),
  [
    bytes.subarray(0, 7),
    bytes.subarray(7, Math.floor(bytes.length / 2)),
    bytes.subarray(Math.floor(bytes.length / 2)),
  ],
];

const answer = (head: string, body = ''): Buffer =>
  Buffer.from(`${head.replaceAll('\n', '\r\n')}\r\n\r\n${body}`, 'latin1');
const json = JSON.stringify({ messages: [{ id: '01J', author: 'ann', text: 'héllo' }], nextCursor: null });
const manyHeaders = Array.from({ length: 40 }, (_, index) => `x-h${index}: v${index}`).join('\n');

const cases: readonly (readonly [string, Buffer, Behaviour?])[] = [
  [
    'a JSON page with a length',
    answer(
      `HTTP/1.1 200 OK\ncontent-type: application/json\ncontent-length: ${Buffer.byteLength(json, 'latin1')}`,
      json,
    ),
  ],
  [
    'a chunked body with an extension and a trailer',
    answer(
      'HTTP/1.1 200 OK\ntransfer-encoding: chunked',
      '5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nx-trailer: t\r\n\r\n',
    ),
  ],
  [
    '103 Early Hints, then the answer',
    Buffer.concat([
      answer('HTTP/1.1 103 Early Hints\nlink: </style.css>'),
      answer('HTTP/1.1 200 OK\ncontent-length: 2', 'ok'),
    ]),
  ],
  [
    '204 and 304, no bodies',
    Buffer.concat([
      answer('HTTP/1.1 204 No Content'),
      answer('HTTP/1.1 304 Not Modified\ncontent-length: 10'),
    ]),
  ],
  ['a body to the end of the connection', answer('HTTP/1.1 200 OK\nconnection: close', 'until the end')],
  ['40 headers', answer(`HTTP/1.1 200 OK\n${manyHeaders}\ncontent-length: 0`)],
  [
    'Latin-1 bytes in a status and a header value',
    answer('HTTP/1.1 200 Tr\u00e8s bien\nx-name: Jos\u00e9\ncontent-length: 0'),
  ],
  [
    'two answers back to back, kept alive',
    Buffer.concat([
      answer('HTTP/1.1 200 OK\ncontent-length: 3', 'one'),
      answer('HTTP/1.1 404 Not Found\ncontent-length: 3\nkeep-alive: timeout=5', 'two'),
    ]),
  ],
  ['HTTP/1.0 without keep-alive', answer('HTTP/1.0 200 OK\ncontent-length: 2', 'ok')],
  ['an answer that is not HTTP', Buffer.from('SSH-2.0-OpenSSH_9.2\r\n')],
  ['a header name with a space', answer('HTTP/1.1 200 OK\nbad header: x\ncontent-length: 0')],
  ['a length that is not a number', answer('HTTP/1.1 200 OK\ncontent-length: ten', 'x')],
  [
    'a chunk size that is not hex',
    answer('HTTP/1.1 200 OK\ntransfer-encoding: chunked', 'zz\r\nx\r\n0\r\n\r\n'),
  ],
  ['a body cut short by the end of the connection', answer('HTTP/1.1 200 OK\ncontent-length: 10', 'abc')],
  ['a header section cut short', Buffer.from('HTTP/1.1 200 OK\r\ncontent-len')],
  [
    'a 101 upgrade the client takes',
    answer('HTTP/1.1 101 Switching Protocols\nconnection: upgrade\nupgrade: example', 'raw bytes after'),
    { headersComplete: (status, upgrade) => (upgrade ? 2 : status < 200 ? 1 : 0) },
  ],
  [
    'a 101 upgrade the client refuses',
    answer('HTTP/1.1 101 Switching Protocols\nconnection: upgrade\nupgrade: example', 'raw'),
    { headersComplete: (_status, upgrade) => (upgrade ? -1 : 0) },
  ],
  [
    'a pause after the header section',
    answer('HTTP/1.1 200 OK\ncontent-length: 4', 'body'),
    { headersComplete: (status) => (status === 200 ? ERROR.PAUSED : 0) },
  ],
  [
    'a pause in the body',
    answer('HTTP/1.1 200 OK\ncontent-length: 12', 'a longer one'),
    { body: ERROR.PAUSED },
  ],
  [
    'a pause in a body that ends in the same bytes, then another answer on the connection',
    Buffer.concat([
      answer('HTTP/1.1 200 OK\ncontent-length: 12', 'a longer one'),
      answer('HTTP/1.1 200 OK\ncontent-length: 4', 'next'),
    ]),
    { body: ERROR.PAUSED },
  ],
  [
    'a pause at the end of a message',
    Buffer.concat([
      answer('HTTP/1.1 200 OK\ncontent-length: 3', 'one'),
      answer('HTTP/1.1 200 OK\ncontent-length: 3', 'two'),
    ]),
    { messageComplete: ERROR.PAUSED },
  ],
  [
    'a client that fails at the start of a message',
    answer('HTTP/1.1 200 OK\ncontent-length: 2', 'ok'),
    { messageBegin: -1 },
  ],
  ['a client that fails in the body', answer('HTTP/1.1 200 OK\ncontent-length: 2', 'ok'), { body: -1 }],
  [
    'a client that fails at the end of a message',
    answer('HTTP/1.1 200 OK\ncontent-length: 2', 'ok'),
    { messageComplete: -1 },
  ],
  [
    'a client that throws in the body',
    answer('HTTP/1.1 200 OK\ncontent-length: 2', 'ok'),
    { throwOnBody: true },
  ],
];

// Over an older llhttp the CLI does not use Node's parser (the tests below show it gives way), and
// there is nothing of it to compare: its end-to-end tests then run undici's own.
const bridged = parsesAsUndici(process.versions.llhttp);

describe("which parser undici's client gets (cli/node-http-parser.ts)", () => {
  it("takes Node's where its llhttp is 9 or newer, as undici's, and undici's own on an older one", () => {
    for (const version of ['9.0.0', '9.3.0', '9.4.4', '10.1.2'])
      assert.equal(parsesAsUndici(version), true, version);
    for (const version of ['8.1.2', '6.0.11', '', 'x', undefined])
      assert.equal(parsesAsUndici(version), false, version);
    assert.equal(nodeLlhttp(client, chunk, ERROR) !== undefined, bridged);
  });

  it("gives way to undici's own parser on a Node.js whose llhttp is 8, as 20.19.0's", (t) => {
    const llhttp = Object.getOwnPropertyDescriptor(process.versions, 'llhttp');
    t.after(() => {
      if (llhttp) Object.defineProperty(process.versions, 'llhttp', llhttp);
    });
    Object.defineProperty(process.versions, 'llhttp', { ...llhttp, value: '8.1.2' });
    assert.equal(nodeLlhttp(client, chunk, ERROR), undefined);
  });

  it("gives way to undici's own parser where Node.js has none", (t) => {
    const getBuiltinModule = process.getBuiltinModule;
    t.after(() => {
      process.getBuiltinModule = getBuiltinModule;
    });
    for (const common of [undefined, {}, { HTTPParser: class {} }]) {
      process.getBuiltinModule = ((id: string) =>
        id === '_http_common' ? common : getBuiltinModule(id)) as typeof getBuiltinModule;
      assert.equal(nodeLlhttp(client, chunk, ERROR), undefined);
    }
    process.getBuiltinModule = (() => {
      throw new Error('no such module');
    }) as typeof getBuiltinModule;
    assert.equal(nodeLlhttp(client, chunk, ERROR), undefined);
  });
});

if (bridged) {
  describe("Node's HTTP parser behind undici's client (cli/node-http-parser.ts)", () => {
    for (const [name, bytes, behaviour = {}] of cases) {
      it(`tells the client what undici's own parser tells it: ${name}`, () => {
        for (const pieces of cuts(bytes)) {
          const expected = headersOnceComplete(parse(wasmEngine(), pieces, behaviour));
          const actual = headersOnceComplete(parse(nodeEngine(0), pieces, behaviour));
          // undici's parser pauses in the body at once; Node's once the bytes at hand are parsed, and
          // not at all when they end the message (cli/node-http-parser.ts).
          if (behaviour.body === ERROR.PAUSED) {
            assert.ok(expected.pauses >= 1, 'no pause');
            assert.ok(actual.pauses <= expected.pauses);
            actual.pauses = expected.pauses;
          }
          assert.deepEqual(actual, expected, `${pieces.length} piece(s)`);
        }
      });
    }

    it('ends each case as the case says, so that agreeing on nothing cannot pass', () => {
      const ends = Object.fromEntries(
        cases.map(([name, bytes, behaviour = {}]) => [name, parse(nodeEngine(0), [bytes], behaviour).end]),
      );
      assert.deepEqual(ends, {
        'a JSON page with a length': 'OK',
        'a chunked body with an extension and a trailer': 'OK',
        '103 Early Hints, then the answer': 'OK',
        '204 and 304, no bodies': 'OK',
        'a body to the end of the connection': 'OK',
        '40 headers': 'OK',
        'Latin-1 bytes in a status and a header value': 'OK',
        'two answers back to back, kept alive': 'OK',
        'HTTP/1.0 without keep-alive': 'OK',
        'an answer that is not HTTP': 'INVALID_CONSTANT',
        'a header name with a space': 'INVALID_HEADER_TOKEN',
        'a length that is not a number': 'INVALID_CONTENT_LENGTH',
        'a chunk size that is not hex': 'INVALID_CHUNK_SIZE',
        'a body cut short by the end of the connection': 'INVALID_EOF_STATE',
        'a header section cut short': 'INVALID_EOF_STATE',
        'a 101 upgrade the client takes': 'PAUSED_UPGRADE',
        'a 101 upgrade the client refuses': 'CB_HEADERS_COMPLETE',
        'a pause after the header section': 'OK',
        'a pause in the body': 'OK',
        'a pause in a body that ends in the same bytes, then another answer on the connection': 'OK',
        'a pause at the end of a message': 'PAUSED',
        'a client that fails at the start of a message': 'CB_MESSAGE_BEGIN',
        'a client that fails in the body': 'USER',
        'a client that fails at the end of a message': 'CB_MESSAGE_COMPLETE',
        'a client that throws in the body': 'thrown',
      });
      const page = parse(nodeEngine(0), [cases[0]?.[1] as Buffer], {}).messages;
      assert.deepEqual(page, [
        {
          statusCode: 200,
          statusText: 'OK',
          headers: [
            'content-type',
            'application/json',
            'content-length',
            String(Buffer.byteLength(json, 'latin1')),
          ],
          upgrade: false,
          keepAlive: true,
          body: json,
          complete: true,
        },
      ]);
    });

    it('fails a header section over the limit as undici does, through the client', () => {
      const big = answer(`HTTP/1.1 200 OK\nx-big: ${'a'.repeat(300)}\ncontent-length: 0`);
      for (const pieces of cuts(big)) {
        const wasm = parse(wasmEngine(), pieces, { maxHeaderBytes: 200 });
        const node = parse(nodeEngine(200), pieces, { maxHeaderBytes: 200 });
        // Both reach the client's own limit, which fails the socket with HeadersOverflowError in
        // undici; undici's parser then stops at the end of the section, Node's where it found it.
        assert.equal(wasm.overflowed, true);
        assert.equal(node.overflowed, true);
        assert.notEqual(node.end, 'OK');
        assert.equal(node.messages.at(-1)?.complete, false);
      }
    });

    it("differs from undici's parser only where its header says: trailing blanks, the status text's size", () => {
      const trailing = answer('HTTP/1.1 200 OK\nx-a: v \t\ncontent-length: 0');
      assert.deepEqual(parse(wasmEngine(), [trailing], {}).messages[0]?.headers, [
        'x-a',
        'v \t',
        'content-length',
        '0',
      ]);
      assert.deepEqual(parse(nodeEngine(0), [trailing], {}).messages[0]?.headers, [
        'x-a',
        'v',
        'content-length',
        '0',
      ]);
      // Node's parser counts the status text against the limit, undici's client only names and values.
      const longStatus = answer(`HTTP/1.1 200 ${'o'.repeat(300)}\nx-a: v\ncontent-length: 0`);
      assert.equal(parse(wasmEngine(), [longStatus], { maxHeaderBytes: 200 }).end, 'OK');
      assert.equal(parse(nodeEngine(200), [longStatus], { maxHeaderBytes: 200 }).overflowed, true);
    });

    it("fails an execute given while Node's parser is paused, rather than pause with a place from other bytes", () => {
      // undici's client never does this (it resumes first); if it did, the place Node.js reports is
      // left over from the earlier bytes, and a PAUSED with it would hold the answer for good.
      const engine = nodeEngine(0);
      current = new RecordingClient({ headersComplete: () => ERROR.PAUSED });
      try {
        const first = engine.execute(answer('HTTP/1.1 200 OK\ncontent-length: 2', 'ok'));
        assert.equal(codeName(first.code), 'PAUSED');
        assert.equal(codeName(engine.execute(Buffer.from('more')).code), 'INTERNAL');
      } finally {
        current = undefined;
      }
    });

    it("closes each of Node's parsers it frees (async_hooks sees them go)", async () => {
      const made = new Set<number>();
      const gone = new Set<number>();
      const hook = createHook({
        init: (id, type) => {
          if (type === 'HTTPCLIENTREQUEST') made.add(id);
        },
        destroy: (id) => {
          if (made.has(id)) gone.add(id);
        },
      }).enable();
      try {
        const exports = nodeLlhttp(client, chunk, ERROR);
        assert.ok(exports);
        for (let index = 0; index < 5; index++) exports.llhttp_free(exports.llhttp_alloc(TYPE.RESPONSE, 0));
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        hook.disable();
      }
      assert.equal(made.size, 5);
      assert.deepEqual([...gone].sort(), [...made].sort());
    });
  });
}
