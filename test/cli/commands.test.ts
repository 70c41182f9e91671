import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeTime, encodeTime } from 'ulid';
import { errors, type MockAgent } from 'undici';
import { commandFirst } from '../../cli/command-line.ts';
import { forgetPrinted } from '../../cli/commands/read.ts';
import { ApiError } from '../../cli/errors.ts';
import { createProgram, runCli } from '../../cli/program.ts';
import {
  API,
  createTestDeps,
  JSON_HEADERS,
  message,
  recordingStream,
  requestedPaths,
  type TestDepsOptions,
  terminalActive,
  withoutColors,
} from './helpers.ts';

const page = (messages: unknown[], nextCursor: string | null = null) => ({ messages, nextCursor });

/** A request as `requestedPaths` lists it: method, a space, and the path (query included). */
type ApiRequest = `${'GET' | 'POST'} /${string}`;

interface MockApiOptions extends TestDepsOptions {
  /** Where the mock API listens: API unless the test is about where the CLI points. */
  readonly origin?: string;
  /** What else the request must carry to be answered, beside its method and path. */
  readonly match?: { readonly query?: Record<string, string>; readonly body?: string };
}

/** Test deps, and the mock API's interceptor for `request` to them, not yet answered. */
const expecting = (request: ApiRequest, { origin = API, match, ...options }: MockApiOptions) => {
  const deps = createTestDeps(options);
  const space = request.indexOf(' ');
  const interceptor = deps.agent
    .get(origin)
    .intercept({ method: request.slice(0, space), path: request.slice(space + 1), ...match });
  return { deps, interceptor };
};

/** Test deps whose mock API answers `request` once with `status` and the JSON `body`. */
const apiAnswering = (request: ApiRequest, status: number, body: object, options: MockApiOptions = {}) => {
  const { deps, interceptor } = expecting(request, options);
  interceptor.reply(status, body, JSON_HEADERS);
  return deps;
};

/** Test deps whose mock API fails `request` once: `status`, and `body` with no content type. */
const apiFailing = (request: ApiRequest, status: number, body: object, options: MockApiOptions = {}) => {
  const { deps, interceptor } = expecting(request, options);
  interceptor.reply(status, body);
  return deps;
};

describe('whiteboard post', () => {
  it('posts the message and prints the stored id and time', async () => {
    const stored = message(1, { author: 'ann', text: 'hello' });
    const deps = apiAnswering('POST /messages', 201, stored);
    await createProgram(deps).parseAsync(['post', '--author', 'ann', '--text', 'hello'], { from: 'user' });
    assert.equal(
      deps.stdout.text,
      `Posted to default as ann\n  id    ${stored.id}\n  time  2025-05-01 11:58:00 UTC (2 min ago)\n`,
    );
    const [call] = deps.agent.getCallHistory()?.calls() ?? [];
    assert.deepEqual(JSON.parse(String(call?.body)), { author: 'ann', text: 'hello' });
    assert.equal(call?.headers?.['idempotency-key'], 'key-1');
  });

  it('posts to another board', async () => {
    const deps = apiAnswering('POST /boards/team/messages', 201, message(1, { board: 'team' }));
    await createProgram(deps).parseAsync(['post', '--author', 'ann', '--text', 'hi', '--board', 'team'], {
      from: 'user',
    });
    assert.match(deps.stdout.text, /^Posted to team as author1\n/);
  });

  it('reads the text from standard input with --text -', async () => {
    const deps = apiAnswering('POST /messages', 201, message(1), { stdin: 'line one\nline two\n' });
    await createProgram(deps).parseAsync(['post', '--author', 'ann', '--text', '-'], { from: 'user' });
    const [call] = deps.agent.getCallHistory()?.calls() ?? [];
    // Trimmed, as the API would store it.
    assert.deepEqual(JSON.parse(String(call?.body)), { author: 'ann', text: 'line one\nline two' });
  });

  it('prints the stored message as JSON with --json', async () => {
    const stored = message(3);
    const deps = apiAnswering('POST /messages', 201, stored);
    await createProgram(deps).parseAsync(['post', '--author', 'a', '--text', 't', '--json'], {
      from: 'user',
    });
    assert.deepEqual(JSON.parse(deps.stdout.text), stored);
  });

  it("fails with the API's message and status", async () => {
    const deps = apiFailing('POST /messages', 400, {
      message: 'text must not contain control characters',
      code: 'INVALID_TEXT',
    });
    await assert.rejects(
      createProgram(deps).parseAsync(['post', '--author', 'ann', '--text', 'bell \u0007'], {
        from: 'user',
      }),
      (error: unknown) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.message, 'text must not contain control characters (HTTP 400 INVALID_TEXT)');
        return true;
      },
    );
  });

  it('refuses an author or text over the length limit as the API would, before sending it (exit 2)', async () => {
    // Counted as the API counts: characters (an emoji is one), after trimming.
    const emoji = '\u{1F600}';
    for (const [argv, stdin, said] of [
      [['--author', 'ann', '--text', 'x'.repeat(2001)], '', '--text is 2001 characters'],
      [['--author', 'ann', '--text', emoji.repeat(20_000)], '', '--text is 20000 characters'],
      [['--author', 'a'.repeat(65), '--text', 'hi'], '', '--author is 65 characters; at most 64'],
      [['--author', 'ann', '--text', '-'], 'y'.repeat(2001), 'the text on standard input is 2001'],
    ] as const) {
      const deps = createTestDeps({ stdin });
      assert.equal(await runCli(['post', ...argv], deps), 2, said);
      assert.ok(deps.stderr.text.startsWith(`error: ${said}`), deps.stderr.text);
      assert.match(deps.stderr.text, /at most \d+ are allowed\n$/);
      assert.deepEqual(requestedPaths(deps.agent), [], 'nothing sent');
    }
    // At the limits, with spaces around that the API trims, it is sent, trimmed: pages of blank
    // lines after a text would otherwise make a body over the API's byte limit.
    const deps = apiAnswering('POST /messages', 201, message(1), {
      match: { body: JSON.stringify({ author: 'a'.repeat(64), text: emoji.repeat(2000) }) },
    });
    const text = ` ${emoji.repeat(2000)}${'\n'.repeat(40_000)}`;
    assert.equal(await runCli(['post', '--author', ` ${'a'.repeat(64)} `, '--text', text], deps), 0);
    assert.deepEqual(requestedPaths(deps.agent), ['POST /messages']);
  });

  it('asks for the message on stderr when --text - reads from a terminal, and only then', async () => {
    const typed = apiAnswering('POST /messages', 201, message(1), { stdin: 'hi', stdinIsTTY: true });
    assert.equal(await runCli(['post', '--author', 'ann', '--text', '-'], typed), 0, typed.stderr.text);
    assert.equal(typed.stderr.text, 'Type the message, then Ctrl-D on a new line.\n');
    const piped = apiAnswering('POST /messages', 201, message(1), { stdin: 'hi' });
    assert.equal(await runCli(['post', '--author', 'ann', '--text', '-'], piped), 0, piped.stderr.text);
    assert.equal(piped.stderr.text, '');
  });

  it('takes 64 KiB on standard input, and refuses a byte more before sending it (exit 2)', async () => {
    // Blank lines around a short text: the API would trim them, so only the byte count can refuse it.
    const padded = (bytes: number) => `hi${'\n'.repeat(bytes - 2)}`;
    const atLimit = apiAnswering('POST /messages', 201, message(1), {
      stdin: padded(65_536),
      match: { body: JSON.stringify({ author: 'ann', text: 'hi' }) },
    });
    assert.equal(await runCli(['post', '--author', 'ann', '--text', '-'], atLimit), 0, atLimit.stderr.text);
    assert.deepEqual(requestedPaths(atLimit.agent), ['POST /messages']);
    const over = createTestDeps({ stdin: padded(65_537) });
    assert.equal(await runCli(['post', '--author', 'ann', '--text', '-'], over), 2);
    assert.equal(
      over.stderr.text,
      'error: standard input is longer than 65536 bytes; a message holds at most 2000 characters\n',
    );
    assert.deepEqual(requestedPaths(over.agent), [], 'nothing sent');
  });
});

describe('an option where a value belongs', () => {
  it('is refused, saying how to write such a value, rather than taken as the value (exit 2)', async () => {
    for (const [argv, said] of [
      [['read', '--board', '--follow'], '--board needs a value, and --follow is an option'],
      [['post', '--author', 'ann', '--board', '--json', '--text', 'hi'], '--board needs a value, and --json'],
      [['post', '--author', 'ann', '--text', '--json'], '--text needs a value, and --json is an option'],
      [['post', '--author', '--text', 'hi'], '--author needs a value, and --text is an option'],
      [['read', '--url', '--verbose'], '--url needs a value, and --verbose is an option'],
      // Commander takes a `--` in a value's place for the value, and reads options after it.
      [['post', '--author', 'ann', '--text', '--', '--board', '--json'], '--text needs a value, and -- ends'],
      [['read', '--board', '--', '--json'], '--board needs a value, and -- ends the options'],
      [['--url', '--json', 'read'], '--url needs a value, and --json is an option'],
    ] as const) {
      const deps = createTestDeps();
      assert.equal(await runCli(argv, deps), 2, argv.join(' '));
      assert.ok(deps.stderr.text.startsWith(`error: ${said}`), deps.stderr.text);
      assert.match(deps.stderr.text, /\(to mean it as the value, write (--\w+)=\S+\)\n$/);
      assert.deepEqual(requestedPaths(deps.agent), [], 'nothing sent');
    }
    // A value the option refuses gets no `=` form: `--limit=--json` would only be the next error.
    for (const [argv, said] of [
      [['read', '--limit', '-h'], '--limit needs a value, and -h is an option'],
      [['read', '--limit', '--json'], '--limit needs a value, and --json is an option'],
      [['read', '--timeout', '--'], '--timeout needs a value, and -- ends the options'],
      [
        ['post', '--author', 'a', '--text', 't', '--retries', '--json'],
        '--retries needs a value, and --json is an option',
      ],
    ] as const) {
      const deps = createTestDeps();
      assert.equal(await runCli(argv, deps), 2, argv.join(' '));
      assert.equal(deps.stderr.text, `error: ${said}\n`);
      assert.deepEqual(requestedPaths(deps.agent), [], 'nothing sent');
    }
    // Only the command's own options count: read has no --author, so commander says so.
    const deps = createTestDeps();
    assert.equal(await runCli(['read', '--author', '--json'], deps), 2);
    assert.match(deps.stderr.text, /^error: unknown option '--author'/);
  });

  it('is taken as the value when written with =', async () => {
    const deps = apiAnswering('POST /messages', 201, message(1), {
      match: { body: JSON.stringify({ author: 'ann', text: '--json' }) },
    });
    assert.equal(await runCli(['post', '--author', 'ann', '--text=--json'], deps), 0, deps.stderr.text);
    assert.deepEqual(requestedPaths(deps.agent), ['POST /messages']);
    // A value that only starts with a dash, such as "-" for standard input, is a value.
    const fromStdin = apiAnswering('POST /messages', 201, message(1), { stdin: 'piped' });
    assert.equal(await runCli(['post', '--author', 'ann', '--text', '-'], fromStdin), 0);
  });
});

describe('whiteboard post that fails after the request may have reached the server', () => {
  const NOTE = 'note: the message may have been stored; check with `whiteboard read` before posting again\n';
  const post = async (deps: ReturnType<typeof createTestDeps>, extra: string[] = []) => {
    assert.equal(await runCli(['post', '--author', 'ann', '--text', 'hi', ...extra], deps), 1);
    return deps.stderr.text;
  };
  const failingWith = (error: Error, times = 1) => {
    const { deps, interceptor } = expecting('POST /messages', {});
    interceptor.replyWithError(error).times(times);
    return deps;
  };

  it('says so after a dropped connection and after a response timeout', async () => {
    const dropped = failingWith(new errors.SocketError('other side closed'));
    assert.equal(await post(dropped), `error: ${API} closed the connection before answering\n${NOTE}`);
    const slow = failingWith(new errors.HeadersTimeoutError());
    assert.match(await post(slow), new RegExp(`did not answer within 10 s \\(--timeout\\)\\n${NOTE}$`));
    const stalled = failingWith(new errors.BodyTimeoutError());
    assert.match(await post(stalled), new RegExp(`stopped answering for 10 s \\(--timeout\\)\\n${NOTE}$`));
  });

  it('names the board in the command to check', async () => {
    const { deps, interceptor } = expecting('POST /boards/team/messages', {});
    interceptor.reply(502, {});
    assert.match(await post(deps, ['--board', 'team']), /check with `whiteboard read --board team` before/);
  });

  it('names the URL in the command to check when --url gave it, not when the environment did', async () => {
    const viaFlag = apiFailing('POST /messages', 500, {});
    assert.match(
      await post(viaFlag, ['--url', `${API}/`]),
      new RegExp(`check with \`whiteboard read --url ${API}\` before`),
    );
    // Without --url the test's API comes from WHITEBOARD_URL, which the suggested command reads
    // too: the NOTE of the test above, which names no URL.
  });

  it('says so after a 500, but not when the request surely never left or was refused', async () => {
    const deps = apiFailing('POST /messages', 500, { message: 'Internal Server Error' });
    assert.equal(
      await post(deps),
      `error: Internal Server Error (HTTP 500) from http://api.test/messages\n${NOTE}`,
    );
    const refused = failingWith(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      3,
    );
    assert.equal(await post(refused), `error: cannot reach ${API}: connection refused (tried 3 times)\n`);
    const unknown = failingWith(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    assert.equal(await post(unknown), 'error: cannot reach http://api.test: host api.test not found\n');
    const invalid = apiFailing('POST /messages', 400, { message: 'text is too long', code: 'INVALID_TEXT' });
    assert.equal(await post(invalid), 'error: text is too long (HTTP 400 INVALID_TEXT)\n');
  });
});

describe('whiteboard post whose output cannot be written', () => {
  const full = (): ReturnType<typeof recordingStream> => ({
    ...recordingStream(),
    write: () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
  });

  for (const json of [false, true]) {
    it(`says the message was stored, with its id, and exits 1${json ? ' (--json)' : ''}`, async () => {
      const stored = message(1);
      let done: string | undefined;
      const deps = {
        ...apiAnswering('POST /messages', 201, stored, { stdout: full() }),
        setDone: (what: string) => {
          done = what;
        },
      };
      const argv = ['post', '--author', 'ann', '--text', 'hi', ...(json ? ['--json'] : [])];
      assert.equal(await runCli(argv, deps), 1);
      assert.equal(
        deps.stderr.text,
        `error: posted ${stored.id}, but could not write the output: ENOSPC: no space left on device, write\n`,
      );
      // What cli/main.ts says when the write fails later, as it does for a file or a pipe.
      assert.equal(done, `posted ${stored.id}`);
    });
  }
});

describe('whiteboard read', () => {
  const newestFirst = [
    message(3, { author: 'cy', text: 'third', createdAt: '2025-05-01T11:59:55.000Z' }),
    message(2, { author: 'bo', text: 'second', createdAt: '2025-05-01T11:57:00.000Z' }),
    message(1, { author: 'ann', text: 'first', createdAt: '2025-05-01T09:00:00.000Z' }),
  ];

  it('prints author, relative time and text, newest first', async () => {
    const deps = apiAnswering('GET /messages', 200, page(newestFirst));
    await createProgram(deps).parseAsync(['read'], { from: 'user' });
    assert.equal(
      deps.stdout.text,
      'cy  just now\n  third\n\nbo  3 min ago\n  second\n\nann  3 h ago\n  first\n',
    );
    assert.deepEqual(requestedPaths(deps.agent), ['GET /messages']);
  });

  // A cursor as the API writes them (base64url), which the CLI prints as a command to copy.
  const CURSOR = 'eyJiIjoiZGVmYXVsdCIsImsiOiIwMUhYQUpKNkI4OFE3UjBBMEhaRUUwRzhWWCJ9';

  it('says when there is more, and prints the command that reads the older ones', async () => {
    const deps = apiAnswering('GET /messages', 200, page(newestFirst, CURSOR));
    await createProgram(deps).parseAsync(['read'], { from: 'user' });
    assert.ok(
      deps.stdout.text.endsWith(
        `\n\nShowing the 3 newest. More at once with --limit <n> (up to 100). Older ones:\n  whiteboard read --cursor ${CURSOR}\n`,
      ),
      deps.stdout.text,
    );
  });

  it('says "the newest message" when it shows one, and keeps --limit, --board and --url in the command', async () => {
    const origin = 'http://127.0.0.1:4999';
    const deps = apiAnswering(
      'GET /boards/team/messages?limit=1',
      200,
      page(newestFirst.slice(0, 1), CURSOR),
      {
        origin,
      },
    );
    await createProgram(deps).parseAsync(['read', '--board', 'team', '--limit', '1', '--url', origin], {
      from: 'user',
    });
    assert.ok(
      deps.stdout.text.endsWith(
        `\n\nShowing the newest message. More at once with --limit <n> (up to 100). Older ones:\n  whiteboard read --board team --limit 1 --cursor ${CURSOR} --url ${origin}\n`,
      ),
      deps.stdout.text,
    );
  });

  it('at the largest --limit suggests no larger one, only the older page', async () => {
    const deps = apiAnswering('GET /messages?limit=100', 200, page(newestFirst, CURSOR));
    await createProgram(deps).parseAsync(['read', '--limit', '100'], { from: 'user' });
    assert.ok(
      deps.stdout.text.endsWith(
        `\n\nShowing the 3 newest. Older ones:\n  whiteboard read --limit 100 --cursor ${CURSOR}\n`,
      ),
      deps.stdout.text,
    );
  });

  it('suggests its commands as `npx whiteboard` when npx runs it (as the quick start does)', async () => {
    // What npm sets for `npx whiteboard read` (npm 11).
    const npx = { npm_command: 'exec', npm_lifecycle_script: "'whiteboard'" };
    const env = { WHITEBOARD_URL: API, ...npx };
    const deps = apiAnswering('GET /messages', 200, page(newestFirst, CURSOR), { env });
    await createProgram(deps).parseAsync(['read'], { from: 'user' });
    assert.ok(
      deps.stdout.text.endsWith(`Older ones:\n  npx whiteboard read --cursor ${CURSOR}\n`),
      deps.stdout.text,
    );
    for (const [npm, self] of [
      [npx, 'npx whiteboard'],
      [{ npm_command: 'exec', npm_lifecycle_script: 'whiteboard read' }, 'npx whiteboard'],
      // A shell npx opened (`npx -c sh`), and an npm script (`npm run`): whiteboard is on their
      // PATH, wherever the command is pasted then.
      [{ npm_command: 'exec', npm_lifecycle_script: 'sh' }, 'whiteboard'],
      [{ npm_command: 'run', npm_lifecycle_script: 'whiteboard read' }, 'whiteboard'],
    ] as const) {
      const usage = createTestDeps({ env: { WHITEBOARD_URL: API, ...npm } });
      assert.equal(await runCli(['post', '--bogus'], usage), 2);
      assert.equal(
        usage.stderr.text,
        `error: unknown option '--bogus' (${self} post --help lists the options)\n`,
      );
      const misplaced = createTestDeps({ env: { WHITEBOARD_URL: API, ...npm } });
      assert.equal(await runCli(['--json', 'read'], misplaced), 2);
      assert.equal(misplaced.stderr.text, `error: --json goes after the command: ${self} read --json\n`);
    }
  });

  it('reads the page after a cursor with --cursor, and says so', async () => {
    const next = `${CURSOR.slice(0, -4)}Qifx`;
    const deps = apiAnswering(`GET /messages?cursor=${CURSOR}`, 200, page(newestFirst.slice(1), next));
    await createProgram(deps).parseAsync(['read', '--cursor', CURSOR], { from: 'user' });
    assert.deepEqual(requestedPaths(deps.agent), [`GET /messages?cursor=${CURSOR}`]);
    assert.match(deps.stdout.text, /^bo {2}3 min ago\n {2}second\n/);
    assert.ok(
      deps.stdout.text.endsWith(
        `\n\nShowing 2 messages older than the last page. More at once with --limit <n> (up to 100). Older ones:\n  whiteboard read --cursor ${next}\n`,
      ),
      deps.stdout.text,
    );
  });

  it('counts one older message as one', async () => {
    const deps = apiAnswering(
      `GET /messages?limit=1&cursor=${CURSOR}`,
      200,
      page(newestFirst.slice(2), CURSOR),
    );
    await createProgram(deps).parseAsync(['read', '--limit', '1', '--cursor', CURSOR], { from: 'user' });
    assert.match(deps.stdout.text, /\n\nShowing 1 message older than the last page\. /);
  });

  it('says when a cursor leads to no older messages', async () => {
    const deps = apiAnswering(`GET /boards/team/messages?cursor=${CURSOR}`, 200, page([]));
    await createProgram(deps).parseAsync(['read', '--board', 'team', '--cursor', CURSOR], { from: 'user' });
    assert.equal(deps.stdout.text, 'No older messages on board team.\n');
  });

  it('does not print a cursor the API could not have written as a command', async () => {
    const deps = apiAnswering('GET /messages', 200, page(newestFirst, 'x\u001b]0;owned\u0007'));
    await createProgram(deps).parseAsync(['read'], { from: 'user' });
    assert.ok(deps.stdout.text.endsWith(' Older ones: nextCursor in --json.\n'), deps.stdout.text);
    assert.equal(deps.stdout.text.includes('\u001b'), false);
  });

  it('says when a board is empty', async () => {
    const deps = apiAnswering('GET /boards/empty/messages', 200, page([]));
    await createProgram(deps).parseAsync(['read', '--board', 'empty'], { from: 'user' });
    assert.equal(deps.stdout.text, 'No messages on board empty yet.\n');
  });

  it('asks for --limit and another --board', async () => {
    const deps = apiAnswering('GET /boards/team-1/messages', 200, page([]), {
      match: { query: { limit: '20' } },
    });
    await createProgram(deps).parseAsync(['read', '--board', 'team-1', '--limit', '20'], { from: 'user' });
    assert.deepEqual(requestedPaths(deps.agent), ['GET /boards/team-1/messages?limit=20']);
  });

  it("prints the API's JSON with --json, uncoloured even on a colour terminal", async () => {
    const stdout = recordingStream({ isTTY: true, colorDepth: 24 });
    const body = { ...page(newestFirst, 'next'), extra: 'kept' };
    const deps = apiAnswering('GET /messages', 200, body, { stdout });
    await createProgram(deps).parseAsync(['read', '--json'], { from: 'user' });
    assert.deepEqual(JSON.parse(stdout.text), body);
    assert.equal(stdout.text.includes('\u001b'), false);
  });

  it('colours a colour terminal, and not with NO_COLOR or --no-color', async () => {
    const run = async (argv: string[], env: Record<string, string>) => {
      const stdout = recordingStream({ isTTY: true, colorDepth: 8 });
      const deps = apiAnswering('GET /messages', 200, page(newestFirst), {
        stdout,
        env: { WHITEBOARD_URL: API, ...env },
      });
      await createProgram(deps).parseAsync(argv, { from: 'user' });
      return stdout.text;
    };
    const coloured = await run(['read'], {});
    assert.equal(coloured.includes('\u001b['), true);
    assert.equal(
      withoutColors(coloured),
      'cy  just now\n  third\n\nbo  3 min ago\n  second\n\nann  3 h ago\n  first\n',
    );
    assert.equal((await run(['read'], { NO_COLOR: '1' })).includes('\u001b'), false);
    assert.equal((await run(['read', '--no-color'], {})).includes('\u001b'), false);
  });

  it('wraps text to the terminal width', async () => {
    const stdout = recordingStream({ isTTY: true, columns: 22, colorDepth: 1 });
    const long = message(1, { author: 'ann', text: 'one two three four five six seven eight' });
    const deps = apiAnswering('GET /messages', 200, page([long]), { stdout });
    await createProgram(deps).parseAsync(['read'], { from: 'user' });
    assert.equal(stdout.text, 'ann  2 min ago\n  one two three four\n  five six seven eight\n');
  });

  describe('a message crafted to take over the terminal', () => {
    const hostile = message(1, {
      author: 'eve\u001b]0;owned\u0007\u202e',
      text: 'hi\u001b[2J\u001b[H\u009b31mred\u0008\u0007 \u2066bidi\u2069\r\nnext line',
      board: 'default\u001b[5m',
    });

    it('is neutralised in human output, even with colour on', async () => {
      const stdout = recordingStream({ isTTY: true, colorDepth: 24 });
      const deps = apiAnswering('GET /messages', 200, page([hostile]), { stdout });
      await createProgram(deps).parseAsync(['read'], { from: 'user' });
      assert.deepEqual(terminalActive(withoutColors(stdout.text)), []);
      assert.match(withoutColors(stdout.text), /hi␛\[2J␛\[H\ufffd31mred␈␇ \ufffdbidi\ufffd\n {2}next line/u);
    });

    it('is neutralised in --json output, which still parses to the same text', async () => {
      const deps = apiAnswering('GET /messages', 200, page([hostile]));
      await createProgram(deps).parseAsync(['read', '--json'], { from: 'user' });
      assert.deepEqual(terminalActive(deps.stdout.text), []);
      assert.deepEqual(JSON.parse(deps.stdout.text).messages[0], hostile);
    });

    it('is neutralised when posted back by the API', async () => {
      const deps = apiAnswering('POST /messages', 201, hostile);
      await createProgram(deps).parseAsync(['post', '--author', 'eve', '--text', 'x'], { from: 'user' });
      assert.deepEqual(terminalActive(deps.stdout.text), []);
      // Printed, but shown, not obeyed.
      assert.match(deps.stdout.text, /as eve␛\]0;owned␇/);
    });

    it('is neutralised in an API error message', async () => {
      const deps = apiFailing('GET /messages', 400, { message: 'bad\u001b[2J\nthing\u009b', code: 'X' });
      assert.equal(await runCli(['read'], deps), 1);
      assert.equal(deps.stderr.text, 'error: bad␛[2J thing\ufffd (HTTP 400 X)\n');
    });
  });

  it('rejects an answer that is not a page of messages', async () => {
    const deps = apiAnswering('GET /messages', 200, { messages: [{ id: 1 }] });
    assert.equal(await runCli(['read'], deps), 1);
    assert.equal(
      deps.stderr.text,
      'error: message 1 of the answer from http://api.test/messages has no string "id"; is WHITEBOARD_URL http://api.test the whiteboard API?\n',
    );
  });
});

describe('whiteboard read --follow', () => {
  const m = [1, 2, 3, 4, 5].map((n) => message(n, { text: `text ${n}` }));
  /** The `since` of a poll after `newest`: the lowest id of 10 s before it (the ulid package's). */
  const lookback = (newest: { id: string } | undefined) =>
    `${encodeTime(decodeTime(newest?.id ?? '') - 10_000, 10)}${'0'.repeat(16)}`;
  /** The mock API answers a GET of the default board (with this query) with a page. */
  const answer = (
    pool: ReturnType<MockAgent['get']>,
    query: Record<string, string> | undefined,
    answered: ReturnType<typeof page>,
  ) =>
    pool
      .intercept({ path: '/messages', method: 'GET', ...(query ? { query } : {}) })
      .reply(200, answered, JSON_HEADERS);

  it('prints the newest oldest-first, then only what is new, backing off while quiet', async () => {
    // Sleeps: 1 s -> nothing new -> 2 s -> two new -> back to 1 s -> Ctrl-C.
    const deps = createTestDeps({ onSleep: (count, controller) => count === 3 && controller.abort() });
    const pool = deps.agent.get(API);
    answer(pool, undefined, page([m[1], m[0]]));
    answer(pool, { limit: '100', since: lookback(m[1]) }, page([]));
    answer(pool, { limit: '100', since: lookback(m[1]) }, page([m[3], m[2]]));
    assert.equal(await runCli(['read', '--follow'], deps), 0);
    assert.deepEqual(deps.sleeps, [1000, 2000, 1000]);
    const texts = [...deps.stdout.text.matchAll(/text (\d)/g)].map((match) => match[1]);
    assert.deepEqual(texts, ['1', '2', '3', '4']);
    assert.match(deps.stderr.text, /^Following board default at http:\/\/api\.test; Ctrl-C to stop\.\n$/);
  });

  it('wraps each message to the width the terminal has when it is printed', async () => {
    let columns = 60;
    const recorded = recordingStream({ isTTY: true, colorDepth: 1 });
    const stdout = {
      ...recorded,
      get text() {
        return recorded.text;
      },
      get columns() {
        return columns;
      },
    };
    const text = 'one two three four five six seven eight';
    const deps = createTestDeps({
      stdout,
      onSleep: (count, controller) => {
        // The terminal is made narrower while following.
        columns = 22;
        if (count === 2) controller.abort();
      },
    });
    const pool = deps.agent.get(API);
    answer(pool, undefined, page([message(1, { author: 'ann', text })]));
    answer(pool, { limit: '100', since: lookback(message(1)) }, page([message(2, { author: 'bo', text })]));
    answer(pool, { limit: '100', since: lookback(message(2)) }, page([]));
    assert.equal(await runCli(['read', '--follow'], deps), 0);
    assert.match(
      stdout.text,
      /^ann {2}.*\n {2}one two three four five six seven eight\n\nbo {2}.*\n {2}one two three four\n {2}five six seven eight\n\n$/,
    );
  });

  it('asks for what is newer than 10 s before the newest message it printed', async () => {
    const deps = createTestDeps({ onSleep: (count, controller) => count === 3 && controller.abort() });
    const pool = deps.agent.get(API);
    answer(pool, undefined, page([m[0]]));
    answer(pool, { limit: '100', since: lookback(m[0]) }, page([m[1]]));
    answer(pool, { limit: '100', since: lookback(m[1]) }, page([]));
    await runCli(['read', '--follow'], deps);
    assert.deepEqual(requestedPaths(deps.agent), [
      'GET /messages',
      `GET /messages?limit=100&since=${lookback(m[0])}`,
      `GET /messages?limit=100&since=${lookback(m[1])}`,
    ]);
  });

  it('pages back with the cursor when more arrived than one page holds', async () => {
    const deps = createTestDeps({ onSleep: (count, controller) => count === 2 && controller.abort() });
    const pool = deps.agent.get(API);
    answer(pool, undefined, page([m[0]]));
    answer(pool, { limit: '100', since: lookback(m[0]) }, page([m[4], m[3]], 'older'));
    answer(pool, { limit: '100', since: lookback(m[0]), cursor: 'older' }, page([m[2], m[1]]));
    await runCli(['read', '--follow', '--json'], deps);
    const ids = deps.stdout.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).id);
    assert.deepEqual(
      ids,
      m.map((item) => item.id),
    );
  });

  it('waits for the first message on an empty board', async () => {
    const deps = createTestDeps({ onSleep: (count, controller) => count === 2 && controller.abort() });
    const pool = deps.agent.get(API);
    answer(pool, undefined, page([]));
    answer(pool, { limit: '100' }, page([m[1], m[0]]));
    await runCli(['read', '--follow', '--json'], deps);
    assert.deepEqual(
      deps.stdout.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id),
      [m[0]?.id, m[1]?.id],
    );
  });

  it('prints a message stored after a newer one, and nothing twice', async () => {
    // Ids are made before messages are stored: "text 3" is stored after "text 4".
    const deps = createTestDeps({ onSleep: (count, controller) => count === 3 && controller.abort() });
    const pool = deps.agent.get(API);
    answer(pool, undefined, page([m[1], m[0]]));
    answer(pool, { limit: '100', since: lookback(m[1]) }, page([m[3], m[1], m[0]]));
    answer(pool, { limit: '100', since: lookback(m[3]) }, page([m[3], m[2], m[1]]));
    await runCli(['read', '--follow'], deps);
    const texts = [...deps.stdout.text.matchAll(/text (\d)/g)].map((match) => match[1]);
    assert.deepEqual(texts, ['1', '2', '4', '3']);
  });

  it('prints the --limit newest and then only what arrives later, not what --limit left out', async () => {
    // Five posted within seconds: the look-back window of the newest holds all of them.
    const deps = createTestDeps({ onSleep: (count, controller) => count === 3 && controller.abort() });
    const pool = deps.agent.get(API);
    answer(pool, { limit: '2' }, page([m[4], m[3]], 'older'));
    // What is in the window when following begins ("text 3" is not stored yet: its id came early).
    answer(pool, { limit: '100', since: lookback(m[4]) }, page([m[4], m[3], m[1], m[0]]));
    answer(pool, { limit: '100', since: lookback(m[4]) }, page([m[4], m[3], m[1], m[0]]));
    answer(pool, { limit: '100', since: lookback(m[4]) }, page([m[4], m[3], m[2], m[1], m[0]]));
    assert.equal(await runCli(['read', '--follow', '--limit', '2'], deps), 0);
    const texts = [...deps.stdout.text.matchAll(/text (\d)/g)].map((match) => match[1]);
    assert.deepEqual(texts, ['4', '5', '3']);
  });

  it('prints a message stored out of order between the first page and the look-back', async () => {
    // "text 4" got its id before "text 5" but is stored only after the first page was read: it is
    // in the window the look-back reads, inside the first page's range, yet not in the page.
    const deps = createTestDeps({ onSleep: (count, controller) => count === 2 && controller.abort() });
    const pool = deps.agent.get(API);
    answer(pool, { limit: '2' }, page([m[4], m[2]], 'older'));
    answer(pool, { limit: '100', since: lookback(m[4]) }, page([m[4], m[3], m[2], m[1], m[0]]));
    answer(pool, { limit: '100', since: lookback(m[4]) }, page([m[4], m[3], m[2], m[1], m[0]]));
    assert.equal(await runCli(['read', '--follow', '--limit', '2'], deps), 0);
    const texts = [...deps.stdout.text.matchAll(/text (\d)/g)].map((match) => match[1]);
    assert.deepEqual(texts, ['3', '5', '4']);
  });

  /** `count` messages, oldest first, and the mock pages the API answers them in, newest first. */
  const arriving = (count: number, query: Record<string, string>, pool: ReturnType<MockAgent['get']>) => {
    const all = Array.from({ length: count }, (_, index) =>
      message(index, { id: `01JTEST1${String(index).padStart(18, '0')}` }),
    );
    const newestFirst = [...all].reverse();
    for (let start = 0; start < count; start += 100) {
      const cursor = start + 100 < count ? `after-${start + 100}` : null;
      pool
        .intercept({
          path: '/messages',
          method: 'GET',
          query: { limit: '100', ...query, ...(start > 0 ? { cursor: `after-${start}` } : {}) },
        })
        .reply(200, page(newestFirst.slice(start, start + 100), cursor), JSON_HEADERS);
    }
    return all;
  };
  const printedIds = (deps: ReturnType<typeof createTestDeps>) =>
    deps.stdout.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).id);

  it('prints all that arrived on a board empty at the start, however many pages', async () => {
    const deps = createTestDeps({ onSleep: (count, controller) => count === 2 && controller.abort() });
    const pool = deps.agent.get(API);
    answer(pool, undefined, page([]));
    const all = arriving(150, {}, pool);
    await runCli(['read', '--follow', '--json'], deps);
    assert.deepEqual(
      printedIds(deps),
      all.map((item) => item.id),
    );
  });

  it('pages back through more than a thousand messages that arrived between two polls', async () => {
    const deps = createTestDeps({ onSleep: (count, controller) => count === 2 && controller.abort() });
    const pool = deps.agent.get(API);
    answer(pool, undefined, page([m[0]]));
    const all = arriving(1050, { since: lookback(m[0]) }, pool);
    await runCli(['read', '--follow', '--json'], deps);
    assert.deepEqual(printedIds(deps), [m[0]?.id, ...all.map((item) => item.id)]);
  });

  it('reads at most 20 pages a poll, prints the newest and says the older ones are left out', async () => {
    // An API, or something posing as one, that always has another page: memory stays bounded.
    const deps = createTestDeps({ onSleep: (count, controller) => count === 2 && controller.abort() });
    const pool = deps.agent.get(API);
    answer(pool, undefined, page([m[0]]));
    const all = arriving(2150, { since: lookback(m[0]) }, pool);
    assert.equal(await runCli(['read', '--follow', '--json'], deps), 0);
    assert.deepEqual(printedIds(deps), [m[0]?.id, ...all.slice(-2000).map((item) => item.id)]);
    assert.equal(requestedPaths(deps.agent).length, 1 + 20);
    assert.match(
      deps.stderr.text,
      /^note: more than 2000 messages arrived since the last poll; the older ones are left out\n$/,
    );
  });

  it('says nothing is left out while the window behind the newest is full of what it printed', async () => {
    // After a burst, the look-back window holds more than 20 pages of printed messages: the next
    // poll is cut again, and only the one new message is printed, without a note.
    const deps = createTestDeps({ onSleep: (count, controller) => count === 3 && controller.abort() });
    const pool = deps.agent.get(API);
    answer(pool, undefined, page([m[0]]));
    const burst = arriving(2150, { since: lookback(m[0]) }, pool);
    const after = arriving(2151, { since: lookback(burst.at(-1)) }, pool);
    assert.equal(await runCli(['read', '--follow', '--json'], deps), 0);
    assert.deepEqual(printedIds(deps), [
      m[0]?.id,
      ...burst.slice(-2000).map((item) => item.id),
      after.at(-1)?.id,
    ]);
    assert.equal(deps.stderr.text.match(/^note: /gm)?.length, 1, deps.stderr.text);
  });

  it('remembers at most 4,000 printed ids: those out of the window go, and beyond that the oldest', () => {
    // Ids of one time, as an API posing as this one may send: they never leave the window.
    const ids = Array.from({ length: 4100 }, (_, index) => `01JTEST1${String(index).padStart(18, '0')}`);
    const printed = new Set([...ids].reverse());
    forgetPrinted(printed, '0');
    assert.equal(printed.size, 4000);
    assert.deepEqual([...printed].sort().slice(0, 1), [ids[100]]);
    forgetPrinted(printed, ids[199] as string);
    assert.equal(printed.size, 3900);
    assert.deepEqual([...printed].sort().slice(0, 1), [ids[200]]);
  });

  it('stops with an error when the API repeats a cursor, instead of asking forever', async () => {
    const deps = createTestDeps({ onSleep: (count, controller) => count === 2 && controller.abort() });
    const pool = deps.agent.get(API);
    answer(pool, undefined, page([m[0]]));
    answer(pool, { limit: '100', since: lookback(m[0]) }, page([m[2]], 'again'));
    answer(pool, { limit: '100', since: lookback(m[0]), cursor: 'again' }, page([m[1]], 'again'));
    assert.equal(await runCli(['read', '--follow', '--retries', '0'], deps), 1);
    assert.match(
      deps.stderr.text,
      /\nerror: the answer repeats a "nextCursor"; is WHITEBOARD_URL http:\/\/api\.test the whiteboard API\?\n$/,
    );
  });

  it('says once, not at every poll, that the API asks to wait before it retries', async () => {
    const deps = createTestDeps({ onSleep: (count, controller) => count === 9 && controller.abort() });
    const pool = deps.agent.get(API);
    answer(pool, undefined, page([m[0]]));
    pool
      .intercept({ path: '/messages', method: 'GET', query: { limit: '100', since: lookback(m[0]) } })
      .reply(429, { message: 'Too Many Requests' }, { headers: { 'retry-after': '5' } })
      .times(6);
    answer(pool, { limit: '100', since: lookback(m[0]) }, page([m[1]]));
    pool
      .intercept({ path: '/messages', method: 'GET', query: { limit: '100', since: lookback(m[1]) } })
      .reply(429, { message: 'Too Many Requests' }, { headers: { 'retry-after': '5' } })
      .times(2);
    // One retry inside each poll: three throttled polls, a good one, then one throttled again.
    assert.equal(await runCli(['read', '--follow', '--retries', '1'], deps), 0);
    const waits = deps.stderr.text.split('\n').filter((line) => line.includes('asks to wait'));
    assert.equal(waits.length, 2, deps.stderr.text);
    assert.match(deps.stdout.text, /text 2/);
  });

  it('keeps following through an outage, saying so once', async () => {
    const deps = createTestDeps({ onSleep: (count, controller) => count === 4 && controller.abort() });
    const pool = deps.agent.get(API);
    answer(pool, undefined, page([m[0]]));
    pool
      .intercept({ path: '/messages', method: 'GET', query: { limit: '100', since: lookback(m[0]) } })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
      .times(2);
    answer(pool, { limit: '100', since: lookback(m[0]) }, page([m[1]]));
    // No retries inside a poll, so every sleep here is the follow loop's own.
    assert.equal(await runCli(['read', '--follow', '--retries', '0'], deps), 0);
    const warnings = deps.stderr.text.split('\n').filter((line) => line.startsWith('warning:'));
    assert.deepEqual(warnings, [`warning: cannot reach ${API}: connection refused; still trying`]);
    // Failing polls wait the longest interval; the first success goes back to the shortest.
    assert.deepEqual(deps.sleeps, [1000, 16_000, 16_000, 1000]);
    assert.match(deps.stderr.text, /\nreconnected\n/);
    assert.match(deps.stdout.text, /text 2/);
  });
});

describe('exit codes and one-line errors', () => {
  const usage = async (argv: string[], expected: RegExp, deps = createTestDeps()) => {
    assert.equal(await runCli(argv, deps), 2);
    assert.match(deps.stderr.text, expected);
    assert.equal(
      deps.stderr.text.split('\n').length,
      2,
      `one line expected, got ${JSON.stringify(deps.stderr.text)}`,
    );
    assert.deepEqual(requestedPaths(deps.agent), []);
  };

  it('prints a usage error in red on a colour terminal, not with NO_COLOR or --no-color', async () => {
    const run = async (argv: string[], env: Record<string, string> = {}) => {
      const stderr = recordingStream({ isTTY: true, colorDepth: 8 });
      const deps = createTestDeps({ stderr, env });
      assert.equal(await runCli(argv, deps), 2);
      return stderr.text;
    };
    assert.equal(
      await run(['read', '--lmit', '3']),
      "\u001b[31merror:\u001b[39m unknown option '--lmit' (Did you mean --limit?)\n",
    );
    assert.equal(
      await run(['read', '--lmit', '3'], { NO_COLOR: '1' }),
      "error: unknown option '--lmit' (Did you mean --limit?)\n",
    );
    assert.equal(
      await run(['read', '--no-color', '--lmit', '3']),
      "error: unknown option '--lmit' (Did you mean --limit?)\n",
    );
    // The errors the CLI finds before commander reads the command line, red as well.
    const red = '\u001b[31merror:\u001b[39m';
    assert.ok((await run(['read', '--board', '--json'])).startsWith(`${red} --board needs a value`));
    assert.ok((await run(['--verbose'])).startsWith(`${red} --verbose goes with a command`));
  });

  it('exits 2 for an unknown option', () =>
    usage(['read', '--lmit', '3'], /^error: unknown option '--lmit'/));
  it('exits 2 for an unknown command', () => usage(['raed'], /^error: unknown command 'raed'/));
  it('exits 2 without --author', () =>
    usage(['post', '--text', 'hi'], /^error: required option '--author <name>'/));
  it('exits 2 for an empty --author', () =>
    usage(['post', '--author', '  ', '--text', 'hi'], /^error: --author must not be empty\n$/));
  it('exits 2 for an empty --text', () =>
    usage(['post', '--author', 'ann', '--text', '  '], /^error: --text must not be empty\n$/));
  it('exits 2 for an --author or --text that holds U+FFFD, what bytes that are not UTF-8 become', async () => {
    const expected = (option: string) =>
      new RegExp(
        `^error: ${option} holds U\\+FFFD \\(\uFFFD\\), what Node\\.js makes of bytes that are not UTF-8: .* --text -\\n$`,
      );
    await usage(['post', '--author', 'ann', '--text', 'caf\uFFFD'], expected('--text'));
    await usage(['post', '--author', 'an\uFFFD', '--text', 'hi'], expected('--author'));
  });
  it('exits 2 for --text - with nothing on standard input', () =>
    usage(['post', '--author', 'ann', '--text', '-'], /^error: standard input held no text\n$/));
  it('exits 2 for a --limit out of range', () =>
    usage(
      ['read', '--limit', '101'],
      /^error: option '--limit <n>' argument '101' is invalid\. expected a whole number from 1 to 100\./,
    ));
  it('exits 2 for --retries over 10, or not a whole number', async () => {
    for (const retries of ['11', '-1', '1.5']) {
      await usage(
        ['read', '--retries', retries],
        new RegExp(
          `^error: option '--retries <n>' argument '${retries.replace('.', '\\.')}' is invalid\\. expected a whole number from 0 to 10\\.`,
        ),
      );
    }
  });
  it('exits 2 for a --cursor the API could not have written', () =>
    usage(
      ['read', '--cursor', 'not a cursor!'],
      /^error: option '--cursor <cursor>' argument 'not a cursor!' is invalid\. expected the nextCursor of an earlier read, unchanged\.\n$/,
    ));
  it('exits 2 for --cursor with --follow, which reads from the newest', () =>
    usage(
      ['read', '--cursor', 'eyJiIjoiZGVmYXVsdCJ9', '--follow'],
      /^error: option '--cursor <cursor>' cannot be used with option '--follow'\n$/,
    ));
  it('exits 2 for a --limit of 0, and takes 1', async () => {
    await usage(
      ['read', '--limit', '0'],
      /^error: option '--limit <n>' argument '0' is invalid\. expected a whole number from 1 to 100\.\n$/,
    );
    const deps = apiAnswering('GET /messages', 200, page([message(1)]), { match: { query: { limit: '1' } } });
    assert.equal(await runCli(['read', '--limit', '1'], deps), 0, deps.stderr.text);
    assert.deepEqual(requestedPaths(deps.agent), ['GET /messages?limit=1']);
  });
  it('exits 2 for a --timeout that is not a number', () =>
    usage(['read', '--timeout', 'soon'], /^error: option '--timeout <seconds>' argument 'soon' is invalid/));
  it('exits 2 for a --timeout under a millisecond, which would fail every request', () =>
    usage(
      ['read', '--timeout', '0.0001'],
      /^error: option '--timeout <seconds>' argument '0.0001' is invalid\. expected a number of seconds from 0\.001 to 3600/,
    ));
  it('exits 2 for a --timeout over an hour, and takes an hour', async () => {
    await usage(
      ['read', '--timeout', '3601'],
      /^error: option '--timeout <seconds>' argument '3601' is invalid\. expected a number of seconds from 0\.001 to 3600, e\.g\. 2\.5\.\n$/,
    );
    const deps = apiAnswering('GET /messages', 200, page([]));
    assert.equal(await runCli(['read', '--timeout', '3600'], deps), 0, deps.stderr.text);
  });
  it('exits 2 for a board name with a slash', () =>
    usage(
      ['read', '--board', '../admin'],
      /^error: option '--board <board>' argument '\.\.\/admin' is invalid/,
    ));
  it('exits 2 for a --url that is not http', () =>
    usage(
      ['read', '--url', 'ftp://x.test'],
      /^error: --url "ftp:\/\/x\.test" must start with http:\/\/ or https:\/\/\n$/,
    ));
  it('exits 2 for a --url with a fragment', () =>
    usage(
      ['read', '--url', 'http://127.0.0.1:3000/#x'],
      /^error: --url "http:\/\/127\.0\.0\.1:3000\/#x" must not have a query or fragment\n$/,
    ));
  it('exits 2 for a --url with a user name and no password', () =>
    usage(
      ['read', '--url', 'http://user@127.0.0.1:3000'],
      /^error: --url must not hold a user name or password: the whiteboard API takes none\n$/,
    ));
  it('exits 2 for a malformed cdk-outputs.json', () =>
    usage(
      ['read'],
      /^error: cdk-outputs\.json is not valid JSON .*; fix or delete cdk-outputs\.json, or pass --url\n$/,
      createTestDeps({ env: {}, files: { 'cdk-outputs.json': '{oops' } }),
    ));

  it('exits 1 with one line and no stack trace when the API cannot be reached', async () => {
    const deps = createTestDeps({ env: {} });
    deps.agent
      .get('http://127.0.0.1:3000')
      .intercept({ path: '/messages', method: 'GET' })
      .replyWithError(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3000'), { code: 'ECONNREFUSED' }),
      )
      .times(3);
    assert.equal(await runCli(['read'], deps), 1);
    assert.equal(
      deps.stderr.text,
      'error: cannot reach http://127.0.0.1:3000: connection refused; is the local stack running? (npm start; a deployed API: --url, WHITEBOARD_URL or cdk-outputs.json here) (tried 3 times)\n',
    );
    // Two retries by default, with backoff.
    assert.deepEqual(deps.sleeps, [125, 250]);
  });

  it('asks whether the local stack runs for any URL on this machine, with its port', async () => {
    const hint = (command: string) => `; is the local stack running? (${command})`;
    for (const [url, said] of [
      ['http://127.0.0.1:4340', hint('npm start -- --port 4340')],
      ['http://127.0.0.1:3000', hint('npm start')],
      ['http://localhost:3000', hint('npm start')],
      ['http://localhost:4340', hint('npm start -- --port 4340')],
      ['http://[::1]:4340', hint('npm start -- --port 4340 --host ::1')],
      // Not the local stack: another machine, or TLS, which the stack does not serve.
      ['http://api.test', ''],
      ['https://127.0.0.1:4340', ''],
    ] as const) {
      const deps = createTestDeps({ env: { WHITEBOARD_URL: url } });
      deps.agent
        .get(url)
        .intercept({ path: '/messages', method: 'GET' })
        .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      assert.equal(await runCli(['read', '--retries', '0'], deps), 1);
      assert.equal(deps.stderr.text, `error: cannot reach ${url}: connection refused${said}\n`);
    }
  });

  it('says that a URL it cannot reach came from cdk-outputs.json, which a destroyed stack leaves', async () => {
    const gone =
      '; the URL is the ApiUrl of stack Whiteboard-dev in cdk-outputs.json (a stack since destroyed? delete the file, or give --url)';
    for (const [apiUrl, failure, said] of [
      [
        'https://gone.test/',
        { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND gone.test' },
        `cannot reach https://gone.test: host gone.test not found${gone}`,
      ],
      [
        'http://127.0.0.1:3009/',
        { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:3009' },
        `cannot reach http://127.0.0.1:3009: connection refused; is the local stack running? (npm start -- --port 3009)${gone}`,
      ],
      // A lookup that failed for now (offline) is no sign that the stack is gone.
      [
        'https://there.test/',
        { code: 'EAI_AGAIN', message: 'getaddrinfo EAI_AGAIN there.test' },
        'cannot reach https://there.test: looking up there.test failed (DNS)',
      ],
    ] as const) {
      const files = { 'cdk-outputs.json': JSON.stringify({ 'Whiteboard-dev': { ApiUrl: apiUrl } }) };
      const deps = createTestDeps({ env: {}, files });
      deps.agent
        .get(new URL(apiUrl).origin)
        .intercept({ path: '/messages', method: 'GET' })
        .replyWithError(Object.assign(new Error(failure.message), { code: failure.code }));
      assert.equal(await runCli(['read', '--retries', '0'], deps), 1);
      assert.equal(deps.stderr.text, `error: ${said}\n`);
    }
  });

  it('asks whether the local stack runs on port 80 for a URL on this machine without a port', async () => {
    const deps = createTestDeps();
    deps.agent
      .get('http://localhost')
      .intercept({ path: '/messages', method: 'GET' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    assert.equal(await runCli(['read', '--retries', '0', '--url', 'http://localhost/'], deps), 1);
    assert.equal(
      deps.stderr.text,
      'error: cannot reach http://localhost: connection refused; is the local stack running? (npm start -- --port 80)\n',
    );
  });

  it('shows the stack trace and each request with --verbose', async () => {
    const deps = apiFailing('GET /messages', 400, { message: 'nope', code: 'BAD' });
    assert.equal(await runCli(['read', '--verbose'], deps), 1);
    assert.match(deps.stderr.text, /^using http:\/\/api\.test \(WHITEBOARD_URL\)\n/);
    assert.match(deps.stderr.text, /\nGET http:\/\/api\.test\/messages -> 400 \(0 ms\)\n/);
    assert.match(deps.stderr.text, /\nerror: nope \(HTTP 400 BAD\)\nApiError: nope \(HTTP 400 BAD\)\n\s+at /);
  });

  it('puts the head of the stack trace on one line, so that the server cannot forge an error line', async () => {
    // With what looks like a frame first, where the head might be taken to end.
    const forged = 'bad\n    at y (x.js:1:1)\n\nerror: your session expired\nnote: run this';
    const deps = apiFailing('GET /messages', 400, { message: forged, code: 'BAD' });
    assert.equal(await runCli(['read', '--verbose', '--retries', '0'], deps), 1);
    const lines = deps.stderr.text.split('\n');
    assert.deepEqual(
      lines.filter((line) => /^(error|note):/.test(line)),
      ['error: bad     at y (x.js:1:1) error: your session expired note: run this (HTTP 400 BAD)'],
    );
    assert.ok(
      lines.includes(
        'ApiError: bad     at y (x.js:1:1) error: your session expired note: run this (HTTP 400 BAD)',
      ),
    );
    assert.match(deps.stderr.text, /\(HTTP 400 BAD\)\n\s+at /);
  });

  it('takes --verbose given as the text (--text=--verbose) for the text, not for the option', async () => {
    const deps = apiFailing(
      'POST /messages',
      500,
      { message: 'Internal Server Error' },
      {
        match: { body: '{"author":"a","text":"--verbose"}' },
      },
    );
    assert.equal(await runCli(['post', '--author', 'a', '--text=--verbose'], deps), 1);
    assert.match(
      deps.stderr.text,
      /^error: Internal Server Error \(HTTP 500\) from http:\/\/api\.test\/messages\nnote: /,
    );
  });

  // API Gateway's 404 for a route it does not have, or an answer the API never gives (403).
  for (const [status, text] of [
    [404, 'Not Found'],
    [403, 'Forbidden'],
  ] as const) {
    it(`hints at a wrong URL for a ${status} without a code`, async () => {
      const deps = apiFailing('GET /messages', status, { message: text });
      assert.equal(await runCli(['read'], deps), 1);
      assert.equal(
        deps.stderr.text,
        `error: ${text} (HTTP ${status}) from http://api.test/messages; is WHITEBOARD_URL http://api.test the whiteboard API?\n`,
      );
    });
  }

  it('says to leave out /messages when the URL was pasted with it', async () => {
    /** What `read` says when `request` to the API at `path` on http://flag.test finds nothing. */
    const saysFor = async (path: string, request: ApiRequest, board: string[] = []) => {
      const deps = apiFailing(request, 404, { message: 'Not Found' }, { origin: 'http://flag.test' });
      assert.equal(await runCli(['read', '--url', `http://flag.test${path}`, ...board], deps), 1);
      return deps.stderr.text;
    };
    const hint =
      /; is --url http:\/\/flag\.test\/messages the whiteboard API\? \(the URL ends in \/messages, which whiteboard adds itself: leave it out\)\n$/;
    assert.match(await saysFor('/messages', 'GET /messages/messages'), hint);
    assert.match(await saysFor('/messages', 'GET /messages/boards/team/messages', ['--board', 'team']), hint);
    // A board's URL: leaving out /messages would leave /boards/team, still wrong.
    assert.match(
      await saysFor('/boards/team/messages', 'GET /boards/team/messages/messages'),
      / \(the URL ends in \/boards\/team\/messages, which whiteboard adds itself: leave that out and give --board team\)\n$/,
    );
    // A base URL with another path gets the question alone.
    assert.match(await saysFor('/api', 'GET /api/messages'), /the whiteboard API\?\n$/);
  });

  it('names where the URL came from, and the URL, when the answer is not the API', async () => {
    const notTheApi = async (argv: string[], options: MockApiOptions, origin: string) => {
      const deps = apiFailing('GET /messages', 404, { message: 'Not Found' }, { ...options, origin });
      assert.equal(await runCli(['read', ...argv], deps), 1);
      return deps.stderr.text;
    };
    const outputs = {
      'cdk-outputs.json': JSON.stringify({ 'Whiteboard-dev': { ApiUrl: 'https://dev.test/' } }),
    };
    assert.equal(
      await notTheApi(['--url', 'http://flag.test'], {}, 'http://flag.test'),
      'error: Not Found (HTTP 404) from http://flag.test/messages; is --url http://flag.test the whiteboard API?\n',
    );
    assert.match(
      await notTheApi([], { env: {}, files: outputs }, 'https://dev.test'),
      /; is https:\/\/dev\.test, the ApiUrl of stack Whiteboard-dev in cdk-outputs\.json, the whiteboard API\?\n$/,
    );
    assert.match(
      await notTheApi([], { env: {} }, 'http://127.0.0.1:3000'),
      /; is http:\/\/127\.0\.0\.1:3000, the default URL, the local whiteboard API\? \(or pass --url\)\n$/,
    );
  });

  it('names the URL and where a redirect points, and asks whether it is the API', async () => {
    for (const status of [301, 302, 307, 308]) {
      const { deps, interceptor } = expecting('GET /messages', {});
      interceptor.reply(status, '', { headers: { location: 'https://api.test/messages' } });
      assert.equal(await runCli(['read'], deps), 1);
      assert.match(
        deps.stderr.text,
        new RegExp(
          `^error: [A-Za-z ]+ \\(HTTP ${status}\\) from http://api\\.test/messages, which redirects to ` +
            'https://api\\.test/messages; is WHITEBOARD_URL http://api\\.test the whiteboard API\\?\\n$',
        ),
      );
    }
  });

  // API Gateway's own answers (its JSON, no `code`): the URL is right, so none asks about it; a
  // failure on the server's side names the URL, for whoever reads the report.
  for (const [status, text] of [
    [429, 'Too Many Requests'],
    [500, 'Internal Server Error'],
    [502, 'Bad Gateway'],
    [503, 'Service Unavailable'],
    [504, 'Gateway Timeout'],
  ] as const) {
    it(`says how many times a read was tried when API Gateway kept answering ${status}`, async () => {
      const { deps, interceptor } = expecting('GET /messages', {});
      interceptor.reply(status, { message: text }).times(3);
      assert.equal(await runCli(['read'], deps), 1);
      const where = status >= 500 ? ' from http://api.test/messages' : '';
      assert.equal(deps.stderr.text, `error: ${text} (HTTP ${status})${where} (tried 3 times)\n`);
    });
  }

  it("names the URL and asks whether it is the API for a 5xx that is not API Gateway's JSON", async () => {
    // A proxy or load balancer in front of something else answers with an HTML page.
    const { deps, interceptor } = expecting('GET /messages', {});
    interceptor
      .reply(502, '<html><body>Bad Gateway</body></html>', { headers: { 'content-type': 'text/html' } })
      .times(3);
    assert.equal(await runCli(['read'], deps), 1);
    assert.equal(
      deps.stderr.text,
      'error: Bad Gateway (HTTP 502) from http://api.test/messages; is WHITEBOARD_URL http://api.test the whiteboard API? (tried 3 times)\n',
    );
  });

  it('names the URL and asks whether it is the API for any answer of the wrong shape', async () => {
    const read = apiAnswering('GET /messages', 200, { messages: [], nextCursor: 5 });
    assert.equal(await runCli(['read'], read), 1);
    assert.equal(
      read.stderr.text,
      'error: the answer from http://api.test/messages has a "nextCursor" that is not a string; ' +
        'is WHITEBOARD_URL http://api.test the whiteboard API?\n',
    );
    const post = apiAnswering('POST /messages', 201, 'null' as unknown as object);
    assert.equal(await runCli(['post', '--author', 'a', '--text', 'b'], post), 1);
    assert.match(
      post.stderr.text,
      /^error: the stored message from http:\/\/api\.test\/messages is not a message object; is WHITEBOARD_URL http:\/\/api\.test the whiteboard API\?\n/,
    );
  });

  it('names "createdAt" when a message of the answer lacks it, with --json too', async () => {
    const { createdAt: _, ...undated } = message(1);
    for (const json of [[], ['--json']]) {
      const deps = apiAnswering('GET /messages', 200, page([undated]));
      assert.equal(await runCli(['read', ...json], deps), 1);
      assert.equal(
        deps.stderr.text,
        'error: message 1 of the answer from http://api.test/messages has no string "createdAt"; ' +
          'is WHITEBOARD_URL http://api.test the whiteboard API?\n',
      );
      assert.equal(deps.stdout.text, '');
    }
  });

  it('names the URL that answered without a messages list', async () => {
    const deps = apiAnswering('GET /boards/team/messages', 200, { items: [] });
    assert.equal(await runCli(['read', '--board', 'team'], deps), 1);
    assert.equal(
      deps.stderr.text,
      'error: the answer from http://api.test/boards/team/messages has no "messages" list; ' +
        'is WHITEBOARD_URL http://api.test the whiteboard API?\n',
    );
  });

  it('says before a long wait that the API asked for it (Retry-After), not before a short one', async () => {
    const { deps, interceptor } = expecting('GET /messages', {});
    interceptor.reply(429, { message: 'Too Many Requests' }, { headers: { 'retry-after': '3600' } }).times(2);
    deps.agent
      .get(API)
      .intercept({ path: '/messages', method: 'GET' })
      .reply(200, page([message(1)]), JSON_HEADERS);
    assert.equal(await runCli(['read', '--json'], deps), 0);
    assert.deepEqual(deps.sleeps, [30_000, 30_000]);
    assert.equal(
      deps.stderr.text,
      `${API} asks to wait 3600 s (Retry-After); waiting 30 s, then retrying at most 2 more times\n` +
        `${API} asks to wait 3600 s (Retry-After); waiting 30 s, then retrying at most 1 more time\n`,
    );
    // Two seconds or less: no note.
    const { deps: quiet, interceptor: busy } = expecting('GET /messages', {});
    busy.reply(503, { message: 'busy' }, { headers: { 'retry-after': '2' } });
    quiet.agent
      .get(API)
      .intercept({ path: '/messages', method: 'GET' })
      .reply(200, page([message(1)]), JSON_HEADERS);
    assert.equal(await runCli(['read'], quiet), 0);
    assert.deepEqual(quiet.sleeps, [2000]);
    assert.equal(quiet.stderr.text, '');
  });

  it('exits 130 when interrupted during a read', async () => {
    const deps = apiFailing(
      'GET /messages',
      503,
      {},
      {
        onSleep: (_count, controller) => controller.abort(),
      },
    );
    assert.equal(await runCli(['read'], deps), 130);
    assert.equal(deps.stderr.text, '');
  });

  it('exits 130 when interrupted during a post, saying that the message may have been stored', async () => {
    const { deps, interceptor } = expecting('POST /messages', {});
    interceptor.reply(201, message(1), JSON_HEADERS).delay(5000);
    setTimeout(() => deps.controller.abort(), 50);
    assert.equal(await runCli(['post', '--author', 'ann', '--text', 'hi'], deps), 130);
    assert.equal(
      deps.stderr.text,
      'note: the message may have been stored; check with `whiteboard read` before posting again\n',
    );
  });
});

describe('help and version', () => {
  it('takes `help` and `help <command>` as --help (as git and npm do)', async () => {
    for (const [argv, usage] of [
      [['help'], 'Usage: whiteboard [options] [command]'],
      [['help', 'read'], 'Usage: whiteboard read [options]'],
      [['help', 'post'], 'Usage: whiteboard post [options]'],
      // Connection options before it change nothing: they may come before any command.
      [['--verbose', 'help', 'read'], 'Usage: whiteboard read [options]'],
      [['--url', 'http://x.test', 'help', 'post'], 'Usage: whiteboard post [options]'],
    ] as const) {
      const deps = createTestDeps();
      assert.equal(await runCli(argv, deps), 0, argv.join(' '));
      assert.ok(deps.stdout.text.startsWith(usage), deps.stdout.text);
      assert.equal(deps.stderr.text, '');
    }
    // Help on a command that does not exist says so, as the command alone would.
    const deps = createTestDeps();
    assert.equal(await runCli(['help', 'redd'], deps), 2);
    assert.equal(deps.stderr.text, "error: unknown command 'redd' (Did you mean read?)\n");
    assert.equal(deps.stdout.text, '');
  });

  it('answers `help` with 0 whatever exit code the process had set before, and leaves it as it was', async () => {
    const before = process.exitCode;
    process.exitCode = 1;
    try {
      const deps = createTestDeps();
      assert.equal(await runCli(['help'], deps), 0);
      assert.equal(process.exitCode, 1);
    } finally {
      process.exitCode = before;
    }
  });

  it('prints the version', async () => {
    const deps = createTestDeps();
    assert.equal(await runCli(['--version'], deps), 0);
    assert.equal(deps.stdout.text, '9.9.9-test\n');
  });

  for (const command of ['post', 'read']) {
    it(`explains ${command} with examples and where the URL comes from`, async () => {
      const deps = createTestDeps();
      assert.equal(await runCli([command, '--help'], deps), 0);
      assert.match(deps.stdout.text, new RegExp(`^Usage: whiteboard ${command} \\[options\\]`));
      assert.match(deps.stdout.text, /\nExamples:\n {2}\$ whiteboard /);
      assert.match(
        deps.stdout.text,
        /--url <url>.*\n\s+WHITEBOARD_URL .*\n\s+cdk-outputs\.json .*\n\s+http:\/\/127\.0\.0\.1:3000 /,
      );
    });
  }

  it('prints the overview with --help and usage on stderr without a command', async () => {
    const help = createTestDeps();
    assert.equal(await runCli(['--help'], help), 0);
    assert.match(help.stdout.text, /Commands:\n\s+post .*\n\s+read /);
    const bare = createTestDeps();
    assert.equal(await runCli([], bare), 2);
    assert.match(bare.stderr.text, /^Usage: whiteboard /);
  });
});

describe('where it points', () => {
  const read = async (argv: string[], options: TestDepsOptions, origin: string) => {
    const deps = apiAnswering('GET /messages', 200, page([]), { ...options, origin });
    assert.equal(await runCli(argv, deps), 0, deps.stderr.text);
    assert.equal(deps.agent.getCallHistory()?.firstCall()?.origin, origin);
  };
  const outputs = {
    'cdk-outputs.json': JSON.stringify({ 'Whiteboard-dev': { ApiUrl: 'https://dev.test/' } }),
  };

  it('uses --url first', () =>
    read(
      ['read', '--url', 'http://flag.test'],
      { env: { WHITEBOARD_URL: 'http://env.test' }, files: outputs },
      'http://flag.test',
    ));
  it('then WHITEBOARD_URL', () =>
    read(['read'], { env: { WHITEBOARD_URL: 'http://env.test' }, files: outputs }, 'http://env.test'));
  it('then the deployed ApiUrl', () => read(['read'], { env: {}, files: outputs }, 'https://dev.test'));
  it('then the local stack', () => read(['read'], { env: {} }, 'http://127.0.0.1:3000'));

  it('takes the connection options before the command too', async () => {
    await read(['--url', 'http://flag.test', 'read'], { env: {} }, 'http://flag.test');
    await read(
      ['--timeout', '3', '--url=http://flag.test', '--no-color', 'read', '--json'],
      { env: {} },
      'http://flag.test',
    );
  });

  it('says that connection options need a command, rather than call them unknown (exit 2)', async () => {
    for (const argv of [
      ['--url', 'http://x.test'],
      ['--verbose'],
      ['--url=http://x.test', '--retries', '1'],
    ]) {
      const deps = createTestDeps();
      assert.equal(await runCli(argv, deps), 2);
      assert.match(
        deps.stderr.text,
        /^error: --(url|verbose) goes with a command: whiteboard --\1 \.\.\. read \(or post\)\n$/,
      );
    }
  });

  it('says that a connection option lacks its value when the command was taken as it (exit 2)', async () => {
    for (const [argv, said] of [
      // No `--timeout=read`: a timeout is a number.
      [['--timeout', 'read'], '--timeout needs a value, and read is a command'],
      [
        ['--verbose', '--url', 'post', '--author', 'a', '--text', 't'],
        '--url needs a value, and post is a command (to mean it as the value, write --url=post)',
      ],
    ] as const) {
      const deps = createTestDeps();
      assert.equal(await runCli(argv, deps), 2);
      assert.equal(deps.stderr.text, `error: ${said}\n`);
      assert.deepEqual(requestedPaths(deps.agent), [], 'nothing sent');
    }
  });

  it('says what a common slip should have been (exit 2)', async () => {
    for (const [argv, said] of [
      [['READ'], "unknown command 'READ' (Did you mean read?)"],
      [['help', 'READ'], "unknown command 'READ' (Did you mean read?)"],
      [['-v'], "unknown option '-v' (the version: -V or --version; more detail: --verbose)"],
      [['read', '-v'], "unknown option '-v' (the version: -V or --version; more detail: --verbose)"],
      [['--json', 'read'], '--json goes after the command: whiteboard read --json'],
      [
        ['--url', API, '--board', 'team', 'read'],
        '--board goes after the command: whiteboard read --board team',
      ],
      [['--json'], '--json goes after the command: whiteboard <post|read> --json'],
      [
        ['post', '--author', 'ann', '--text', 'hello', 'big', 'world'],
        "unexpected word big: a text of several words goes in quotes (--text 'hello big world')",
      ],
      [
        ['read', 'default'],
        'unexpected word default: read takes options only (for a board: --board default; a value with spaces goes in quotes)',
      ],
      [
        ['post', '--author', 'ann', 'x'],
        'unexpected word x: post takes options only (a value with spaces goes in quotes)',
      ],
      // No board name offered for what looks like an option, nor for the help that was meant.
      [
        ['read', '--', '--json'],
        'unexpected word --json: read takes options only (a value with spaces goes in quotes)',
      ],
      [['read', '-'], 'unexpected word -: read takes options only (a value with spaces goes in quotes)'],
      [['read', 'help'], 'unexpected word help: for the help of read, whiteboard read --help'],
      [['post', 'help'], 'unexpected word help: for the help of post, whiteboard post --help'],
      [
        ['post', '--author', 'ann', '--text', 'get', 'help'],
        "unexpected word help: a text of several words goes in quotes (--text 'get help')",
      ],
      [['--board', 'read'], '--board goes after the command: whiteboard read --board <value>'],
      [
        ['read', '--board', 'team', 'x'],
        'unexpected word x: read takes options only (a value with spaces goes in quotes)',
      ],
      [
        ['post', '--author', 'a', '--text', 'costs $5', "it's"],
        "unexpected word it's: a text of several words goes in quotes (--text 'costs $5 it'\\''s')",
      ],
      // What the line holds is quoted safe for the terminal.
      [
        ['read', 'a\u001b[2J'],
        'unexpected word a\u241b[2J: read takes options only (a value with spaces goes in quotes)',
      ],
      [['read', '--\u001b[2J'], "unknown option '--\u241b[2J' (whiteboard read --help lists the options)"],
      // An unknown option first: commander's suggestion says more than the word after it.
      [['read', '--lmit', '3'], "unknown option '--lmit' (Did you mean --limit?)"],
      // No near miss: where to look instead.
      [
        ['post', '--author', 'a', '--text', 't', '--bogus'],
        "unknown option '--bogus' (whiteboard post --help lists the options)",
      ],
      [['--bogus'], "unknown option '--bogus' (whiteboard --help lists the options)"],
      [['frobnicate'], "unknown command 'frobnicate' (the commands: post, read)"],
      [['help', 'frobnicate'], "unknown command 'frobnicate' (the commands: post, read)"],
      // Every required option missing at once, not one per try.
      [['post'], "required options '--author <name>' and '--text <text>' not specified"],
      [
        ['post', '--board', 'team', '--json'],
        "required options '--author <name>' and '--text <text>' not specified",
      ],
      [['post', '--text=hi'], "required option '--author <name>' not specified"],
      // A misspelt required option is unknown before the required one is missing.
      [['post', '--autor', 'ann', '--text', 'hi'], "unknown option '--autor' (Did you mean --author?)"],
      [
        ['post', '--author', 'ann', '--txt=hi'],
        "unknown option '--txt=hi' (whiteboard post --help lists the options)",
      ],
      [['post', '--bogus'], "unknown option '--bogus' (whiteboard post --help lists the options)"],
    ] as const) {
      const deps = createTestDeps();
      assert.equal(await runCli(argv, deps), 2, argv.join(' '));
      assert.equal(deps.stderr.text, `error: ${said}\n`);
      assert.deepEqual(requestedPaths(deps.agent), [], 'nothing sent');
    }
  });

  it('says the same of a word after -- as of any stray word (exit 2)', async () => {
    const deps = createTestDeps();
    assert.equal(await runCli(['read', '--', 'foo'], deps), 2);
    assert.equal(
      deps.stderr.text,
      'error: unexpected word foo: read takes options only (for a board: --board foo; a value with spaces goes in quotes)\n',
    );
    assert.deepEqual(requestedPaths(deps.agent), [], 'nothing sent');
  });

  it('takes a command name an object has by inheritance for an unknown command, not an option', async () => {
    const deps = createTestDeps();
    assert.equal(await runCli(['constructor'], deps), 2);
    assert.match(deps.stderr.text, /^error: unknown command 'constructor'/);
  });

  it('moves only connection options, and only when a command follows them', () => {
    assert.deepEqual(commandFirst(['--verbose', '--retries', '0', 'read', '--limit', '2']), [
      'read',
      '--verbose',
      '--retries',
      '0',
      '--limit',
      '2',
    ]);
    for (const argv of [
      ['read', '--url', 'http://x.test'],
      ['--url', 'http://x.test'],
      ['--limit', '2', 'read'],
      ['--verbose', '--help'],
      // Names an object has by inheritance are not options.
      ['constructor', 'read'],
      ['toString'],
      [],
    ]) {
      assert.deepEqual(commandFirst(argv), argv);
    }
  });
});
