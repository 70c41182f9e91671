/**
 * Node.js's own HTTP parser behind undici's HTTP/1 client, in place of the copy undici compiles.
 *
 * undici parses answers with llhttp compiled to WebAssembly, which V8 compiles in each new process
 * at the first connection: 10-17 ms of a `whiteboard read` that takes about 130 ms on a small
 * machine, on the same cores as the server's answer (docs/performance.md, "The CLI start").
 * Node.js carries llhttp already compiled, the parser node:http uses, reachable through the
 * built-in `_http_common`. This module gives undici's client the llhttp exports it calls (the
 * build's edit of undici's client-h1.js, scripts/build.mjs, hands them over), made over that
 * parser: nothing to compile. Where Node.js has no such parser, or an older llhttp that parses
 * otherwise (`parsesAsUndici`), `nodeLlhttp` returns undefined and undici compiles its own, as it
 * would unedited.
 *
 * What differs from driving llhttp directly, and how it is bridged:
 * - Node's parser collects a header section and hands it over whole (in parts past 32 headers),
 *   as strings; undici's client takes each name and value as bytes. Node reads them as Latin-1,
 *   so `Buffer.from(text, 'latin1')` gives back the bytes received.
 * - Node's parser passes on what the callback for the headers returns (0, 1 skip the body, 2
 *   upgrade, -1 fail, llhttp's PAUSED), but not what those for the start of a message, its body and
 *   its end return, and it parses the bytes at hand to their end. A -1 from those stops delivery
 *   here. llhttp's PAUSED from a body is reported once the bytes are parsed, with all of them
 *   taken: the client gives no more until it resumes, as after a pause. Those bytes may have ended
 *   the message whose body asked (undici's parser would have stopped before its end): the pause is
 *   then called off, because the client resumes only when the reader of a body wants more of it,
 *   and an ended body wants none; a parser left paused held the next answer on the connection
 *   (`--follow` reuses it) until undici's wait for its headers failed an assertion. A PAUSED at the
 *   end of a message, which undici asks only as it closes the connection, delivers nothing more of
 *   those bytes, as llhttp would stop there. Node's parser itself is never paused from here: asked
 *   inside a callback, it would pause only after the bytes at hand, and an `execute` while it is
 *   paused reports a position left over from earlier bytes.
 * - An exception in a callback is kept and thrown from `execute`, as it comes through llhttp's
 *   WebAssembly; Node.js 22 and newer would not pass on every one of them.
 * - A header section over the limit fails as undici fails it (HeadersOverflowError), not as a
 *   parse error.
 *
 * Known differences that remain (test/cli/node-http-parser.test.ts pins them), none of which the
 * CLI's output or its choice to retry depends on:
 * - Node's parser trims spaces and tabs at the end of a header value; undici's keeps them.
 * - Node's parser counts the status text against the header limit; undici counts names and values.
 * - An answer that fails inside its header section after a `content-length` fails as not HTTP
 *   (HTTPParserError) rather than as a length mismatch: undici's client reads the length as each
 *   header arrives, and Node's parser hands over none of a section that does not end.
 */

/** The llhttp error codes undici's client knows (undici/lib/llhttp/constants.js, `ERROR`). */
export type LlhttpErrors = Readonly<Record<string, number>> & {
  readonly OK: number;
  readonly INTERNAL: number;
  readonly PAUSED: number;
  readonly PAUSED_UPGRADE: number;
  readonly USER: number;
  readonly CB_MESSAGE_BEGIN: number;
  readonly CB_HEADERS_COMPLETE: number;
  readonly CB_MESSAGE_COMPLETE: number;
};

/** What undici's client-h1 `Parser` does with a parsed answer; each returns an llhttp code. */
export interface AnswerHandler {
  onMessageBegin(): number;
  onStatus(text: Buffer): number;
  onHeaderField(bytes: Buffer): number;
  onHeaderValue(bytes: Buffer): number;
  onHeadersComplete(statusCode: number, upgrade: boolean, shouldKeepAlive: boolean): number;
  onBody(bytes: Buffer): number;
  onMessageComplete(): number;
  /** Counts header bytes against the client's limit; past it, fails the socket as undici does. */
  trackHeader(length: number): void;
}

/** The part of undici's llhttp exports that its client-h1 `Parser` calls, parser handle first. */
export interface LlhttpExports {
  llhttp_alloc(type: number, maxHeaderSize?: number): NodeParser;
  llhttp_execute(parser: NodeParser, at: number, length: number): number;
  llhttp_finish(parser: NodeParser): number;
  llhttp_resume(parser: NodeParser): void;
  llhttp_free(parser: NodeParser): void;
  /** Where parsing stopped, as an offset into the bytes given to the last `execute`. */
  llhttp_get_error_pos(parser: NodeParser): number;
  /** Why, as text (the WebAssembly build gives a pointer into its memory instead). */
  llhttp_get_error_reason(parser: NodeParser): string;
}

/** Node's HTTPParser, as node:http drives it (lib/_http_common.js, lib/_http_client.js). */
interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(bytes: Buffer): number | NativeParseError;
  finish(): undefined | NativeParseError;
  resume(): void;
  close(): void;
  [callback: number]: unknown;
}
interface NativeParseError extends Error {
  readonly code: string;
  readonly reason: string;
  readonly bytesParsed: number;
}
interface NativeParserClass {
  new (): NativeParser;
  readonly RESPONSE: number;
  readonly kOnMessageBegin: number;
  readonly kOnHeaders: number;
  readonly kOnHeadersComplete: number;
  readonly kOnBody: number;
  readonly kOnMessageComplete: number;
}

const isParserClass = (value: unknown): value is NativeParserClass => {
  if (typeof value !== 'function') return false;
  const parser = value as unknown as Record<string, unknown>;
  const prototype = (value as { prototype?: Record<string, unknown> }).prototype;
  return (
    [
      'RESPONSE',
      'kOnMessageBegin',
      'kOnHeaders',
      'kOnHeadersComplete',
      'kOnBody',
      'kOnMessageComplete',
    ].every((key) => typeof parser[key] === 'number') &&
    prototype !== undefined &&
    ['initialize', 'execute', 'finish', 'resume', 'close'].every(
      (key) => typeof prototype[key] === 'function',
    )
  );
};

/**
 * Whether a Node.js whose llhttp is of this version parses answers as undici's does: llhttp 9, the
 * major version undici 7 compiles. Node.js 20.19.0 and older carry llhttp 8.1.2 (20.19.5 has
 * 9.3.0), which ends two of the differential test's answers otherwise, run on Node.js 20.18.0
 * (test/cli/node-http-parser.test.ts): it waits for the body of a 304 that gives a content-length,
 * which RFC 9110 15.4.5 says a 304 never has, and it takes a header name with a space in it.
 */
export const parsesAsUndici = (llhttpVersion: string | undefined): boolean =>
  Number(llhttpVersion?.split('.')[0]) >= 9;

/** Node's HTTPParser, or undefined where this Node.js has none of the expected shape or version. */
const nativeParserClass = (): NativeParserClass | undefined => {
  if (!parsesAsUndici(process.versions.llhttp)) return undefined;
  try {
    const common = process.getBuiltinModule('_http_common') as { HTTPParser?: unknown } | undefined;
    return isParserClass(common?.HTTPParser) ? common.HTTPParser : undefined;
  } catch {
    return undefined;
  }
};

/** One answer stream's parser: Node's, and what this bridge keeps beside it. */
export class NodeParser {
  /** Where the last `execute` stopped, and why. */
  position = 0;
  reason = '';
  /** The llhttp code a callback stopped with (-1 from undici's client): nothing more is delivered. */
  stopped: number | undefined;
  /** An exception from a callback, thrown again from `execute`. */
  thrown: { readonly error: unknown } | undefined;
  /**
   * A pause the client asked for during this `execute`: in a body ('body'), called off if these
   * bytes end the message; or at the end of a message ('held'), which undici's client asks only
   * as it closes the connection, and after which nothing more of these bytes is delivered (llhttp
   * would stop there).
   */
  pause: 'none' | 'body' | 'held' = 'none';
  /** The client took an upgrade (onHeadersComplete returned 2): the bytes after it are not HTTP. */
  upgraded = false;

  constructor(readonly native: NativeParser) {}
}

/**
 * The llhttp exports over Node's parser. `current` is the client's parser being fed (undici sets
 * it around each `execute` and `finish`); `bytes` the chunk it is fed. Undefined where Node.js has
 * no such parser.
 */
export const nodeLlhttp = (
  current: () => AnswerHandler,
  bytes: () => Buffer,
  errors: LlhttpErrors,
): LlhttpExports | undefined => {
  const HTTPParser = nativeParserClass();
  if (HTTPParser === undefined) return undefined;

  /** Runs one callback of the client; a -1 stops delivery with `code`, an exception is kept. */
  const deliver = (state: NodeParser, code: number, call: (handler: AnswerHandler) => number): number => {
    if (state.stopped !== undefined || state.pause === 'held') return -1;
    try {
      const result = call(current());
      if (result === -1) state.stopped = code;
      return result;
    } catch (error) {
      state.thrown = { error };
      state.stopped = errors.USER;
      return -1;
    }
  };

  const headers = (state: NodeParser, list: readonly string[]) => {
    for (let index = 0; index + 1 < list.length; index += 2) {
      deliver(state, errors.USER, (handler) =>
        handler.onHeaderField(Buffer.from(list[index] as string, 'latin1')),
      );
      deliver(state, errors.USER, (handler) =>
        handler.onHeaderValue(Buffer.from(list[index + 1] as string, 'latin1')),
      );
    }
  };

  /**
   * What an `execute` of `length` bytes, or a `finish` (`length` undefined), of Node's parser comes
   * to, as llhttp would say it.
   */
  const outcome = (
    state: NodeParser,
    result: number | NativeParseError | undefined,
    length: number | undefined,
  ): number => {
    if (state.thrown !== undefined) {
      const { error } = state.thrown;
      state.thrown = undefined;
      throw error;
    }
    if (state.stopped !== undefined) {
      state.reason = 'User callback error';
      return state.stopped;
    }
    if (state.pause === 'held') {
      state.position = length ?? 0;
      return errors.PAUSED;
    }
    if (result instanceof Error) {
      state.reason = result.reason;
      // After `finish` the place means nothing (no bytes were given), and Node.js computes it from
      // none.
      const position = length === undefined ? 0 : result.bytesParsed;
      if (!(position >= 0 && position <= (length ?? 0))) {
        // Not a place in these bytes (one left over from earlier ones, as when `execute` is called
        // while Node's parser is paused): fail the answer rather than hold bytes for a resume.
        state.position = 0;
        return errors.INTERNAL;
      }
      state.position = position;
      const code = result.code.replace(/^HPE_/, '');
      if (code === 'HEADER_OVERFLOW') {
        // undici counts header bytes itself and fails with HeadersOverflowError; Node's parser,
        // given the same limit, holds the section until it is whole and so finds it first.
        current().trackHeader(Number.POSITIVE_INFINITY);
        return errors.USER;
      }
      return errors[code] ?? errors.USER;
    }
    if (state.pause === 'body') {
      // All the bytes are taken; the client gives no more until its reader wants more of the body
      // and it calls `resume`.
      state.position = length ?? 0;
      return errors.PAUSED;
    }
    if (state.upgraded && typeof result === 'number') {
      // Node's parser stops after the upgrade's header section and reports success, with the
      // number of bytes it took (Node.js, src/node_http_parser.cc); the rest is the new protocol's.
      state.position = result;
      return errors.PAUSED_UPGRADE;
    }
    return errors.OK;
  };

  return {
    llhttp_alloc(_type, maxHeaderSize = 0) {
      const native = new HTTPParser();
      // The resource only names the parser to async_hooks; lenient flags none (strict, as undici).
      native.initialize(HTTPParser.RESPONSE, {}, maxHeaderSize, 0);
      const state = new NodeParser(native);
      native[HTTPParser.kOnMessageBegin] = () => {
        deliver(state, errors.CB_MESSAGE_BEGIN, (handler) => handler.onMessageBegin());
      };
      native[HTTPParser.kOnHeaders] = (list: string[]) => headers(state, list);
      native[HTTPParser.kOnHeadersComplete] = (
        _versionMajor: number,
        _versionMinor: number,
        list: string[] | undefined,
        _method: unknown,
        _url: unknown,
        statusCode: number,
        statusMessage: string | undefined,
        upgrade: boolean,
        shouldKeepAlive: boolean,
      ): number => {
        deliver(state, errors.USER, (handler) =>
          handler.onStatus(Buffer.from(statusMessage ?? '', 'latin1')),
        );
        if (list !== undefined) headers(state, list);
        const result = deliver(state, errors.CB_HEADERS_COMPLETE, (handler) =>
          handler.onHeadersComplete(statusCode, upgrade, shouldKeepAlive),
        );
        // Passed on as it is: Node's parser acts on 0, 1, 2, -1 and llhttp's PAUSED here itself.
        if (result === 2) state.upgraded = true;
        return result;
      };
      native[HTTPParser.kOnBody] = (chunk: Buffer) => {
        if (deliver(state, errors.USER, (handler) => handler.onBody(chunk)) === errors.PAUSED) {
          state.pause = 'body';
        }
      };
      native[HTTPParser.kOnMessageComplete] = () => {
        if (
          deliver(state, errors.CB_MESSAGE_COMPLETE, (handler) => handler.onMessageComplete()) ===
          errors.PAUSED
        ) {
          state.pause = 'held';
        } else if (state.pause === 'body') {
          // The body that asked for a pause has ended: nothing is left to hold back for its reader.
          state.pause = 'none';
        }
      };
      return state;
    },
    llhttp_execute(state) {
      const chunk = bytes();
      state.pause = 'none';
      if (state.stopped !== undefined) return state.stopped;
      return outcome(state, state.native.execute(chunk), chunk.length);
    },
    llhttp_finish(state) {
      state.pause = 'none';
      if (state.stopped !== undefined) return state.stopped;
      return outcome(state, state.native.finish(), undefined);
    },
    llhttp_resume(state) {
      state.native.resume();
    },
    llhttp_free(state) {
      state.native.close();
    },
    llhttp_get_error_pos: (state) => state.position,
    llhttp_get_error_reason: (state) => state.reason,
  };
};
