/**
 * The built CLI (the bin package.json declares, what `npx whiteboard` runs) as a child process, over
 * real HTTP, against the local stack: API Gateway emulator, the handler bundles, a real DynamoDB
 * engine.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Message } from '../../backend/domain/message.ts';
import { type LocalStack, startLocalStack } from '../../backend/local/stack.ts';
import { ownTempFolder } from '../../backend/local/temp-folders.ts';
import { parsesAsUndici } from '../../cli/node-http-parser.ts';
import { createTestTable } from '../helpers/dynamodb.ts';
import { connectOutcome, freePort } from '../helpers/listening.ts';
import { OLDER_NODE_ENV } from '../helpers/run-script.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BIN = join(
  ROOT,
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { whiteboard: string } }).bin
    .whiteboard,
);
const DIST = join(ROOT, 'dist/cli');
/**
 * With --profile-deserialization V8 prints a line for each code cache it reads and one for each
 * that fails its checks. The caller's NODE_OPTIONS and coverage are left out: a V8 flag there
 * (--max-old-space-size) voids every cache, and --enable-source-maps or coverage load built-ins of
 * their own.
 */
const PROFILE_CODE_CACHES = {
  nodeArgs: ['--profile-deserialization'],
  env: { NODE_OPTIONS: '', NODE_V8_COVERAGE: '' },
} as const;

/** The bundle's code cache for this Node's V8, as the build and the launcher name it. */
const isOwnCache = (name: string): boolean =>
  /^main-[0-9a-f]+-v8-/.test(name) && name.endsWith(`-v8-${process.versions.v8}.cache`);
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The newest modification time of a file or of anything under a folder. */
const newestMtime = (path: string): number =>
  statSync(path).isDirectory()
    ? Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))))
    : statSync(path).mtimeMs;

/** What the CLI bundle is built from: its sources, the domain modules they import, the build. */
const bundleSources = ['cli', 'backend/domain', 'scripts/build.mjs', 'package-lock.json'];

let stack: LocalStack;
/** The folders of `tempDir`, each removed by its own `remove` after the tests. */
const removals: Array<() => void> = [];

before(async () => {
  // `npm ci` builds the bundle (prepare), and this tests it; rebuild when it is missing or older
  // than what it is built from.
  const sourcesChanged = Math.max(...bundleSources.map((path) => newestMtime(join(ROOT, path))));
  if (!existsSync(BIN) || statSync(BIN).mtimeMs < sourcesChanged) {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  }
  const { endpoint, tableName } = await createTestTable();
  stack = await startLocalStack({ port: 0, dynamoDbEndpoint: endpoint, tableName, quiet: true });
});

after(async () => {
  await stack?.stop();
  for (const remove of removals) remove();
});

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface RunOptions {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly input?: string | Buffer;
  /** The script to run; the declared bin by default. */
  readonly bin?: string;
  /** Options for node itself, before the script. */
  readonly nodeArgs?: readonly string[];
}

const PROXY_VARIABLES = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY'];

/** The CLI's environment: none of the caller's WHITEBOARD_URL, proxy or colour settings leak in. */
const cliEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['WHITEBOARD_URL', 'FORCE_COLOR', 'npm_command', ...PROXY_VARIABLES]) delete env[name];
  return { ...env, ...extra };
};

const spawnCli = (args: readonly string[], options: RunOptions = {}): ChildProcess =>
  spawn(process.execPath, [...(options.nodeArgs ?? []), options.bin ?? BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: cliEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });

const run = (args: readonly string[], options: RunOptions = {}): Promise<RunResult> =>
  new Promise((done, fail) => {
    const child = spawnCli(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin?.end(options.input ?? '');
  });

/** A fresh folder under the system's temp folder, which the run removes. */
const tempDir = (prefix: string): string => {
  const { path, remove } = ownTempFolder(`whiteboard-${prefix}-`);
  removals.push(remove);
  return path;
};

/** A fresh folder holding a copy of these files of the build, for a run that changes them. */
const distCopy = (names: readonly string[]): string => {
  const dir = tempDir('dist');
  for (const name of names) copyFileSync(join(DIST, name), join(dir, name));
  return dir;
};

/** A script for node's --require, in a folder of its own that the run removes. */
const preload = (name: string, source: string): string => {
  const dir = tempDir('preload');
  writeFileSync(join(dir, name), source);
  return join(dir, name);
};

/**
 * Node options that hide Node's own HTTP parser from the CLI, which then parses with undici's,
 * compiled from WebAssembly: what it does on a Node.js without one (cli/node-http-parser.ts).
 */
const withUndiciParser = (): string[] => [
  '--require',
  preload(
    'no-node-http-parser.cjs',
    "const get = process.getBuiltinModule;\nprocess.getBuiltinModule = (id) => (id === '_http_common' ? {} : get(id));\n",
  ),
];
/** Node's parser is there, but of llhttp 8, as in Node.js 20.19.0 and older: undici's is used. */
const withOldLlhttp = (): string[] => [
  '--require',
  preload(
    'old-llhttp.cjs',
    "Object.defineProperty(process.versions, 'llhttp', { value: '8.1.2', enumerable: true });\n",
  ),
];
/** Whether this Node.js lends undici's client its parser (cli/node-http-parser.ts). */
const bridged = parsesAsUndici(process.versions.llhttp);

/**
 * `whiteboard read --follow --json` as a child process: the messages it prints (one JSON line
 * each), `stop`, which sends it a signal and waits for its end, and `ended`, its exit code and
 * stderr.
 */
const startFollow = (args: readonly string[]) => {
  const child = spawnCli(['read', '--follow', '--json', ...args]);
  child.stdin?.end();
  const messages: Message[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  const ended = exited.then((code) => ({ code, stderr }));
  let buffered = '';
  let printed = () => {};
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let newline = buffered.indexOf('\n'); newline !== -1; newline = buffered.indexOf('\n')) {
      messages.push(JSON.parse(buffered.slice(0, newline)) as Message);
      buffered = buffered.slice(newline + 1);
    }
    printed();
  });
  return {
    messages,
    /** Resolves once `count` messages are printed; fails if the follow ends first, or after `ms`. */
    printed: (count: number, ms?: number) =>
      new Promise<void>((done, fail) => {
        printed = () => {
          if (messages.length >= count) done();
        };
        printed();
        void exited.then(() => fail(new Error(`follow ended early: ${stderr}`)));
        if (ms !== undefined) {
          setTimeout(() => fail(new Error(`not ${count} messages in ${ms} ms: ${stderr}`)), ms).unref();
        }
      }),
    stop: async (signal: NodeJS.Signals) => {
      child.kill(signal);
      await exited;
    },
    ended,
  };
};

/** Runs with --url of the local stack and expects success. */
const ok = async (args: readonly string[], options: RunOptions = {}): Promise<string> => {
  const result = await run([...args, '--url', stack.url], options);
  assert.equal(result.code, 0, `whiteboard ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
};

let boards = 0;
const freshBoard = () => `cli-${process.pid}-${++boards}`;

/**
 * A port nothing listens on: one that was free a moment ago, below the kernel's ephemeral ports,
 * which a parallel test's listen(0) or outgoing connection could otherwise take meanwhile.
 */
const closedPort = (): Promise<number> => freePort();

/** Runs `use` with the URL of a TCP server on 127.0.0.1 that meets each connection with `behave`. */
const withTcpServer = async <T>(
  behave: (socket: Socket) => void,
  use: (url: string) => Promise<T>,
): Promise<T> => {
  const server = createServer(behave);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    return await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.close();
  }
};

/** A raw HTTP/1.1 200 answer carrying `json`, for the servers of withTcpServer. */
const jsonAnswer = (json: string): string =>
  'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n' +
  `content-length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;

describe('whiteboard CLI against the local stack', () => {
  it('posts a message and reads it back', async () => {
    const board = freshBoard();
    const posted = await ok(['post', '--author', 'ann', '--text', 'hello from the CLI', '--board', board]);
    assert.match(
      posted,
      new RegExp(
        `^Posted to ${board} as ann\\n {2}id {4}[0-9A-Z]{26}\\n {2}time {2}\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\(just now\\)\\n$`,
      ),
    );
    const read = await ok(['read', '--board', board]);
    // The relative time depends on how busy the machine is between post and read.
    assert.match(read, /^ann {2}(just now|\d+ s ago)\n {2}hello from the CLI\n$/);
  });

  it('prints the API JSON with --json, newest first', async () => {
    const board = freshBoard();
    const first = JSON.parse(
      await ok(['post', '--author', 'a', '--text', 'one', '--board', board, '--json']),
    ) as Message;
    const second = JSON.parse(
      await ok(['post', '--author', 'b', '--text', 'two', '--board', board, '--json']),
    ) as Message;
    assert.match(first.id, ULID);
    const page = JSON.parse(await ok(['read', '--board', board, '--json'])) as {
      messages: Message[];
      nextCursor: unknown;
    };
    assert.deepEqual(page, { messages: [second, first], nextCursor: null });
  });

  it('keeps boards apart and reads the default board at /messages', async () => {
    const board = freshBoard();
    const text = `only on ${board}`;
    await ok(['post', '--author', 'ann', '--text', text, '--board', board]);
    const other = JSON.parse(await ok(['read', '--board', freshBoard(), '--json'])) as {
      messages: Message[];
    };
    assert.deepEqual(other.messages, []);
    const onDefault = JSON.parse(
      await ok(['post', '--author', 'ann', '--text', 'on default', '--json']),
    ) as Message;
    assert.equal(onDefault.board, 'default');
    const defaults = JSON.parse(await ok(['read', '--json', '--limit', '100'])) as { messages: Message[] };
    assert.ok(defaults.messages.some((message) => message.id === onDefault.id));
    assert.ok(!defaults.messages.some((message) => message.text === text));
  });

  it('reads the text from standard input with --text -', async () => {
    const board = freshBoard();
    await ok(['post', '--author', 'pipe', '--text', '-', '--board', board], {
      input: 'line one\nline two\n',
    });
    const page = JSON.parse(await ok(['read', '--board', board, '--json'])) as { messages: Message[] };
    assert.equal(page.messages[0]?.text, 'line one\nline two');
  });

  it('refuses standard input that is not UTF-8, rather than post it changed (exit 2)', async () => {
    const board = freshBoard();
    const latin1 = Buffer.from('caf\xe9 au lait', 'latin1');
    const result = await run(
      ['post', '--author', 'pipe', '--text', '-', '--board', board, '--url', stack.url],
      {
        input: latin1,
      },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^error: standard input is not UTF-8 text; convert it first/);
    assert.equal(JSON.parse(await ok(['read', '--json', '--board', board])).messages.length, 0);
  });

  it('limits the page with --limit and says there is more', async () => {
    const board = freshBoard();
    for (const text of ['1', '2', '3'])
      await ok(['post', '--author', 'ann', '--text', text, '--board', board]);
    const read = await ok(['read', '--board', board, '--limit', '2']);
    assert.match(
      read,
      /^ann {2}(just now|\d+ s ago)\n {2}3\n\nann {2}(just now|\d+ s ago)\n {2}2\n\nShowing the 2 newest\./,
    );
  });

  it('follows a board, printing a message posted while it runs, and stops on Ctrl-C', async () => {
    const board = freshBoard();
    const before = JSON.parse(
      await ok(['post', '--author', 'ann', '--text', 'before', '--board', board, '--json']),
    ) as Message;
    const follower = startFollow(['--board', board, '--url', stack.url]);
    try {
      await follower.printed(1);
      // It is following: post from another process now.
      await ok(['post', '--author', 'bob', '--text', 'during', '--board', board]);
      await follower.printed(2);
    } finally {
      await follower.stop('SIGINT');
    }
    const { code, stderr } = await follower.ended;
    assert.equal(code, 0, stderr);
    const lines = follower.messages;
    assert.deepEqual(lines[0], before);
    assert.equal(lines[1]?.text, 'during');
    assert.equal(lines[1]?.author, 'bob');
    assert.ok((lines[1]?.id ?? '') > before.id);
  });

  it('fails with the API message and status, exit 1', async () => {
    const result = await run(['post', '--author', 'ann', '--text', 'bell \u0007', '--url', stack.url]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'error: text must not contain control characters (HTTP 400 INVALID_TEXT)\n');
  });

  it('follows on after an answer whose last 64 KiB made undici pause, the next on the same connection', async () => {
    // The first answer's last 65,536 bytes come in a write of their own, and reach the CLI's parser
    // as one read: undici asks for a pause in that part of the body (its reader takes 64 KiB at
    // most before it says "enough"), and the answer ends in the same bytes. With Node's parser
    // (cli/node-http-parser.ts) that pause is called off; left on, the next poll's answer on the
    // kept-alive connection was never parsed, and undici failed an assertion when the wait for it
    // ran out (the CLI crashed).
    const message = (id: string, text: string) => ({
      id,
      board: 'default',
      author: 'ann',
      text,
      createdAt: '2026-11-28T12:00:00.000Z',
    });
    const first = JSON.stringify({
      messages: [message('01KB0000000000000000000000', 'x'.repeat(70_000))],
      nextCursor: null,
    });
    const next = JSON.stringify({
      messages: [message('01KB0000000000000000000001', 'the next one')],
      nextCursor: null,
    });
    const tail = 65_536;
    let connections = 0;
    const ids = await withTcpServer(
      (socket) => {
        connections += 1;
        let received = '';
        let answered = 0;
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString('latin1');
          for (let end = received.indexOf('\r\n\r\n'); end !== -1; end = received.indexOf('\r\n\r\n')) {
            received = received.slice(end + 4);
            if (answered === 0) {
              const answer = jsonAnswer(first);
              socket.write(answer.slice(0, -tail));
              setTimeout(() => socket.write(answer.slice(-tail)), 100);
            } else {
              socket.write(jsonAnswer(next));
            }
            answered += 1;
          }
        });
        socket.on('error', () => {});
      },
      async (url) => {
        const follower = startFollow(['--url', url]);
        try {
          await follower.printed(2, 30_000);
        } finally {
          await follower.stop('SIGINT');
        }
        const { code, stderr } = await follower.ended;
        assert.equal(code, 0, stderr);
        return follower.messages.map((message) => message.id);
      },
    );
    assert.deepEqual(ids, ['01KB0000000000000000000000', '01KB0000000000000000000001']);
    assert.equal(connections, 1, 'the poll did not reuse the connection');
  });

  it('ends a follow on SIGTERM as on Ctrl-C, with exit 0', async () => {
    const board = freshBoard();
    await ok(['post', '--author', 'ann', '--text', 'first', '--board', board]);
    const follower = startFollow(['--board', board, '--url', stack.url]);
    await follower.printed(1);
    await follower.stop('SIGTERM');
    const { code, stderr } = await follower.ended;
    assert.equal(code, 0, stderr);
  });

  it('prints the stack trace with --verbose, mapped to the TypeScript sources', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await run(['read', '--url', url, '--retries', '0', '--verbose']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /\n {4}at .*\bcli\/http-client\.ts:\d+:\d+/);
    assert.doesNotMatch(result.stderr, /main\.cjs:\d+:\d+/);
  });

  it('says the API cannot be reached, exit 1, no stack trace', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const result = await run(['read', '--url', url, '--retries', '0']);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `error: cannot reach ${url}: connection refused; is the local stack running? (npm start -- --port ${port})\n`,
    );
  });

  it("says in one line, exit 1, that its Node.js is older than package.json's engines", async () => {
    const port = await closedPort();
    const result = await run(['read', '--url', `http://127.0.0.1:${port}`, '--retries', '0'], {
      env: { NODE_OPTIONS: OLDER_NODE_ENV.NODE_OPTIONS ?? '' },
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /^error: Node\.js 18\.20\.4 \(.+\) is older than whiteboard supports: it needs 20\.18\.0 or newer\. [^\n]+\n$/,
    );
    assert.equal(result.stdout, '');
  });

  it('says in one line, exit 1, when its output cannot be written', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      // Not spawnSync: this process serves the stack the CLI reads from.
      const child = spawn(process.execPath, [BIN, 'read', '--url', stack.url], {
        stdio: ['ignore', full, 'pipe'],
        env: cliEnv(),
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const [code] = (await once(child, 'close')) as [number | null];
      assert.equal(code, 1);
      assert.equal(stderr, 'error: cannot write the output: ENOSPC: no space left on device, write\n');
    } finally {
      closeSync(full);
    }
  });

  it('says a post was stored, with its id, when its output cannot be written', async () => {
    const board = freshBoard();
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(
        process.execPath,
        [BIN, 'post', '--author', 'ann', '--text', 'kept', '--board', board, '--url', stack.url],
        { stdio: ['ignore', full, 'pipe'], env: cliEnv() },
      );
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const [code] = (await once(child, 'close')) as [number | null];
      assert.equal(code, 1);
      const [stored] = JSON.parse(await ok(['read', '--board', board, '--json'])).messages as Message[];
      assert.equal(
        stderr,
        `error: posted ${stored?.id}, but could not write the output: ENOSPC: no space left on device, write\n`,
      );
    } finally {
      closeSync(full);
    }
  });

  it('ends quietly with exit 0 when its reader closes the pipe early (read | head)', async () => {
    // A page larger than a pipe holds (64 KiB on Linux): the write fails with EPIPE once the
    // reader has gone.
    const messages = Array.from({ length: 100 }, (_, i) => ({
      id: `01M8FEDQJ18ZYPXENG0XSQ${String(i).padStart(4, '0')}`,
      board: 'default',
      author: 'ann',
      text: 'x'.repeat(2000),
      createdAt: '2026-11-27T12:00:00.000Z',
    }));
    const answer = jsonAnswer(JSON.stringify({ messages, nextCursor: null }));
    await withTcpServer(
      (socket) => socket.once('data', () => socket.end(answer)),
      async (url) => {
        const child = spawnCli(['read', '--json', '--url', url]);
        child.stdin?.end();
        let stderr = '';
        child.stderr?.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        const closed = once(child, 'close');
        const [first] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
        // What `head -c` does once it has read enough.
        child.stdout?.destroy();
        const [code] = (await closed) as [number | null];
        assert.equal(first.toString().slice(0, 1), '{');
        assert.equal(code, 0, stderr);
        assert.equal(stderr, '');
      },
    );
  });

  it('exits 130 on Ctrl-C and 143 on SIGTERM during a post, saying that it may have been stored', async () => {
    for (const [signal, expected] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      // An API that takes the request and never answers.
      let asked = (): void => {};
      const requested = new Promise<void>((resolve) => {
        asked = resolve;
      });
      await withTcpServer(
        (socket) => socket.once('data', () => asked()),
        async (url) => {
          const child = spawnCli(['post', '--author', 'ann', '--text', 'hi', '--url', url]);
          child.stdin?.end();
          let stderr = '';
          child.stderr?.on('data', (chunk: Buffer) => {
            stderr += chunk.toString();
          });
          const closed = once(child, 'close');
          await requested;
          child.kill(signal);
          const [code] = (await closed) as [number | null];
          assert.equal(code, expected, `${signal}: ${stderr}`);
          assert.match(stderr, /^note: the message may have been stored/m, signal);
        },
      );
    }
  });

  it('exits 2 on a usage error', async () => {
    const result = await run(['read', '--limit', 'many']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: option '--limit <n>' argument 'many' is invalid\./);
    assert.equal(result.stdout, '');
  });
});

describe('whiteboard CLI through an HTTP proxy (HTTP_PROXY)', () => {
  /**
   * Runs `use` with the URL of a forwarding proxy on 127.0.0.1 that passes each request it is asked,
   * for any host, to the local stack (as the stack's own host: it answers only this machine's
   * names), and the request lines it was asked; or that answers each with `status`.
   */
  const withProxy = async <T>(
    use: (proxyUrl: string, asked: string[]) => Promise<T>,
    status?: number,
  ): Promise<T> => {
    const asked: string[] = [];
    const stackUrl = new URL(stack.url);
    const proxy = createHttpServer((req, res) => {
      asked.push(`${req.method} ${req.url}`);
      if (status !== undefined) {
        res.writeHead(status, { 'proxy-authenticate': 'Basic realm="test"' }).end();
        return;
      }
      const target = new URL(req.url ?? '/');
      const onward = httpRequest(
        {
          host: stackUrl.hostname,
          port: stackUrl.port,
          method: req.method,
          path: `${target.pathname}${target.search}`,
          headers: { ...req.headers, host: stackUrl.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(onward);
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    try {
      return await use(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, asked);
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  };
  // A name only the proxy resolves: the CLI must not look it up itself.
  const api = (): string => `http://whiteboard.invalid:${new URL(stack.url).port}`;
  /** Runs the CLI as given (its own --url), and expects it to succeed. */
  const okAs = async (args: readonly string[], env: Record<string, string>): Promise<string> => {
    const result = await run(args, { env });
    assert.equal(result.code, 0, `whiteboard ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };

  it('posts and reads through the proxy, asking it for the API by name', async () => {
    await withProxy(async (proxyUrl, asked) => {
      const board = `proxied-${Date.now()}`;
      const env = { HTTP_PROXY: proxyUrl };
      await okAs(['post', '--author', 'ann', '--text', 'via proxy', '--board', board, '--url', api()], env);
      const read = await okAs(['read', '--json', '--board', board, '--url', api()], env);
      assert.deepEqual(
        (JSON.parse(read) as { messages: Message[] }).messages.map((message) => message.text),
        ['via proxy'],
      );
      assert.deepEqual(asked, [
        `POST ${api()}/boards/${board}/messages`,
        `GET ${api()}/boards/${board}/messages`,
      ]);
    });
  });

  it('goes direct to a host NO_PROXY lists, and always to the local stack on a loopback address', async () => {
    await withProxy(async (proxyUrl, asked) => {
      const direct = await run(['read', '--retries', '0', '--url', api()], {
        env: { HTTP_PROXY: proxyUrl, NO_PROXY: 'example.com, .invalid' },
      });
      // Looked up by this machine, which has no such host.
      assert.equal(direct.code, 1);
      assert.match(
        direct.stderr,
        /^error: cannot reach http:\/\/whiteboard\.invalid:\d+: host whiteboard\.invalid not found\n/,
      );
      await okAs(['read', '--json', '--url', stack.url], { HTTP_PROXY: proxyUrl });
      assert.deepEqual(asked, []);
    });
  });

  it('names the proxy when it cannot be reached, or refuses, exit 1', async () => {
    const port = await freePort();
    const down = await run(['read', '--retries', '0', '--url', api()], {
      env: { http_proxy: `http://127.0.0.1:${port}` },
    });
    assert.equal(down.code, 1);
    assert.equal(
      down.stderr,
      `error: cannot reach the proxy http://127.0.0.1:${port} (http_proxy): connection refused\n`,
    );
    await withProxy(async (proxyUrl) => {
      const refused = await run(['read', '--retries', '0', '--url', api()], {
        env: { HTTP_PROXY: proxyUrl },
      });
      assert.equal(refused.code, 1);
      assert.equal(
        refused.stderr,
        `error: the proxy ${proxyUrl} (HTTP_PROXY) refused the request to ${api()}: it answered 407; it asks for credentials: http://user:password@host:port in HTTP_PROXY\n`,
      );
    }, 407);
  });
});

describe('where the CLI points', () => {
  const outputsDir = (apiUrl: string): string => {
    const dir = tempDir('cli');
    writeFileSync(
      join(dir, 'cdk-outputs.json'),
      JSON.stringify({ 'Whiteboard-dev': { ApiUrl: `${apiUrl}/` } }),
    );
    return dir;
  };
  const readsFrom = (args: string[], options: RunOptions): Promise<RunResult> =>
    run(['read', '--json', '--retries', '0', '--verbose', ...args], options);

  it('uses the ApiUrl in cdk-outputs.json of the current directory', async () => {
    const result = await readsFrom([], { cwd: outputsDir(stack.url) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /^using http:\/\/127\.0\.0\.1:\d+ \(ApiUrl of stack Whiteboard-dev in cdk-outputs\.json\)\n/,
    );
  });

  it('prefers WHITEBOARD_URL to cdk-outputs.json', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const result = await readsFrom([], { cwd: outputsDir(dead), env: { WHITEBOARD_URL: stack.url } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /\(WHITEBOARD_URL\)/);
  });

  it('prefers --url to WHITEBOARD_URL', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const result = await readsFrom(['--url', stack.url], {
      cwd: outputsDir(dead),
      env: { WHITEBOARD_URL: dead },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /\(--url\)/);
  });

  it('falls back to the local stack address, and says how to start it', async () => {
    const dir = tempDir('cli');
    // Port 3000 may be taken by a developer's `npm start`, or by anything else: what the read then
    // gets is that server's, and only the URL is checked. What the CLI says to a refused
    // connection there is checked whatever the port holds, in test/cli/commands.test.ts ("exits 1
    // with one line ...").
    const taken = (await connectOutcome(3000)) === 'connected';
    const result = await run(['read', '--retries', '0', '--verbose'], { cwd: dir });
    const using = 'using http://127.0.0.1:3000 (the default: the local stack)\n';
    assert.ok(result.stderr.startsWith(using), result.stderr);
    if (!taken) {
      const refused =
        'error: cannot reach http://127.0.0.1:3000: connection refused; is the local stack running? (npm start; a deployed API: --url, WHITEBOARD_URL or cdk-outputs.json here)\n';
      assert.equal(result.code, 1, result.stderr);
      assert.ok(result.stderr.includes(`\n${refused}`), result.stderr);
    }
  });

  it('stops with a usage error, exit 2, when cdk-outputs.json cannot be read, rather than fall back', async () => {
    const dir = tempDir('cli');
    mkdirSync(join(dir, 'cdk-outputs.json'));
    const result = await run(['read', '--retries', '0'], { cwd: dir });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr,
      'error: cannot read cdk-outputs.json (EISDIR: illegal operation on a directory, read); fix or delete it, or pass --url\n',
    );
    assert.equal(result.stdout, '');
  });

  it("carries undici's HTTP parser as files, each undici's own, and reads with the one without SIMD too (where Node.js has no parser)", async () => {
    const undiciFile = createRequire(import.meta.url);
    for (const name of ['llhttp_simd', 'llhttp'])
      assert.ok(
        readFileSync(join(DIST, `${name}.wasm`)).equals(
          undiciFile(`undici/lib/llhttp/${name}-wasm.js`) as Buffer,
        ),
        `${name}.wasm is undici's ${name}-wasm.js`,
      );
    const result = await run(['read', '--json', '--url', stack.url], {
      env: { UNDICI_NO_WASM_SIMD: '1' },
      nodeArgs: withUndiciParser(),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(Array.isArray((JSON.parse(result.stdout) as { messages: unknown }).messages));
  });

  it("parses answers and fails cleanly on closed connections, with Node's parser and with undici's compiled after the request", async () => {
    // The build edits undici to parse with Node's own llhttp, or where Node.js has none to compile
    // its own on the event loop's next turn, once the request is out, and to bind a socket's
    // parser at the first bytes of the answer (scripts/build.mjs). Each server below must end as it
    // does with an unedited undici: with Node's parser, and with undici's, once as the CLI runs
    // and once with that next turn held back (a preload delays setImmediate), so that the answer or
    // the close comes first and the parser binds, compiling llhttp itself, or is destroyed unbound.
    const page = JSON.stringify({ messages: [], nextCursor: null });
    const servers: Record<string, (socket: Socket) => void> = {
      'answers before reading': (socket) => socket.end(jsonAnswer(page)),
      'answers something not HTTP': (socket) =>
        socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.2\r\n')),
      'closes on the request': (socket) => socket.once('data', () => socket.destroy()),
      'closes at once': (socket) => socket.destroy(),
      // A header read by its name, in capitals (the build leaves undici's tree of header names
      // empty: every name is lower-cased as it comes).
      'declares too large a body': (socket) =>
        socket.once('data', () =>
          socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCONTENT-LENGTH: 99999999\r\n\r\n'),
        ),
    };
    const lateNextTurn = [
      '--require',
      preload(
        'late-next-turn.cjs',
        'globalThis.setImmediate = (callback, ...args) => setTimeout(callback, 300, ...args);\n',
      ),
    ];
    const modes = {
      '': [],
      " (undici's parser)": withUndiciParser(),
      " (undici's parser, next turn held back)": [...withUndiciParser(), ...lateNextTurn],
    };
    const outcomes: Record<string, string> = {};
    for (const [mode, nodeArgs] of Object.entries(modes)) {
      for (const [name, behave] of Object.entries(servers)) {
        outcomes[name + mode] = await withTcpServer(behave, async (url) => {
          const result = await run(['read', '--json', '--retries', '0', '--url', url], { nodeArgs });
          return `${result.code} ${result.stdout}${result.stderr.replaceAll(url, '<url>')}`;
        });
      }
    }
    const expected = {
      'answers before reading': `0 ${JSON.stringify(JSON.parse(page), null, 2)}\n`,
      'answers something not HTTP':
        '1 error: <url> answered with something that is not HTTP; not an HTTP server?\n',
      'closes on the request': '1 error: <url> closed the connection before answering\n',
      'closes at once': '1 error: <url> closed the connection before answering\n',
      'declares too large a body':
        '1 error: the answer from <url>/messages is larger than 4194304 bytes; is --url <url> the whiteboard API?\n',
    };
    assert.deepEqual(
      outcomes,
      Object.fromEntries(
        Object.keys(modes).flatMap((mode) =>
          Object.entries(expected).map(([name, outcome]) => [`${name}${mode}`, outcome]),
        ),
      ),
    );
  });

  it("parses with Node's own HTTP parser, compiling no WebAssembly, and with undici's where Node.js has none or an older llhttp", async () => {
    // Counts the WebAssembly modules compiled in the process: undici's parser is one.
    const counting = [
      '--require',
      preload(
        'count-wasm.cjs',
        [
          'const { Module } = WebAssembly;',
          'let compiled = 0;',
          'WebAssembly.Module = function (...args) { compiled += 1; return new Module(...args); };',
          "process.on('exit', () => process.stderr.write('compiled ' + compiled + '\\n'));",
          '',
        ].join('\n'),
      ),
    ];
    const compiled = async (nodeArgs: readonly string[]) => {
      const result = await run(['read', '--json', '--url', stack.url], { nodeArgs });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(Array.isArray((JSON.parse(result.stdout) as { messages: unknown }).messages));
      return result.stderr;
    };
    assert.equal(await compiled(counting), bridged ? 'compiled 0\n' : 'compiled 1\n');
    assert.equal(await compiled([...counting, ...withUndiciParser()]), 'compiled 1\n');
    assert.equal(await compiled([...counting, ...withOldLlhttp()]), 'compiled 1\n');
  });

  it("starts from V8's code caches, its own and those of Node's built-in modules: none is rejected", async () => {
    // A cache fails V8's checks when made for another source, another V8, or other V8 flags.
    // Setting a flag at start-up (the HTTP parser's --liftoff-only, scripts/build.mjs) would make
    // Node's cache of every built-in module loaded after it fail, and those modules compile from
    // source.
    const cache = readdirSync(DIST).find(isOwnCache);
    assert.ok(cache, 'the build wrote no code cache');
    for (const args of [
      ['read', '--json'],
      ['post', '--board', freshBoard(), '--author', 'ann', '--text', 'from the code cache test'],
    ]) {
      const result = await run([...args, '--url', stack.url], PROFILE_CODE_CACHES);
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.split('\n');
      assert.deepEqual(
        lines.filter((line) => line.startsWith('[Cached code failed')),
        [],
        `whiteboard ${args[0]}: V8 rejected code caches`,
      );
      assert.ok(
        lines.some((line) =>
          line.startsWith(`[Deserializing from ${statSync(join(DIST, cache)).size} bytes`),
        ),
        `whiteboard ${args[0]}: the bundle's code cache (${cache}) was not read:\n${result.stdout}`,
      );
    }
  });

  it("compiles undici's HTTP parser with Liftoff only, once the request is out (scripts/build.mjs edits undici)", () => {
    // Without the flags Node waits 0.25-0.4 s at exit for V8's optimising compiler. The edits are
    // exact text matches in undici, which another undici version could miss; the build only warns,
    // and leaves the file as it was.
    const bundle = readFileSync(join(DIST, 'main.cjs'), 'latin1');
    assert.match(bundle, /setFlagsFromString\("--liftoff-only --no-wasm-lazy-compilation"\)/);
    // The compile deferred to the next turn (the bundle's local names are minified).
    assert.match(
      bundle,
      /setImmediate\(\(\)=>\{try\{[\w$]+\?\?=[\w$]+\(\)\}catch\([\w$]+\)\{[\w$]+\.destroy\(/,
    );
  });

  it("leaves out what undici builds at start-up for answers the CLI does not get: its header-name tree, and all but two of llhttp's constant tables (scripts/build.mjs)", () => {
    // Exact text matches in undici too: another undici version could miss them, and the build
    // would only warn.
    const bundle = readFileSync(join(DIST, 'main.cjs'), 'latin1');
    // The loop that fills the tree: `tree.insert(key, key)` (the local names minified).
    assert.ok(!/\.insert\(([\w$]+),\1\)/.test(bundle), "undici's header-name tree is filled");
    // The two tables undici's HTTP/1 client reads, and none of the others.
    assert.ok(/\bCB_MESSAGE_BEGIN:16\b/.test(bundle), "llhttp's ERROR table is not in the bundle");
    assert.ok(/\bRESPONSE:2\b/.test(bundle), "llhttp's TYPE table is not in the bundle");
    for (const table of ['METHODS_RTSP', 'HEADER_CHARS', 'HTAB_SP_VCHAR_OBS_TEXT', 'STATUSES_HTTP']) {
      assert.ok(!bundle.includes(table), `llhttp's ${table} is in the bundle`);
    }
  });

  it('works without its code cache and makes one for the next run, and works with a cache V8 rejects, which it leaves', async () => {
    const dir = distCopy(['whiteboard.cjs', 'main.cjs', 'llhttp_simd.wasm', 'llhttp.wasm']);
    const cache = readdirSync(DIST).find(isOwnCache);
    assert.ok(cache, 'the build wrote no code cache');
    const bin = join(dir, 'whiteboard.cjs');
    /** `read --json` from the copy; what V8 printed of the code caches it read or rejected. */
    const read = async (): Promise<string[]> => {
      const result = await run(['read', '--json', '--url', stack.url], { ...PROFILE_CODE_CACHES, bin });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
      const lines = result.stdout.split('\n');
      // V8's lines start with "[", the JSON's (an object, indented) do not.
      const json = lines.filter((line) => !line.startsWith('[')).join('\n');
      assert.ok(Array.isArray((JSON.parse(json) as { messages: unknown }).messages));
      return lines.filter((line) => /^\[(Deserializing from|Cached code failed)/.test(line));
    };
    // No cache, as on a Node other than the build's: the run compiles as usual and leaves one.
    await read();
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.endsWith('.cache')),
      [cache],
    );
    const made = statSync(join(dir, cache)).size;
    assert.ok(made > 100_000, `a cache of ${made} bytes`);
    // The next run starts from it.
    assert.ok(
      (await read()).some((line) => line.startsWith(`[Deserializing from ${made} bytes`)),
      'the cache made by the first run was not read',
    );
    // A cache V8 rejects (here not one at all): compiled as usual, and the file is left as it is.
    const rejected = Buffer.alloc(4096, 7);
    writeFileSync(join(dir, cache), rejected);
    assert.ok((await read()).some((line) => line.startsWith('[Cached code failed')));
    assert.deepEqual(readFileSync(join(dir, cache)), rejected);
  });

  it("runs through a symlink when Node keeps the link's path (--preserve-symlinks-main)", async () => {
    const dir = tempDir('link');
    const link = join(dir, 'whiteboard');
    symlinkSync(BIN, link);
    const result = await run(['read', '--json', '--url', stack.url], {
      bin: link,
      env: { NODE_OPTIONS: '--preserve-symlinks-main' },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(Array.isArray((JSON.parse(result.stdout) as { messages: unknown }).messages));
  });

  it("says its build is incomplete when undici's HTTP parser is missing and Node.js has none, with no note that the post may have been stored", async () => {
    const dir = distCopy(['whiteboard.cjs', 'main.cjs']);
    const bin = join(dir, 'whiteboard.cjs');
    // With Node's own parser, undici's files are not needed (on an older llhttp they are).
    const board = freshBoard();
    assert.equal(
      (
        await run(
          ['post', '--board', board, '--author', 'ann', '--text', 'no files needed', '--url', stack.url],
          { bin },
        )
      ).code,
      bridged ? 0 : 1,
    );
    const text = `sent without a parser ${process.pid}`;
    const result = await run(
      ['post', '--board', board, '--author', 'ann', '--text', text, '--url', stack.url],
      { bin, nodeArgs: withUndiciParser() },
    );
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error: the CLI build is incomplete \(.*llhttp\.wasm: ENOENT\); run npm run build\n$/,
    );
    const read = JSON.parse(await ok(['read', '--board', board, '--json'])) as { messages: Message[] };
    assert.deepEqual(
      read.messages.map((message) => message.text),
      bridged ? ['no files needed'] : [],
    );
  });

  it("says its build is broken when undici's HTTP parser does not compile (Node.js having none), and that the post may have been stored", async () => {
    // The parser's bytes are read before the request is sent and compiled after (scripts/build.mjs):
    // bytes that do not compile are found once the post is out, and it was stored.
    const nodeArgs = withUndiciParser();
    const dir = distCopy(['whiteboard.cjs', 'main.cjs']);
    writeFileSync(join(dir, 'llhttp.wasm'), 'not WebAssembly');
    const bin = join(dir, 'whiteboard.cjs');
    const broken =
      /^error: the CLI build is broken \(its HTTP parser does not compile: WebAssembly\.Module\(\): .*\); run npm run build\n/;
    const board = freshBoard();
    const post = await run(
      ['post', '--board', board, '--author', 'ann', '--text', 'sent, parser broken', '--url', stack.url],
      { bin, nodeArgs },
    );
    assert.equal(post.code, 1);
    assert.match(post.stderr, broken);
    assert.ok(
      post.stderr.endsWith(
        `\nnote: the message may have been stored; check with \`whiteboard read --board ${board} --url ${stack.url}\` before posting again\n`,
      ),
      post.stderr,
    );
    const read = JSON.parse(await ok(['read', '--board', board, '--json'])) as { messages: Message[] };
    assert.deepEqual(
      read.messages.map((message) => message.text),
      ['sent, parser broken'],
    );
    // Said at once, not as a timeout, when the server does not answer.
    const silent = await withTcpServer(
      () => {},
      (url) => run(['read', '--retries', '0', '--timeout', '10', '--url', url], { bin, nodeArgs }),
    );
    assert.equal(silent.code, 1);
    assert.match(silent.stderr, broken);
  });

  it('runs as `npx whiteboard` from the repository', () => {
    const version = execFileSync('npx', ['--offline', 'whiteboard', '--version'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const { version: declared } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(version, `${declared}\n`);
  });

  it('under npx, suggests its commands as `npx whiteboard`, which runs where `whiteboard` is on no PATH', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((done) => {
      // Without the caller's npm settings, of which npm would warn on stderr.
      const env = Object.fromEntries(
        Object.entries(cliEnv()).filter(([name]) => !/^npm_config_/i.test(name)),
      );
      const child = spawn('npx', ['--offline', 'whiteboard', 'read', '--bogus'], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on('close', (code) => done({ code, stderr }));
    });
    assert.equal(result.code, 2, result.stderr);
    // The CLI's line, the last: npm may have warned of something of its own before.
    assert.equal(
      result.stderr.trimEnd().split('\n').at(-1),
      "error: unknown option '--bogus' (npx whiteboard read --help lists the options)",
    );
  });
});
