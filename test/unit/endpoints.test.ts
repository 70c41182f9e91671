/**
 * The HTTP layer end to end in one process: real API Gateway payload 2.0 events go through the
 * endpoints wrapped by `instrument` exactly as the Lambda handlers wrap them, with real Powertools
 * Logger / Metrics / Tracer, and an in-memory repository instead of DynamoDB.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { InMemoryMessageRepository } from '../../backend/adapters/in-memory-message-repository.ts';
import {
  ANSWERED_CODES,
  MessageIdConflictError,
  PayloadTooLargeError,
  StoreBusyError,
  UnsupportedMediaTypeError,
  ValidationError,
  WhiteboardError,
} from '../../backend/domain/errors.ts';
import { type Message, messageIdMaker } from '../../backend/domain/message.ts';
import { createMessageService } from '../../backend/domain/message-service.ts';
import { instrument, observer, type Powertools } from '../../backend/handlers/instrument.ts';
import type { ApiEvent, ApiResult } from '../../backend/http/api-types.ts';
import { postMessageEndpoint, readMessagesEndpoint } from '../../backend/http/endpoints.ts';
import { errorAnswer } from '../../backend/http/error-response.ts';
import { commonEnvironment } from '../../backend/http/routes.ts';
import { apiEvent, lambdaContext, postEvent } from '../helpers/api-events.ts';
import { sequentialIds } from './helpers/ids.ts';
import { captureOutput } from './helpers/output.ts';

// The environment of a deployed function (backend/http/routes.ts), as the Lambda runtime sets it
// for an on-demand execution environment. Powertools reads it when its objects are constructed.
Object.assign(process.env, commonEnvironment, { AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' });
delete process.env.POWERTOOLS_DEV;
delete process.env.POWERTOOLS_METRICS_DISABLED;
delete process.env._HANDLER;

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const BODY_LIMIT = 32 * 1024;
const EMOJI = '\u{1F600}';

type Json = Record<string, unknown>;

interface Response {
  readonly result: ApiResult;
  readonly status: number;
  readonly body: Json;
  /** JSON lines Powertools wrote during the invocation (logs and EMF). */
  readonly records: Json[];
  /** Lines written that are not JSON. */
  readonly text: string[];
}

/** A fresh "deployment": Powertools objects, repository, service and both handlers. */
const createApp = (repository: InMemoryMessageRepository = new InMemoryMessageRepository()) => {
  const powertools: Powertools = { logger: new Logger(), tracer: new Tracer(), metrics: new Metrics() };
  const service = createMessageService({ repository, newId: messageIdMaker() });
  const handlers = {
    GET: instrument(powertools, readMessagesEndpoint(service, observer(powertools))),
    POST: instrument(powertools, postMessageEndpoint(service, observer(powertools))),
  };
  const invoke = async (event: ApiEvent, context: Context = lambdaContext()): Promise<Response> => {
    const method = event.requestContext.http.method;
    assert.ok(method === 'GET' || method === 'POST');
    const { result, records, text } = await captureOutput(() => handlers[method](event, context));
    return { result, status: result.statusCode, body: JSON.parse(result.body) as Json, records, text };
  };
  /** What the board holds, read straight from the repository (not counted in the assertions). */
  const stored = async (board = 'default'): Promise<Message[]> => repository.held(board);
  return { repository, powertools, invoke, stored };
};

/** Posts `count` messages "m1".."mN" to a board through the API; returns them oldest first. */
const seed = async (app: ReturnType<typeof createApp>, count: number, board?: string): Promise<Json[]> => {
  const posted: Json[] = [];
  for (let n = 1; n <= count; n++) {
    const response = await app.invoke(postEvent({ author: 'Ada', text: `m${n}` }, { board }));
    assert.equal(response.status, 201);
    posted.push(response.body);
  }
  app.repository.resetCalls();
  return posted;
};

const assertJsonError = (response: Response, status: number, code: string): void => {
  assert.equal(
    response.status,
    status,
    `expected ${status}, got ${response.status}: ${response.result.body}`,
  );
  assert.equal(response.result.headers?.['content-type'], JSON_CONTENT_TYPE);
  assert.deepEqual(Object.keys(response.body).sort(), ['code', 'message']);
  assert.equal(response.body.code, code);
  assert.equal(typeof response.body.message, 'string');
  assert.ok((response.body.message as string).length > 0, 'the message says what is wrong');
};

const texts = (body: Json): unknown[] => (body.messages as Json[]).map((message) => message.text);

/** `{"author":"Ada","text":...}` followed by JSON whitespace up to exactly `bytes` UTF-8 bytes. */
const bodyOfBytes = (bytes: number, text = 'padded'): string => {
  const json = JSON.stringify({ author: 'Ada', text });
  const padding = bytes - Buffer.byteLength(json, 'utf8');
  assert.ok(padding >= 0, 'the JSON itself fits in the requested size');
  return `${json}${' '.repeat(padding)}`;
};

/** A body with the given content, sent the way API Gateway sends a binary body. */
const base64Event = (raw: string, board?: string): ApiEvent =>
  apiEvent({
    method: 'POST',
    board,
    body: Buffer.from(raw, 'utf8').toString('base64'),
    isBase64Encoded: true,
  });

const emfRecords = (records: Json[]) =>
  records
    .filter((record) => typeof record._aws === 'object')
    .map((record) => {
      const aws = record._aws as {
        CloudWatchMetrics: {
          Namespace: string;
          Dimensions: string[][];
          Metrics: { Name: string; Unit: string }[];
        }[];
      };
      const [directive] = aws.CloudWatchMetrics;
      assert.ok(directive, 'an EMF record has a CloudWatchMetrics directive');
      return {
        record,
        namespace: directive.Namespace,
        dimensions: directive.Dimensions.flat(),
        names: directive.Metrics.map((m) => m.Name),
      };
    });

const metricValue = (records: Json[], name: string): unknown => {
  const found = emfRecords(records).filter((emf) => emf.names.includes(name));
  assert.ok(found.length <= 1, `${name} is published once per request`);
  return found[0]?.record[name];
};

const requestLogs = (records: Json[]) => records.filter((record) => record.message === 'request');

describe('POST /messages and POST /boards/{board}/messages', () => {
  it('answers 201 with the stored message as JSON: id, board, author, text, createdAt', async () => {
    const app = createApp();
    const response = await app.invoke(postEvent({ author: 'Ada', text: 'Hello, board' }));

    assert.equal(response.status, 201);
    assert.equal(response.result.headers?.['content-type'], JSON_CONTENT_TYPE);
    assert.deepEqual(Object.keys(response.body).sort(), ['author', 'board', 'createdAt', 'id', 'text']);
    assert.equal(response.body.board, 'default');
    assert.equal(response.body.author, 'Ada');
    assert.equal(response.body.text, 'Hello, board');
    assert.match(response.body.id as string, ULID);
    assert.match(response.body.createdAt as string, ISO_UTC);
    assert.deepEqual(await app.stored(), [response.body]);
  });

  it('stores a message on the board named in the path and only there', async () => {
    const app = createApp();
    const response = await app.invoke(postEvent({ author: 'Ada', text: 'on team' }, { board: 'team-A_1' }));

    assert.equal(response.status, 201);
    assert.equal(response.body.board, 'team-A_1');
    assert.deepEqual(await app.stored('team-A_1'), [response.body]);
    assert.deepEqual(await app.stored('default'), []);
  });

  it("annotates the trace with the board, read or posted to, to find a board's traces by", async () => {
    const app = createApp();
    const annotations: [string, unknown][] = [];
    app.powertools.tracer.putAnnotation = (key, value) => {
      annotations.push([key, value]);
    };
    await app.invoke(postEvent({ author: 'Ada', text: 'hi' }, { board: 'team-A' }));
    await app.invoke(apiEvent({ board: 'default' }));
    assert.deepEqual(annotations, [
      ['board', 'team-A'],
      ['board', 'default'],
    ]);
  });

  it('treats /messages as the board named "default"', async () => {
    const app = createApp();
    const posted = await app.invoke(postEvent({ author: 'Ada', text: 'hi' }));
    const read = await app.invoke(apiEvent({ board: 'default' }));
    assert.deepEqual(read.body.messages, [posted.body]);
  });

  it('stores and returns the trimmed author and text', async () => {
    const app = createApp();
    const response = await app.invoke(postEvent({ author: '  Ada ', text: '\n line one\n\tline two  \n' }));
    assert.equal(response.status, 201);
    assert.equal(response.body.author, 'Ada');
    assert.equal(response.body.text, 'line one\n\tline two');
    assert.equal((await app.stored())[0]?.text, 'line one\n\tline two');
  });

  it('decodes a base64-encoded body, including multi-byte UTF-8', async () => {
    const app = createApp();
    const response = await app.invoke(
      base64Event(JSON.stringify({ author: 'Zoë', text: `héllo ${EMOJI} 李` }), 'intl'),
    );
    assert.equal(response.status, 201);
    assert.equal(response.body.author, 'Zoë');
    assert.equal(response.body.text, `héllo ${EMOJI} 李`);
    assert.equal((await app.stored('intl'))[0]?.author, 'Zoë');
  });

  it('accepts a JSON body with surrounding whitespace and CRLF line breaks', async () => {
    const app = createApp();
    const response = await app.invoke(
      apiEvent({ method: 'POST', body: '\r\n{\r\n\t"author": "Ada",\r\n\t"text": "hi"\r\n}\r\n' }),
    );
    assert.equal(response.status, 201);
  });

  it('ignores a leading byte order mark, whether the body came as text or base64', async () => {
    const app = createApp();
    const json = `\ufeff${JSON.stringify({ author: 'Ada', text: 'with a BOM' })}`;
    for (const event of [apiEvent({ method: 'POST', body: json }), base64Event(json)]) {
      const response = await app.invoke(event);
      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.equal(response.body.author, 'Ada');
    }
    assert.equal((await app.stored()).length, 2);
  });

  it('makes exactly one repository write and no query per POST', async () => {
    const app = createApp();
    await app.invoke(postEvent({ author: 'Ada', text: 'hi' }));
    assert.deepEqual(app.repository.calls, { put: 1 });
  });
});

describe('POST with bad input: 400 with {message, code}, nothing stored', () => {
  const cases: [label: string, event: () => ApiEvent, code: string][] = [
    ['invalid JSON', () => apiEvent({ method: 'POST', body: '{"author": "Ada", "text": ' }), 'INVALID_JSON'],
    [
      'JSON followed by garbage',
      () => apiEvent({ method: 'POST', body: '{"author":"Ada","text":"hi"} x' }),
      'INVALID_JSON',
    ],
    ['form-encoded data', () => apiEvent({ method: 'POST', body: 'author=Ada&text=hi' }), 'INVALID_JSON'],
    ['an empty body', () => apiEvent({ method: 'POST', body: '' }), 'INVALID_JSON'],
    ['a body of only whitespace', () => apiEvent({ method: 'POST', body: ' \r\n\t ' }), 'INVALID_JSON'],
    ['no body at all', () => apiEvent({ method: 'POST' }), 'INVALID_JSON'],
    ['a base64 body that is not JSON', () => base64Event('not json'), 'INVALID_JSON'],
    [
      'a base64 body that is not valid UTF-8',
      () => ({
        ...apiEvent({ method: 'POST', body: '' }),
        isBase64Encoded: true,
        body: Buffer.concat([
          Buffer.from('{"author":"Ada","text":"'),
          Buffer.from([0xff, 0xfe]),
          Buffer.from('"}'),
        ]).toString('base64'),
      }),
      'INVALID_JSON',
    ],
    ['a JSON null', () => apiEvent({ method: 'POST', body: 'null' }), 'INVALID_BODY'],
    ['a JSON array', () => postEvent([{ author: 'Ada', text: 'hi' }]), 'INVALID_BODY'],
    ['a JSON string', () => postEvent('Ada: hi'), 'INVALID_BODY'],
    [
      'an unknown field',
      () => postEvent({ author: 'Ada', text: 'hi', id: '01J0000000000000000000000Z' }),
      'INVALID_BODY',
    ],
    ['a missing author', () => postEvent({ text: 'hi' }), 'INVALID_AUTHOR'],
    ['a numeric author', () => postEvent({ author: 42, text: 'hi' }), 'INVALID_AUTHOR'],
    ['a null author', () => postEvent({ author: null, text: 'hi' }), 'INVALID_AUTHOR'],
    ['an author of 65 characters', () => postEvent({ author: 'a'.repeat(65), text: 'hi' }), 'INVALID_AUTHOR'],
    ['a blank author', () => postEvent({ author: '   ', text: 'hi' }), 'INVALID_AUTHOR'],
    [
      'a newline inside the author',
      () => postEvent({ author: 'Ada\nLovelace', text: 'hi' }),
      'INVALID_AUTHOR',
    ],
    ['a missing text', () => postEvent({ author: 'Ada' }), 'INVALID_TEXT'],
    ['a text that is an array', () => postEvent({ author: 'Ada', text: ['hi'] }), 'INVALID_TEXT'],
    [
      'a text longer than 2000 characters',
      () => postEvent({ author: 'Ada', text: 'x'.repeat(2001) }),
      'INVALID_TEXT',
    ],
    [
      'an escape character in the text',
      () => postEvent({ author: 'Ada', text: 'red \u001b[31m' }),
      'INVALID_TEXT',
    ],
    ['a C1 control in the text', () => postEvent({ author: 'Ada', text: 'a\u0085b' }), 'INVALID_TEXT'],
    [
      'a board name with a dot',
      () => postEvent({ author: 'Ada', text: 'hi' }, { board: 'team.a' }),
      'INVALID_BOARD',
    ],
    [
      'a board name of 65 characters',
      () => postEvent({ author: 'Ada', text: 'hi' }, { board: 'b'.repeat(65) }),
      'INVALID_BOARD',
    ],
  ];

  for (const [label, event, code] of cases) {
    it(`rejects ${label} with 400 ${code} and stores nothing`, async () => {
      const app = createApp();
      const response = await app.invoke(event());
      assertJsonError(response, 400, code);
      assert.deepEqual(app.repository.calls, {}, 'the repository was not called');
      assert.deepEqual(await app.stored(), []);
    });
  }

  it('says which field is wrong and why', async () => {
    const app = createApp();
    const response = await app.invoke(postEvent({ author: 'Ada', text: 'x'.repeat(2001) }));
    assert.equal(response.body.message, 'text is 2001 characters; at most 2000 are allowed');
  });
});

describe('an empty JSON body', () => {
  for (const body of ['', ' \r\n\t ', '\ufeff  ']) {
    it(`is told that the body is empty, not that JSON is invalid (${JSON.stringify(body)})`, async () => {
      const app = createApp();
      const response = await app.invoke(apiEvent({ method: 'POST', body }));
      assertJsonError(response, 400, 'INVALID_JSON');
      assert.equal(
        response.body.message,
        'request body is empty: send a JSON object {"author": ..., "text": ...}',
      );
    });
  }

  it('quotes a body that is not JSON in whole characters, never half an emoji', async () => {
    const app = createApp();
    // V8's message quotes the body around the fault, cut in UTF-16 units.
    for (const body of ['😀'.repeat(6), `a${'😀'.repeat(30)}`]) {
      const response = await app.invoke(apiEvent({ method: 'POST', body }));
      assertJsonError(response, 400, 'INVALID_JSON');
      const message = response.body.message as string;
      assert.ok(message.startsWith('request body is not valid JSON: '), message);
      assert.ok(message.isWellFormed(), JSON.stringify(message));
    }
    assert.deepEqual(app.repository.calls, {});
  });
});

describe('request body media type: JSON only (415 otherwise)', () => {
  /** A POST of a valid message's JSON, with `contentType` as its Content-Type (none when undefined). */
  const typed = (contentType: string | undefined) => {
    const event = postEvent({ author: 'Ada', text: 'hi' });
    if (contentType === undefined) delete event.headers['content-type'];
    else event.headers['content-type'] = contentType;
    return event;
  };

  for (const [label, contentType] of [
    ['text/plain (what a web page may send to another site unasked)', 'text/plain;charset=UTF-8'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['no Content-Type', undefined],
    ['two Content-Types, joined', 'application/json,text/plain'],
    ['a JSON type in its parameters only', 'text/plain; x=application/json'],
  ] as const) {
    it(`rejects a valid message sent as ${label} with 415 UNSUPPORTED_MEDIA_TYPE, storing nothing`, async () => {
      const app = createApp();
      const response = await app.invoke(typed(contentType));
      assertJsonError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
      assert.match(
        response.body.message as string,
        /^request body must be sent with Content-Type: application\/json; it came (as "|without one$)/,
      );
      assert.deepEqual(app.repository.calls, {});
    });
  }

  for (const [label, contentType, encoding, message] of [
    [
      'JSON in UTF-16',
      'application/json; charset=UTF-16',
      undefined,
      'request body must be JSON in UTF-8; it came as charset "UTF-16"',
    ],
    [
      'JSON in Latin-1',
      'application/json;charset="iso-8859-1"',
      undefined,
      'request body must be JSON in UTF-8; it came as charset "iso-8859-1"',
    ],
    [
      'gzip-compressed JSON',
      'application/json',
      'gzip',
      'request body must be sent uncompressed; it came with Content-Encoding "gzip"',
    ],
  ] as const) {
    it(`rejects ${label} with 415 UNSUPPORTED_MEDIA_TYPE saying so, storing nothing`, async () => {
      const app = createApp();
      const event = typed(contentType);
      if (encoding !== undefined) event.headers['content-encoding'] = encoding;
      const response = await app.invoke(event);
      assertJsonError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
      assert.equal(response.body.message, message);
      assert.deepEqual(app.repository.calls, {});
    });
  }

  for (const [contentType, encoding] of [
    ['application/json; charset=utf-8', undefined],
    ['application/json; charset="UTF-8"', undefined],
    ['application/json; charset=us-ascii', undefined],
    ['Application/JSON', 'identity'],
    ['application/vnd.whiteboard+json', undefined],
  ] as const) {
    it(`stores a message sent as ${contentType}${encoding ? `, Content-Encoding ${encoding}` : ''}`, async () => {
      const app = createApp();
      const event = typed(contentType);
      if (encoding !== undefined) event.headers['content-encoding'] = encoding;
      assert.equal((await app.invoke(event)).status, 201);
    });
  }
});

describe('request body size limit (32 KiB, in UTF-8 bytes)', () => {
  it('accepts a body of exactly 32768 bytes', async () => {
    const app = createApp();
    const body = bodyOfBytes(BODY_LIMIT);
    const response = await app.invoke(apiEvent({ method: 'POST', body }));
    assert.equal(response.status, 201);
  });

  it('rejects a body of 32769 bytes with 413 PAYLOAD_TOO_LARGE and stores nothing', async () => {
    const app = createApp();
    const response = await app.invoke(apiEvent({ method: 'POST', body: bodyOfBytes(BODY_LIMIT + 1) }));
    assertJsonError(response, 413, 'PAYLOAD_TOO_LARGE');
    assert.equal(response.body.message, 'request body is 32769 bytes; the limit is 32768 bytes');
    assert.deepEqual(app.repository.calls, {});
    assert.deepEqual(await app.stored(), []);
  });

  it('counts UTF-8 bytes, not UTF-16 units: fewer than 32768 string units but 32769 bytes is too large', async () => {
    const app = createApp();
    const body = bodyOfBytes(BODY_LIMIT + 1, EMOJI.repeat(2000));
    assert.ok(body.length < BODY_LIMIT, 'the body is short in UTF-16 units');
    const response = await app.invoke(apiEvent({ method: 'POST', body }));
    assertJsonError(response, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('accepts the largest valid message with every character escaped, as Python writes JSON', async () => {
    const app = createApp();
    const escaped = (count: number) => '\\ud83d\\ude00'.repeat(count); // an emoji as json.dumps writes it
    const body = `{"author": "${escaped(64)}", "text": "${escaped(2000)}"}`;
    assert.ok(Buffer.byteLength(body) > 24_000, 'the body is larger than the same message unescaped');
    const response = await app.invoke(apiEvent({ method: 'POST', body }));
    assert.equal(response.status, 201);
    assert.equal(response.body.text, EMOJI.repeat(2000));
  });

  it('accepts a multi-byte body of exactly 32768 bytes', async () => {
    const app = createApp();
    const response = await app.invoke(
      apiEvent({ method: 'POST', body: bodyOfBytes(BODY_LIMIT, EMOJI.repeat(2000)) }),
    );
    assert.equal(response.status, 201);
    assert.equal(response.body.text, EMOJI.repeat(2000));
  });

  it('measures a base64 body after decoding: 32768 decoded bytes are accepted', async () => {
    const app = createApp();
    const event = base64Event(bodyOfBytes(BODY_LIMIT));
    assert.ok((event.body ?? '').length > BODY_LIMIT, 'the base64 text itself is longer than the limit');
    const response = await app.invoke(event);
    assert.equal(response.status, 201);
  });

  it('rejects a base64 body that decodes to 32769 bytes with 413', async () => {
    const app = createApp();
    const response = await app.invoke(base64Event(bodyOfBytes(BODY_LIMIT + 1)));
    assertJsonError(response, 413, 'PAYLOAD_TOO_LARGE');
    assert.match(response.body.message as string, /32769 bytes/);
    assert.deepEqual(app.repository.calls, {});
  });

  it('answers 413 rather than 400 for an oversized body that is not JSON either', async () => {
    const app = createApp();
    const response = await app.invoke(apiEvent({ method: 'POST', body: '{'.repeat(BODY_LIMIT + 1) }));
    assertJsonError(response, 413, 'PAYLOAD_TOO_LARGE');
  });
});

describe('GET /messages and GET /boards/{board}/messages', () => {
  it('answers 200 {messages, nextCursor} with the 3 most recent messages, newest first, by default', async () => {
    const app = createApp();
    const posted = await seed(app, 5);
    const response = await app.invoke(apiEvent());

    assert.equal(response.status, 200);
    assert.equal(response.result.headers?.['content-type'], JSON_CONTENT_TYPE);
    assert.deepEqual(Object.keys(response.body).sort(), ['messages', 'nextCursor']);
    assert.deepEqual(response.body.messages, [posted[4], posted[3], posted[2]]);
    assert.equal(typeof response.body.nextCursor, 'string');
  });

  it('answers an empty board with no messages and a null cursor', async () => {
    const app = createApp();
    const response = await app.invoke(apiEvent({ board: 'empty' }));
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { messages: [], nextCursor: null });
  });

  it('returns one message with limit=1', async () => {
    const app = createApp();
    await seed(app, 3);
    const response = await app.invoke(apiEvent({ query: { limit: '1' } }));
    assert.deepEqual(texts(response.body), ['m3']);
  });

  it('returns up to 100 messages with limit=100', async () => {
    const app = createApp();
    await seed(app, 101);
    const response = await app.invoke(apiEvent({ query: { limit: '100' } }));
    assert.equal(response.status, 200);
    assert.equal((response.body.messages as Json[]).length, 100);
    assert.equal(texts(response.body)[0], 'm101');
    assert.equal(texts(response.body)[99], 'm2');
  });

  it('walks 10 messages with limit=3 through nextCursor: each once, in order, ending with null', async () => {
    const app = createApp();
    const posted = await seed(app, 10, 'walk');
    const seen: unknown[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      assert.ok(++pages <= 10, 'the walk ends');
      const query: Record<string, string> = { limit: '3' };
      if (cursor !== undefined) query.cursor = cursor;
      const response = await app.invoke(apiEvent({ board: 'walk', query }));
      assert.equal(response.status, 200);
      seen.push(...(response.body.messages as Json[]));
      if (response.body.nextCursor === null) break;
      cursor = response.body.nextCursor as string;
    }
    assert.deepEqual(seen, [...posted].reverse());
    assert.equal(pages, 4);
  });

  it('with since, returns only messages newer than that id', async () => {
    const app = createApp();
    const posted = await seed(app, 5);
    const response = await app.invoke(apiEvent({ query: { since: posted[2]?.id as string, limit: '10' } }));
    assert.equal(response.status, 200);
    assert.deepEqual(texts(response.body), ['m5', 'm4']);
    assert.equal(response.body.nextCursor, null);
  });

  it('reads since in lower case as the same id (ULIDs are case insensitive)', async () => {
    const app = createApp();
    const posted = await seed(app, 5);
    const response = await app.invoke(
      apiEvent({ query: { since: String(posted[2]?.id).toLowerCase(), limit: '10' } }),
    );
    assert.equal(response.status, 200);
    assert.deepEqual(texts(response.body), ['m5', 'm4']);
  });

  it('makes exactly one repository query and no write per GET', async () => {
    const app = createApp();
    await seed(app, 5);
    const first = await app.invoke(apiEvent({ query: { limit: '2' } }));
    assert.deepEqual(app.repository.calls, { list: 1 });
    await app.invoke(apiEvent({ query: { limit: '2', cursor: first.body.nextCursor as string } }));
    assert.deepEqual(app.repository.calls, { list: 2 });
  });

  const badQueries: [label: string, query: Record<string, string>, code: string][] = [
    ['limit=0', { limit: '0' }, 'INVALID_LIMIT'],
    ['limit=101', { limit: '101' }, 'INVALID_LIMIT'],
    ['limit=abc', { limit: 'abc' }, 'INVALID_LIMIT'],
    ['limit=1.5', { limit: '1.5' }, 'INVALID_LIMIT'],
    ['a repeated limit (joined as "1,2")', { limit: '1,2' }, 'INVALID_LIMIT'],
    ['limit=-1', { limit: '-1' }, 'INVALID_LIMIT'],
    ['limit=" 5"', { limit: ' 5' }, 'INVALID_LIMIT'],
    ['an empty limit', { limit: '' }, 'INVALID_LIMIT'],
    ['a garbage cursor', { cursor: 'not-a-cursor' }, 'INVALID_CURSOR'],
    ['an empty cursor', { cursor: '' }, 'INVALID_CURSOR'],
    ['a cursor with base64 padding', { cursor: 'eyJiIjoiZGVmYXVsdCJ9==' }, 'INVALID_CURSOR'],
    ['since that is not a message id', { since: 'yesterday' }, 'INVALID_SINCE'],
    ['since over the largest ULID', { since: '8ZZZZZZZZZZZZZZZZZZZZZZZZZ' }, 'INVALID_SINCE'],
  ];
  for (const [label, query, code] of badQueries) {
    it(`rejects ${label} with 400 ${code} without querying the repository`, async () => {
      const app = createApp();
      const response = await app.invoke(apiEvent({ query }));
      assertJsonError(response, 400, code);
      assert.deepEqual(app.repository.calls, {});
    });
  }

  it('rejects a cursor from another board with 400 INVALID_CURSOR naming that board', async () => {
    const app = createApp();
    await seed(app, 4, 'team-a');
    const first = await app.invoke(apiEvent({ board: 'team-a' }));
    const cursor = first.body.nextCursor as string;

    const response = await app.invoke(apiEvent({ board: 'team-b', query: { cursor } }));
    assertJsonError(response, 400, 'INVALID_CURSOR');
    assert.match(response.body.message as string, /"team-a"/);

    const onDefault = await app.invoke(apiEvent({ query: { cursor } }));
    assertJsonError(onDefault, 400, 'INVALID_CURSOR');
  });

  it('rejects an invalid board name in the path with 400 INVALID_BOARD', async () => {
    const app = createApp();
    const response = await app.invoke(apiEvent({ board: 'no spaces' }));
    assertJsonError(response, 400, 'INVALID_BOARD');
    assert.deepEqual(app.repository.calls, {});
  });

  it('writes the control characters it quotes from the request as \\uxxxx, not as they came', async () => {
    const app = createApp();
    // A bidirectional override in the board, a C1 control (CSI) in a body that is not JSON.
    const board = await app.invoke(apiEvent({ board: '\u202eabc' }));
    assertJsonError(board, 400, 'INVALID_BOARD');
    assert.match(board.body.message as string, /^board "\\u202eabc" is invalid/);
    const body = await app.invoke(apiEvent({ method: 'POST', body: '\u009b31m' }));
    assertJsonError(body, 400, 'INVALID_JSON');
    assert.match(body.body.message as string, /\\u009b/);
    for (const { body: answered } of [board, body]) {
      assert.doesNotMatch(answered.message as string, /[\u0080-\u009f\u202a-\u202e]/u);
    }
  });
});

describe('unexpected errors: 500 that says nothing internal', () => {
  const SECRET = 'connect ECONNREFUSED 10.1.2.3:443 (table whiteboard-MessagesTable-SECRET42)';

  class BrokenRepository extends InMemoryMessageRepository {
    override async put(): Promise<void> {
      this.count('put');
      throw new Error(SECRET);
    }
    override async list(): Promise<never> {
      this.count('list');
      throw new TypeError(SECRET);
    }
  }

  it('answers a failing write with 500 {"message":"Internal Server Error"} and no internal detail', async () => {
    const app = createApp(new BrokenRepository());
    const response = await app.invoke(postEvent({ author: 'Ada', text: 'hi' }));
    assert.equal(response.status, 500);
    assert.deepEqual(response.body, { message: 'Internal Server Error', code: 'INTERNAL_ERROR' });
    assert.doesNotMatch(response.result.body, /SECRET42|ECONNREFUSED|10\.1\.2\.3|TypeError/);
    assert.deepEqual(app.repository.calls, { put: 1 }, 'the write is not retried');
  });

  it('answers a failing query with the same generic 500', async () => {
    const app = createApp(new BrokenRepository());
    const response = await app.invoke(apiEvent());
    assert.equal(response.status, 500);
    assert.deepEqual(response.body, { message: 'Internal Server Error', code: 'INTERNAL_ERROR' });
    assert.equal(response.result.headers?.['content-type'], JSON_CONTENT_TYPE);
  });

  it('answers a thrown non-Error value with the generic 500 and still logs the request', async () => {
    class ThrowsPlainObject extends InMemoryMessageRepository {
      override async list(): Promise<never> {
        throw { name: 'ThrottlingException', message: SECRET, $metadata: { httpStatusCode: 400 } };
      }
    }
    const app = createApp(new ThrowsPlainObject());
    const response = await app.invoke(apiEvent());
    assert.equal(response.status, 500);
    assert.deepEqual(response.body, { message: 'Internal Server Error', code: 'INTERNAL_ERROR' });
    assert.equal(requestLogs(response.records)[0]?.status, 500);
  });

  it("puts a 5xx's error on its trace as metadata, and nothing of a 4xx", async () => {
    const app = createApp(new BrokenRepository());
    const traced: unknown[] = [];
    app.powertools.tracer.addErrorAsMetadata = (error) => {
      traced.push(error);
    };
    assert.equal((await app.invoke(postEvent({ author: '', text: 'hi' }))).status, 400);
    assert.equal(traced.length, 0);
    assert.equal((await app.invoke(apiEvent())).status, 500);
    assert.equal(traced.length, 1);
    assert.ok(traced[0] instanceof TypeError && traced[0].message === SECRET, String(traced[0]));
  });

  it('logs the failure with its message and stack for the operators', async () => {
    const app = createApp(new BrokenRepository());
    const response = await app.invoke(postEvent({ author: 'Ada', text: 'hi' }));
    const errors = response.records.filter((record) => record.level === 'ERROR');
    assert.equal(errors.length, 1);
    const error = errors[0]?.error as Json;
    assert.equal(error.message, SECRET);
    assert.equal(typeof error.stack, 'string');
  });

  it('answers a repeated id conflict with a 500 that leaks no id, and leaves the existing message alone', async () => {
    const repository = new InMemoryMessageRepository();
    const app = createApp(repository);
    const [existing] = await seed(app, 1);
    const service = createMessageService({ repository, newId: () => existing?.id as string });
    const powertools: Powertools = { logger: new Logger(), tracer: new Tracer(), metrics: new Metrics() };
    const handler = instrument(powertools, postMessageEndpoint(service, observer(powertools)));

    const { result } = await captureOutput(() =>
      handler(postEvent({ author: 'Eve', text: 'mine' }), lambdaContext()),
    );
    assert.equal(result.statusCode, 500);
    assert.deepEqual(JSON.parse(result.body) as Json, {
      message: 'Internal Server Error',
      code: 'INTERNAL_ERROR',
    });
    assert.doesNotMatch(result.body, new RegExp(existing?.id as string));
    assert.deepEqual(await app.stored(), [existing]);
  });
});

describe('errorAnswer: the one mapping from errors to responses', () => {
  const body = (result: ApiResult): Json => JSON.parse(result.body) as Json;
  /** The answer, whose `code` (the request log line's) must be the one its body carries. */
  const errorResult = (error: unknown): ApiResult => {
    const { result, code } = errorAnswer(error);
    assert.equal(code, (body(result) as { code?: unknown }).code);
    return result;
  };

  it("lists in README's error table exactly the codes the API answers with", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    // Rows such as "| 400    | `INVALID_JSON`, `INVALID_BODY` | when ... |": the codes column.
    const documented = readme
      .split('\n')
      .filter((line) => /^\| [45]\d\d /.test(line))
      .flatMap((line) => [...(line.split('|')[2] ?? '').matchAll(/`([A-Z_]+)`/g)].map((match) => match[1]));
    assert.deepEqual([...documented].sort(), [...ANSWERED_CODES].sort());
  });

  it('maps a ValidationError to 400 with its message and code', () => {
    const result = errorResult(new ValidationError('INVALID_LIMIT', 'limit must be ...'));
    assert.equal(result.statusCode, 400);
    assert.deepEqual(body(result), { message: 'limit must be ...', code: 'INVALID_LIMIT' });
  });

  it('maps a PayloadTooLargeError to 413', () => {
    const result = errorResult(new PayloadTooLargeError(32768, 40000));
    assert.equal(result.statusCode, 413);
    assert.deepEqual(body(result), {
      message: 'request body is 40000 bytes; the limit is 32768 bytes',
      code: 'PAYLOAD_TOO_LARGE',
    });
  });

  it('maps an UnsupportedMediaTypeError to 415', () => {
    const result = errorResult(new UnsupportedMediaTypeError('text/plain'));
    assert.equal(result.statusCode, 415);
    assert.deepEqual(body(result), {
      message: 'request body must be sent with Content-Type: application/json; it came as "text/plain"',
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
  });

  it('maps a StoreBusyError (DynamoDB throttling) to a 503 a client may retry after Retry-After', () => {
    const result = errorResult(
      new StoreBusyError({ cause: new Error('Rate of requests exceeds the allowed throughput.') }),
    );
    assert.equal(result.statusCode, 503);
    assert.equal(result.headers?.['retry-after'], '1');
    assert.deepEqual(body(result), {
      message: 'the message store is busy; try again in a moment',
      code: 'SERVICE_BUSY',
    });
  });

  it('maps a MessageIdConflictError that survived the retry to a 500: a server-side failure', () => {
    assert.equal(
      errorResult(new MessageIdConflictError('default', '01J0000000000000000000000Z')).statusCode,
      500,
    );
  });

  // A client's code, but a class that error-response.ts gives no status: the class decides.
  class UnmappedError extends WhiteboardError {
    readonly code = 'INVALID_TEXT';
  }

  for (const [label, thrown] of [
    ['a plain Error', new Error('password=hunter2')],
    ['a WhiteboardError with no status of its own', new UnmappedError('password=hunter2')],
    ['a thrown string', 'password=hunter2'],
    ['undefined', undefined],
    [
      'an object with a message and a 400-looking code',
      { message: 'password=hunter2', code: 'INVALID_TEXT', statusCode: 400 },
    ],
  ] as const) {
    it(`maps ${label} to a generic 500`, () => {
      const result = errorResult(thrown);
      assert.equal(result.statusCode, 500);
      assert.deepEqual(body(result), { message: 'Internal Server Error', code: 'INTERNAL_ERROR' });
    });
  }
});

describe('observability: one log line per request, EMF metrics', () => {
  it('writes exactly one "request" log line with route, status, duration and the API Gateway request id', async () => {
    const app = createApp();
    const context = lambdaContext({ functionName: 'whiteboard-PostMessage' });
    const event = postEvent({ author: 'Ada', text: 'hi' }, { requestId: 'ZhNHJhhLjoEEPiw=' });
    const response = await app.invoke(event, context);

    const logs = requestLogs(response.records);
    assert.equal(logs.length, 1);
    const [log] = logs;
    assert.equal(log?.level, 'INFO');
    assert.equal(log?.service, 'whiteboard');
    assert.equal(log?.route, 'POST /messages');
    assert.equal(log?.status, 201);
    assert.equal(log?.correlation_id, 'ZhNHJhhLjoEEPiw=');
    assert.equal(log?.function_request_id, context.awsRequestId);
    assert.equal(log?.function_name, 'whiteboard-PostMessage');
    assert.equal(log?.function_arn, context.invokedFunctionArn);
    assert.equal('code' in (log ?? {}), false, 'a code on the line of a request that succeeded');
  });

  it("logs as the request's duration the time it took, its endpoint's work included", async () => {
    // A write that takes 40 ms, and a bound well under it (a timer may fire a millisecond early):
    // the duration is measured, not a constant, and covers the endpoint's work.
    class SlowRepository extends InMemoryMessageRepository {
      override async put(...args: Parameters<InMemoryMessageRepository['put']>): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 40));
        return super.put(...args);
      }
    }
    const app = createApp(new SlowRepository());
    const response = await app.invoke(postEvent({ author: 'Ada', text: 'hi' }));
    const [log] = requestLogs(response.records);
    assert.equal(typeof log?.durationMs, 'number');
    assert.ok((log?.durationMs as number) >= 30, `durationMs ${log?.durationMs}`);
  });

  it('logs the status and code of a rejected request, the code it was answered with, and the route of a board request', async () => {
    const app = createApp();
    const response = await app.invoke(apiEvent({ board: 'team', query: { limit: '0' } }));
    const [log] = requestLogs(response.records);
    assert.equal(log?.route, 'GET /boards/{board}/messages');
    assert.equal(log?.status, 400);
    assert.equal(log?.code, (response.body as { code: string }).code);
    assert.equal(log?.code, 'INVALID_LIMIT');
  });

  it('logs each request with its own correlation id', async () => {
    const app = createApp();
    const first = await app.invoke(apiEvent({ requestId: 'first-request=' }));
    const second = await app.invoke(apiEvent({ requestId: 'second-request=' }));
    assert.equal(requestLogs(first.records)[0]?.correlation_id, 'first-request=');
    assert.equal(requestLogs(second.records)[0]?.correlation_id, 'second-request=');
  });

  it('falls back to the Lambda request id, never the one of the request before, for an event without one', async () => {
    const app = createApp();
    await app.invoke(apiEvent({ requestId: 'first-request=' }));
    const event = apiEvent();
    delete (event.requestContext as { requestId?: string }).requestId;
    const context = lambdaContext();
    const second = await app.invoke(event, context);
    assert.equal(requestLogs(second.records)[0]?.correlation_id, context.awsRequestId);
  });

  it('writes only JSON lines for a failed request: no plain-text warning of metrics to publish', async () => {
    class Failing extends InMemoryMessageRepository {
      override async list(): Promise<never> {
        throw new Error('boom');
      }
    }
    const app = createApp(new Failing());
    await app.invoke(apiEvent());
    const response = await app.invoke(apiEvent());
    assert.equal(response.status, 500);
    assert.deepEqual(response.text, []);
  });

  it('logs one "request" line for a failed request too, with status 500', async () => {
    class Failing extends InMemoryMessageRepository {
      override async list(): Promise<never> {
        throw new Error('boom');
      }
    }
    const app = createApp(new Failing());
    const response = await app.invoke(apiEvent());
    const logs = requestLogs(response.records);
    assert.equal(logs.length, 1);
    assert.equal(logs[0]?.status, 500);
    assert.equal(logs[0]?.code, 'INTERNAL_ERROR');
  });

  it('publishes MessagesPosted=1 in the Whiteboard namespace with the service dimension for a post', async () => {
    const app = createApp();
    const response = await app.invoke(postEvent({ author: 'Ada', text: 'hi' }));
    const [emf] = emfRecords(response.records).filter((record) => record.names.includes('MessagesPosted'));
    assert.ok(emf, 'an EMF line with MessagesPosted was written');
    assert.equal(emf.namespace, 'Whiteboard');
    assert.deepEqual(emf.dimensions, ['service']);
    assert.equal(emf.record.service, 'whiteboard');
    assert.equal(emf.record.MessagesPosted, 1);
    assert.equal(metricValue(response.records, 'RejectedRequests'), undefined);
  });

  it('publishes MessagesRead with the number of messages returned for a read', async () => {
    const app = createApp();
    await seed(app, 2);
    const response = await app.invoke(apiEvent());
    assert.equal(metricValue(response.records, 'MessagesRead'), 2);
  });

  it('publishes RejectedRequests=1 and no MessagesPosted for a 400', async () => {
    const app = createApp();
    const response = await app.invoke(postEvent({ author: '', text: 'hi' }));
    assert.equal(response.status, 400);
    assert.equal(metricValue(response.records, 'RejectedRequests'), 1);
    assert.equal(metricValue(response.records, 'MessagesPosted'), undefined);
  });

  it('publishes RejectedRequests=1 for a 413', async () => {
    const app = createApp();
    const response = await app.invoke(apiEvent({ method: 'POST', body: bodyOfBytes(BODY_LIMIT + 1) }));
    assert.equal(response.status, 413);
    assert.equal(metricValue(response.records, 'RejectedRequests'), 1);
  });

  it('does not count a 500 as a rejected request', async () => {
    class Failing extends InMemoryMessageRepository {
      override async put(): Promise<never> {
        throw new Error('boom');
      }
    }
    const app = createApp(new Failing());
    const response = await app.invoke(postEvent({ author: 'Ada', text: 'hi' }));
    assert.equal(response.status, 500);
    assert.equal(metricValue(response.records, 'RejectedRequests'), undefined);
  });

  it('publishes FailedRequests=1 with the function name for a 500, and not for a 2xx or 4xx', async () => {
    class Failing extends InMemoryMessageRepository {
      override async put(): Promise<never> {
        throw new Error('boom');
      }
    }
    const failing = await createApp(new Failing()).invoke(postEvent({ author: 'Ada', text: 'hi' }));
    assert.equal(failing.status, 500);
    const [failed, ...more] = emfRecords(failing.records).filter((emf) =>
      emf.names.includes('FailedRequests'),
    );
    assert.equal(more.length, 0, 'FailedRequests is published once per request');
    assert.ok(failed, 'a FailedRequests EMF record');
    assert.equal(failed.record.FailedRequests, 1);
    assert.deepEqual(failed.dimensions, ['service', 'function_name']);
    assert.equal(failed.record.function_name, 'whiteboard-PostMessage');
    const app = createApp();
    for (const response of [
      await app.invoke(postEvent({ author: 'Ada', text: 'hi' })),
      await app.invoke(postEvent({ author: '', text: 'hi' })),
    ]) {
      assert.ok(response.status < 500);
      assert.equal(metricValue(response.records, 'FailedRequests'), undefined, String(response.status));
    }
  });

  it('keeps the function_name dimension of FailedRequests off a business metric recorded before the failure', async () => {
    const powertools: Powertools = { logger: new Logger(), tracer: new Tracer(), metrics: new Metrics() };
    const handler = instrument(powertools, async () => {
      observer(powertools).messagesRead(2);
      throw new Error('failed after reading');
    });
    const { result, records } = await captureOutput(() => handler(apiEvent(), lambdaContext()));
    assert.equal(result.statusCode, 500);
    const byName = (name: string) => emfRecords(records).filter((emf) => emf.names.includes(name));
    const [read, ...moreRead] = byName('MessagesRead');
    const [failed, ...moreFailed] = byName('FailedRequests');
    assert.equal(moreRead.length + moreFailed.length, 0, 'each published once');
    assert.deepEqual(read?.dimensions, ['service'], 'as the dashboard reads it');
    assert.deepEqual(failed?.dimensions, ['service', 'function_name']);
    for (const emf of [read, failed])
      assert.equal(emf?.namespace, commonEnvironment.POWERTOOLS_METRICS_NAMESPACE);
  });

  it('publishes a ColdStart metric with the function name on the first invocation only', async () => {
    const app = createApp();
    const context = lambdaContext({ functionName: 'whiteboard-ReadMessages' });
    const first = await app.invoke(apiEvent(), context);
    const second = await app.invoke(apiEvent(), context);

    const [coldStart] = emfRecords(first.records).filter((record) => record.names.includes('ColdStart'));
    assert.ok(coldStart, 'the first invocation publishes ColdStart');
    assert.equal(coldStart.record.ColdStart, 1);
    assert.equal(coldStart.record.function_name, 'whiteboard-ReadMessages');
    assert.equal(coldStart.namespace, 'Whiteboard');
    assert.equal(metricValue(second.records, 'ColdStart'), undefined);

    assert.equal(requestLogs(first.records)[0]?.cold_start, true);
    assert.equal(requestLogs(second.records)[0]?.cold_start, false);
  });

  it('does not carry metrics of one request over into the next', async () => {
    const app = createApp();
    await app.invoke(postEvent({ author: 'Ada', text: 'hi' }));
    const rejected = await app.invoke(postEvent({ author: 'Ada' }));
    assert.equal(metricValue(rejected.records, 'MessagesPosted'), undefined);
    assert.equal(metricValue(rejected.records, 'RejectedRequests'), 1);
  });
});

describe('test helpers', () => {
  it('build events for the API routes from the real payload 2.0 fixture', () => {
    const event = apiEvent({ board: 'team', query: { limit: '2' } });
    assert.equal(event.version, '2.0');
    assert.equal(event.routeKey, 'GET /boards/{board}/messages');
    assert.equal(event.rawPath, '/boards/team/messages');
    assert.equal(event.rawQueryString, 'limit=2');
    assert.equal(event.requestContext.http.method, 'GET');
    assert.equal(event.body, undefined);
    assert.equal(apiEvent().pathParameters, undefined);
  });

  it('make ids in the ULID format, increasing', () => {
    const next = sequentialIds();
    const [a, b] = [next(), next()];
    assert.match(a, ULID);
    assert.ok(a < b);
  });
});
