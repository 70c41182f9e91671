/**
 * `npm start` as a person runs it: the local stack comes up on its own DynamoDB engine, prints
 * where it listens and what to paste, keeps the data across a restart, and Ctrl-C (SIGINT) stops
 * everything within a few seconds, leaving no process behind.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chooseEngine } from '../../backend/local/dynamodb-engine.ts';
import { readableByOthers } from '../../backend/local/engine/data-dir.ts';
import { DATABASE_FILE } from '../../backend/local/engine/dynamodb-local.ts';
import { DEFAULT_ENVIRONMENTS_PER_THREAD, defaultMaxEnvironments } from '../../backend/local/stack.ts';
import { ownTempFolder } from '../../backend/local/temp-folders.ts';
import { freePort } from '../helpers/listening.ts';
import { isRunning, parentOf } from '../helpers/processes.ts';
import { OLDER_NODE_ENV, runCommand, runScript, startOrphaned } from '../helpers/run-script.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { path: dataDir, remove: removeDataDir } = ownTempFolder('whiteboard-npm-start-');
after(removeDataDir);

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

// Absolute, so that the stack can also start from another folder (its default data folders are
// in the folder it starts from).
const tsxLoader = import.meta.resolve('tsx');
const mainScript = join(root, 'backend', 'local', 'main.ts');

/**
 * Starts the stack from `cwd` with `args` and the environment's variables `env` on top of this
 * one's.
 */
const launch = (args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = root): Promise<Started> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, mainScript, '--port', '0', ...args], {
      cwd,
      // Uncoloured: node --test sets FORCE_COLOR for its children on a terminal, which goes before NO_COLOR.
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, DYNAMODB_ENDPOINT: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // The whole banner, to its last line: what it says after the URL is checked too.
      const ready = /Whiteboard API ready at (http:\/\/\S+:\d+)\n[\s\S]*Press Ctrl-C to stop\./.exec(output);
      if (ready) resolve({ child, url: ready[1] as string, output: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) =>
      reject(new Error(`npm start exited with ${code} before it was ready:\n${output}`)),
    );
  });

/** Starts the stack on this file's data folder with `options`, `env` as in launch(). */
const startWith = (env: NodeJS.ProcessEnv, ...options: string[]): Promise<Started> =>
  launch(['--data-dir', dataDir, ...options], env);

const start = (...options: string[]): Promise<Started> => startWith({}, ...options);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Processes whose command line mentions our data folder: the DynamoDB Local JVM. */
const processesUsing = (folder: string): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(folder);
      } catch {
        return false;
      }
    })
    .map(Number);

/** Ctrl-C; resolves with the exit code (a stop that hangs fails on the run's test timeout). */
const interrupt = (started: Started): Promise<number | null> => {
  const exited = new Promise<number | null>((resolve) => started.child.once('exit', (code) => resolve(code)));
  started.child.kill('SIGINT');
  return exited;
};

describe('npm start', () => {
  it('serves the API, prints the URL and curl commands, keeps data across a restart, and stops cleanly on Ctrl-C', async () => {
    // With Java 17+ the stack runs DynamoDB Local, a process of its own; without, dynalite, in the
    // stack's own process.
    const official = (await chooseEngine('auto')).kind === 'dynamodb-local';
    const first = await start();
    /** Processes other than the stack's own that have our data folder on their command line. */
    const engineProcesses = () => processesUsing(dataDir).filter((pid) => pid !== first.child.pid);
    try {
      assert.match(
        first.output(),
        official ? /DynamoDB engine: DynamoDB Local/ : /DynamoDB engine: dynalite/,
      );
      assert.match(
        first.output(),
        new RegExp(
          `Environments: +up to ${defaultMaxEnvironments()} per function, ${DEFAULT_ENVIRONMENTS_PER_THREAD} to a worker thread`,
        ),
      );
      // Where the data is, so that it can be found (each engine keeps its own).
      assert.match(first.output(), new RegExp(`\nData: +${escapeRegExp(dataDir)}\n`));
      // A first start on a data folder creates the table, and says so; a restart finds it.
      assert.match(first.output(), /\nTable: +whiteboard-messages \(new: the engine held no such table\)\n/);
      assert.ok(first.output().includes(`curl ${first.url}/messages`));
      assert.ok(first.output().includes(`-X POST ${first.url}/messages`));
      if (official) assert.ok(engineProcesses().length > 0, 'DynamoDB Local runs with our data folder');
      else assert.deepEqual(engineProcesses(), [], 'dynalite runs in the stack process');
      const posted = await fetch(`${first.url}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"author":"name", "text":"Message text"}',
      });
      assert.equal(posted.status, 201);
    } finally {
      assert.equal(await interrupt(first), 0, first.output());
    }
    assert.match(first.output(), /Stopped\./);
    assert.deepEqual(processesUsing(dataDir), [], 'no engine process is left behind');

    // Restarted with a thread per environment, which serves the same way, and the engine on a
    // port of our choosing, where a tool such as the AWS CLI finds it. The data folder opened to
    // other users meanwhile (as one made by hand with a umask of 022 is): the banner says so.
    const enginePort = await freePort();
    // (Whether they can also depends on the folders above it, which readableByOthers, tested on its
    // own, checks: a temp folder inside a closed one, as on macOS, is not.)
    chmodSync(dataDir, 0o755);
    const opened = readableByOthers(dataDir);
    const second = await start('--thread-per-environment', '--engine-port', String(enginePort));
    chmodSync(dataDir, 0o700);
    const readableNote = `(other users of this machine can read it: chmod 700 ${dataDir})`;
    try {
      assert.equal(first.output().includes(readableNote), false, 'not for a folder of its own');
      assert.equal(second.output().includes(readableNote), opened, second.output());
      assert.match(
        second.output(),
        new RegExp(`Environments: +up to ${defaultMaxEnvironments(1)} per function, a worker thread each`),
      );
      assert.match(
        second.output(),
        new RegExp(`DynamoDB engine: .+ at http://127\\.0\\.0\\.1:${enginePort}\n`),
      );
      const tables = await fetch(`http://127.0.0.1:${enginePort}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          // Both engines want a signed request (dynalite also its date); any credentials do.
          'x-amz-date': '20260101T000000Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0',
        },
        body: '{}',
      });
      assert.equal(tables.status, 200, await tables.clone().text());
      assert.deepEqual(((await tables.json()) as { TableNames: string[] }).TableNames, [
        'whiteboard-messages',
      ]);
      assert.match(second.output(), /\nTable: +whiteboard-messages\n/);
      const read = await fetch(`${second.url}/messages`);
      const page = (await read.json()) as { messages: Array<{ text: string }> };
      assert.deepEqual(
        page.messages.map((message) => message.text),
        ['Message text'],
      );

      // Another stack on that engine through DYNAMODB_ENDPOINT: it starts none of its own, keeps no
      // data folder, and serves the same table. With --verbose, its log lines carry every key.
      const third = await launch(['--verbose'], { DYNAMODB_ENDPOINT: `http://127.0.0.1:${enginePort}` });
      try {
        assert.match(third.output(), /\nDynamoDB engine: [^\n]+\n/);
        assert.doesNotMatch(third.output(), /\nDynamoDB engine: [^\n]+ at http/);
        assert.doesNotMatch(third.output(), /\nData: /);
        const shared = (await (await fetch(`${third.url}/messages`)).json()) as typeof page;
        assert.deepEqual(
          shared.messages.map((message) => message.text),
          ['Message text'],
        );
        for (const deadline = Date.now() + 10_000; !third.output().includes('function_request_id='); ) {
          if (Date.now() > deadline) assert.fail(`no log line with every key:\n${third.output()}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        assert.equal(await interrupt(third), 0, third.output());
      }
    } finally {
      assert.equal(await interrupt(second), 0);
    }
    assert.deepEqual(processesUsing(dataDir), []);
  });

  describe('says where the other engine kept the messages when its own board is new', () => {
    /** A folder whose default data folder for DynamoDB Local holds what that engine leaves there. */
    const withOtherEnginesData = (name: string) => {
      const folder = join(dataDir, name);
      const otherData = join(folder, '.whiteboard', 'data', 'dynamodb-local');
      mkdirSync(otherData, { recursive: true });
      writeFileSync(join(otherData, DATABASE_FILE), '');
      return { folder, ownData: join(folder, '.whiteboard', 'data', 'dynalite'), otherData };
    };
    const hint = (ownData: string, otherData: string, serves: string) =>
      new RegExp(
        `\nData: +${escapeRegExp(ownData)}\n` +
          'Table: +whiteboard-messages \\(new: the engine held no such table\\)\n' +
          ` +\\(DynamoDB Local's data, from earlier starts, is in ${escapeRegExp(otherData)}: ${serves}\\)\n`,
      );

    it('and the --engine that serves it, once only', async () => {
      const { folder, ownData, otherData } = withOtherEnginesData('engine-chosen');
      // From `folder`, on the default data folders there.
      const first = await launch(['--engine', 'dynalite'], {}, folder);
      try {
        assert.match(first.output(), hint(ownData, otherData, '--engine dynamodb-local serves it'));
      } finally {
        assert.equal(await interrupt(first), 0, first.output());
      }
      // Once its own board holds the table, it is not said again.
      const second = await launch(['--engine', 'dynalite'], {}, folder);
      try {
        assert.match(second.output(), /\nTable: +whiteboard-messages\n/);
        assert.doesNotMatch(second.output(), /from earlier starts/);
      } finally {
        assert.equal(await interrupt(second), 0, second.output());
      }
    });

    it('and that it needs Java, when Java is gone', async () => {
      const { folder, ownData, otherData } = withOtherEnginesData('java-gone');
      // No java on this PATH (node runs by its full path).
      const emptyPath = join(folder, 'empty-path');
      mkdirSync(emptyPath);
      const started = await launch([], { PATH: emptyPath }, folder);
      try {
        assert.match(
          started.output(),
          hint(ownData, otherData, 'DynamoDB Local serves it once Java 17\\+ is on PATH'),
        );
      } finally {
        assert.equal(await interrupt(started), 0, started.output());
      }
    });
  });

  // SIGHUP: its terminal closed; SIGTERM: kill's default, and what a process manager or
  // `docker stop` sends.
  for (const signal of ['SIGHUP', 'SIGTERM'] as const) {
    it(`stops as cleanly on ${signal} as on Ctrl-C, and gives up its data folder`, async () => {
      const folder = join(dataDir, signal);
      const started = await start('--data-dir', folder, '--engine', 'dynalite');
      assert.equal(
        existsSync(join(folder, 'whiteboard-stack.pid')),
        true,
        'it holds the folder while it runs',
      );
      const exited = new Promise<number | null>((resolve) =>
        started.child.once('exit', (code) => resolve(code)),
      );
      started.child.kill(signal);
      assert.equal(await exited, 0, started.output());
      assert.match(
        started.output(),
        new RegExp(`\n${signal}: stopping the local stack\\.\\.\\.\nStopped\\.\n`),
      );
      assert.equal(existsSync(join(folder, 'whiteboard-stack.pid')), false, 'its claim is given up');
    });
  }

  it('warns that --host 0.0.0.0 lets anyone who reaches the machine read and post, and answers the --cors-origins only', async () => {
    // One start for both: each costs seconds. Requests go to 127.0.0.1 only, never from outside.
    // The variable names another origin: the option wins.
    const started = await startWith(
      { WHITEBOARD_CORS_ORIGINS: 'https://b.example' },
      '--cors-origins',
      'https://a.example',
      '--host',
      '0.0.0.0',
      '--engine',
      'dynalite',
      '--data-dir',
      join(dataDir, 'all-interfaces'),
    );
    try {
      assert.match(
        started.output(),
        /\nWarning: listening on 0\.0\.0\.0, so anyone who can reach this machine can read and post\n\(the API has no authentication\)\. Leave out --host to listen on 127\.0\.0\.1 only\.\n/,
      );
      assert.match(started.output(), /\nCORS origins: {4}https:\/\/a\.example \(--cors-origins\)\n/);
      const port = new URL(started.url).port;
      const preflight = (origin: string) =>
        fetch(`http://127.0.0.1:${port}/messages`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
      const allowed = await preflight('https://a.example');
      assert.equal(allowed.status, 204);
      assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://a.example');
      // Not `*`, the default without the option, nor the variable's origin.
      const other = await preflight('https://b.example');
      assert.equal(other.status, 204);
      assert.equal(other.headers.get('access-control-allow-origin'), null);
    } finally {
      assert.equal(await interrupt(started), 0, started.output());
    }
  });

  it('says that DynamoDB Local stopped unexpectedly and exits 1 when its JVM dies by itself', async () => {
    const folder = join(dataDir, 'engine-dies');
    const started = await start('--data-dir', folder, '--engine', 'dynamodb-local');
    const exited = new Promise<number | null>((resolve) =>
      started.child.once('exit', (code) => resolve(code)),
    );
    try {
      // The JVM, a child process of the stack, is the one with the data folder on its command line.
      const jvms = processesUsing(folder).filter((pid) => pid !== started.child.pid);
      assert.equal(jvms.length, 1, `DynamoDB Local's process among ${jvms}`);
      process.kill(jvms[0] as number, 'SIGKILL');
      // A stack that served on without its engine fails on the run's test timeout.
      assert.equal(await exited, 1, started.output());
    } finally {
      // Stopped if an assertion above failed first; it ends its JVM as on Ctrl-C.
      if (started.child.exitCode === null) started.child.kill('SIGINT');
      await exited;
    }
    // Two assertions: the first line goes to stderr, the others to stdout, read apart.
    assert.match(
      started.output(),
      /\nDynamoDB Local .* stopped unexpectedly \(signal SIGKILL; its last output:\n/,
    );
    assert.match(
      started.output(),
      /\nthe DynamoDB engine ended: stopping the local stack\.\.\.\nStopped\.\n/,
    );
    assert.equal(existsSync(join(folder, 'whiteboard-stack.pid')), false, 'its claim is given up');
  });

  /** Starts the stack from a parent that is then killed outright, as npm's shell is. */
  const orphanedStack = (env: NodeJS.ProcessEnv) =>
    startOrphaned(
      'backend/local/main.ts',
      ['--port', '0', '--engine', 'dynalite', '--in-memory'],
      'ready at',
      // `npm test` sets npm_lifecycle_event for its children too: each case sets its own.
      {
        NO_COLOR: '1',
        FORCE_COLOR: undefined,
        DYNAMODB_ENDPOINT: '',
        npm_lifecycle_event: undefined,
        ...env,
      },
    );
  // Not a zombie either: an orphan that ended waits, a zombie, until its new parent reaps it.
  const alive = isRunning;

  for (const [how, env] of [
    ['as npm starts it (under dash)', { npm_lifecycle_event: 'start' }],
    [
      'when WHITEBOARD_EXIT_WITH_PARENT=1 asks for it (as the bench does)',
      { WHITEBOARD_EXIT_WITH_PARENT: '1' },
    ],
  ] as const) {
    it(`stops by itself when its parent ends without passing a signal on, ${how}`, async () => {
      const { pid, output } = await orphanedStack(env);
      // Stopping waits for requests in flight (none here) and the environments: seconds at most.
      for (let waited = 0; alive(pid) && waited < 30_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const stillAlive = alive(pid);
      const state = stillAlive ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
      if (stillAlive) process.kill(pid, 'SIGKILL');
      assert.equal(stillAlive, false, `the orphan stopped by itself (${state}); it printed:\n${output()}`);
      assert.match(output(), /the parent process exited: stopping the local stack\.\.\.\nStopped\./);
    });
  }

  it('outlives its parent when run directly (as with nohup)', async () => {
    const { pid, output } = await orphanedStack({});
    // Orphaned once its parent, this process's child, has exited: it then has another parent.
    const reparented = () => {
      const parent = parentOf(pid);
      return parent === undefined || parentOf(parent) !== process.pid;
    };
    while (!reparented()) await new Promise((resolve) => setTimeout(resolve, 50));
    // The parent watch, were it on, would look once a second (watchParent's interval) and begin to
    // stop at its first look after this. A request the stack answers after 2.5 s shows that its
    // event loop turned with such a look overdue: Node runs a timer that is due before it polls
    // for sockets again, so the look would have come first, and said so in the output.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const url = /ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(output())?.[1];
    assert.ok(url !== undefined, `the stack printed its URL:\n${output()}`);
    const answer = await fetch(`${url}/messages`);
    assert.equal(answer.status, 200);
    await answer.arrayBuffer();
    const stillAlive = alive(pid);
    if (stillAlive) process.kill(pid, 'SIGINT');
    for (let waited = 0; alive(pid) && waited < 30_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(stillAlive, true, `the stack ran on; it printed:\n${output()}`);
    assert.doesNotMatch(output(), /the parent process exited/);
  });

  /** Runs `npm start`'s script with `args` and `env` to its exit: code, standard output and error. */
  const usage = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runScript('backend/local/main.ts', args, env);

  it('gives the data folder default that the engine uses in --help', async () => {
    const { code, stdout } = await usage(['--help']);
    assert.equal(code, 0);
    assert.match(
      stdout,
      /--data-dir <path> +where the engine keeps its data \(default: \.whiteboard\/data\/<engine>,/,
    );
  });

  it('refuses an option that npm took as its own, written before -- (exit 2)', async () => {
    for (const [before, said] of [
      [
        ['--in-memory'],
        'npm took --in-memory as a setting of its own: options go after --, as in `npm start -- --in-memory`',
      ],
      [
        ['--port', '4000', '--thread-per-environment'],
        'npm took --port and --thread-per-environment as settings of its own: options go after --, as in `npm start -- --port <value> --thread-per-environment`',
      ],
      [
        ['--no-in-memory'],
        'npm took --no-in-memory as a setting of its own: leave it out, as it asks for the default',
      ],
      // npm reads --engine as its --engine-strict, and passes the value on.
      [
        ['--engine', 'dynalite'],
        "Unexpected argument 'dynalite'. This command does not take positional arguments; an option written before -- is npm's, not the script's: `npm start -- <options>`",
      ],
    ] as const) {
      // The real npm, which moves an option before -- into its own settings. After -- a data
      // folder of this file's, so that a start that went ahead would not touch the default one.
      const ended = await runCommand(
        'npm',
        ['start', '--silent', ...before, '--', '--port', '0', '--data-dir', dataDir],
        { env: { NO_COLOR: '1' } },
      );
      assert.equal(ended.code, 2, ended.stderr);
      assert.match(ended.stderr, new RegExp(`^npm start: ${escapeRegExp(said)}$`, 'm'));
    }
  });

  it('refuses an unknown engine with a usage error (exit 2)', async () => {
    const { code, stderr } = await usage(['--engine', 'postgres']);
    assert.equal(code, 2);
    assert.match(stderr, /unknown engine "postgres": use one of auto, dynamodb-local, dynalite/);
  });

  it('says a port is taken before it starts an engine, from --port or PORT (exit 1)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    const neverUsed = join(dataDir, 'never-used');
    try {
      for (const [args, env] of [
        [['--port', String(port)], {}],
        // PORT, as hosting platforms set it, is the port when --port is not given.
        [[], { PORT: String(port) }],
      ] as const) {
        const { code, stderr } = await usage([...args, '--data-dir', neverUsed], {
          DYNAMODB_ENDPOINT: '',
          ...env,
        });
        assert.equal(code, 1, stderr);
        assert.match(stderr, new RegExp(`port ${port} is already in use: stop what uses it or pick another`));
        assert.equal(existsSync(neverUsed), false, 'no engine was started for it');
      }
    } finally {
      taken.close();
    }
  });

  it('says a host it cannot listen on is unusable, naming --host, before it starts an engine (exit 1)', async () => {
    // Port 0 too: the early check is of the host as well as the port.
    const neverUsed = join(dataDir, 'never-used-host');
    const { code, stderr } = await usage(['--host', '999.1.1.1', '--port', '0', '--data-dir', neverUsed], {
      DYNAMODB_ENDPOINT: '',
    });
    assert.equal(code, 1, stderr);
    assert.match(
      stderr,
      /^npm start: could not start the local stack: cannot listen on --host 999\.1\.1\.1: .+: give an address of this machine, or leave --host out for 127\.0\.0\.1\n$/,
    );
    assert.equal(existsSync(neverUsed), false, 'no engine was started for it');
  });

  it('says in one line which data folder cannot be used and what to do (exit 1)', async () => {
    // Tests run as root, whom a read-only folder does not stop: a file in the path stops anyone.
    const file = join(dataDir, 'a-file');
    writeFileSync(file, '');
    const folder = join(file, 'data');
    const { code, stderr } = await usage(['--port', '0', '--data-dir', folder], { DYNAMODB_ENDPOINT: '' });
    assert.equal(code, 1, stderr);
    assert.equal(
      stderr,
      `npm start: could not start the local stack: cannot use the data folder ${folder}: a part of ` +
        'the path is a file: pick another with --data-dir, or run --in-memory\n',
    );
  });

  it("refuses a Node.js older than package.json's engines in one line, before it starts an engine (exit 1)", async () => {
    const neverUsed = join(dataDir, 'never-used-node');
    const { code, stdout, stderr } = await usage(['--port', '0', '--data-dir', neverUsed], {
      DYNAMODB_ENDPOINT: '',
      ...OLDER_NODE_ENV,
    });
    assert.equal(code, 1, stderr);
    assert.match(
      stderr,
      /^npm start: Node\.js 18\.20\.4 \(.+\) is older than whiteboard supports: it needs 20\.18\.0 or newer\. Install a newer one \(https:\/\/nodejs\.org\), then run the command again\n$/,
    );
    assert.equal(stdout, '', 'no banner');
    assert.equal(existsSync(neverUsed), false, 'no engine was started for it');
  });

  it('refuses an invalid PORT, saying where it came from (exit 2)', async () => {
    const { code, stderr } = await usage([], { PORT: 'abc' });
    assert.equal(code, 2);
    assert.match(stderr, /invalid port "abc" \(PORT\): use a number from 0 to 65535/);
  });

  for (const [given, wrong] of [
    ['proxy.test,http://evil.example', 'http://evil.example'],
    ['any,proxy.test', 'any'],
  ] as const) {
    it(`refuses --allow-host ${given}: host names, or any alone (exit 2)`, async () => {
      const { code, stderr } = await usage(['--allow-host', given, '--port', '0'], { DYNAMODB_ENDPOINT: '' });
      assert.equal(code, 2, stderr);
      assert.ok(
        stderr.startsWith(
          `npm start: --allow-host takes host names, comma-separated (.example.test for a domain; xn-- for non-ASCII), or any alone: not "${wrong}"\n`,
        ),
        stderr,
      );
    });
  }

  for (const option of ['--host', '--allow-host', '--data-dir', '--cors-origins']) {
    it(`refuses an empty ${option}, as a variable left unset gives (exit 2)`, async () => {
      const { code, stderr } = await usage([`${option}=`, '--port', '0'], { DYNAMODB_ENDPOINT: '' });
      assert.equal(code, 2, stderr);
      assert.match(
        stderr,
        new RegExp(`^npm start: ${option} needs a value; leave the option out for the default\\n`),
      );
    });
  }

  it('refuses a DYNAMODB_ENDPOINT that is not an http(s) URL (exit 2)', async () => {
    const { code, stderr } = await usage(['--port', '0'], { DYNAMODB_ENDPOINT: '127.0.0.1:8000' });
    assert.equal(code, 2, stderr);
    assert.match(
      stderr,
      /^npm start: DYNAMODB_ENDPOINT=127\.0\.0\.1:8000 is not an http:\/\/ or https:\/\/ URL/,
    );
  });

  it('refuses a WHITEBOARD_CORS_ORIGINS or --cors-origins entry that is not an origin, as the deploy does (exit 2)', async () => {
    const variable = await usage(['--port', '0'], {
      WHITEBOARD_CORS_ORIGINS: 'http://127.0.0.1:5173, app.example.com',
      DYNAMODB_ENDPOINT: '',
    });
    assert.equal(variable.code, 2, variable.stderr);
    assert.equal(
      variable.stderr.split('\n')[0],
      'npm start: WHITEBOARD_CORS_ORIGINS: "app.example.com" is not an origin; use scheme://host[:port] with no path, comma-separated, or *',
    );
    const option = await usage(['--port', '0', '--cors-origins', 'https://a.example/app'], {
      WHITEBOARD_CORS_ORIGINS: 'https://a.example',
      DYNAMODB_ENDPOINT: '',
    });
    assert.equal(option.code, 2, option.stderr);
    assert.equal(
      option.stderr.split('\n')[0],
      'npm start: --cors-origins: "https://a.example/app" is not an origin; use scheme://host[:port] with no path, comma-separated, or *',
    );
  });

  it('refuses engine options that an existing DYNAMODB_ENDPOINT would leave unused (exit 2)', async () => {
    const { code, stderr } = await usage(['--in-memory', '--engine', 'dynalite', '--engine-port', '8001'], {
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
    });
    assert.equal(code, 2);
    assert.match(
      stderr,
      /DYNAMODB_ENDPOINT is set, so no engine is started and --engine, --engine-port, --in-memory would not apply/,
    );
  });

  it('refuses --in-memory with --data-dir, which it would ignore and so lose the data (exit 2)', async () => {
    const folder = join(dataDir, 'never-made');
    const { code, stderr } = await usage(['--in-memory', '--data-dir', folder, '--port', '0'], {
      DYNAMODB_ENDPOINT: '',
    });
    assert.equal(code, 2, stderr);
    assert.match(
      stderr,
      /^npm start: --in-memory keeps no data on disk, so --data-dir would not apply: give one or the other\n/,
    );
    assert.equal(existsSync(folder), false);
  });

  it("refuses an --engine-port that is the API's own port (exit 2)", async () => {
    const { code, stderr } = await usage(['--port', '4321', '--engine-port', '4321'], {
      DYNAMODB_ENDPOINT: '',
    });
    assert.equal(code, 2, stderr);
    assert.match(stderr, /^npm start: --engine-port 4321 is the API's own port/);
  });

  it('says an --engine-port is taken, naming the option (exit 1)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const { code, stderr } = await usage(['--port', '0', '--engine-port', String(port), '--in-memory'], {
        DYNAMODB_ENDPOINT: '',
      });
      assert.equal(code, 1, stderr);
      assert.match(
        stderr,
        new RegExp(`^npm start: could not start the local stack: --engine-port ${port} is already in use: `),
      );
    } finally {
      taken.close();
    }
  });

  it('refuses an invalid --engine-port, naming it (exit 2)', async () => {
    const { code, stderr } = await usage(['--engine-port', '70000'], { DYNAMODB_ENDPOINT: '' });
    assert.equal(code, 2, stderr);
    assert.match(
      stderr,
      /^npm start: invalid port "70000" \(--engine-port\): use a number from 0 to 65535\n/,
    );
  });
});
