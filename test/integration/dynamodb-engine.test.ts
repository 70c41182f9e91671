import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { chmod, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  DeleteItemCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  chooseEngine,
  type EngineKind,
  type RunningEngine,
  startDynamoDbEngine,
} from '../../backend/local/dynamodb-engine.ts';
import { prepareDataDir, readableByOthers } from '../../backend/local/engine/data-dir.ts';
import { detectJava, isJava, parseJavaVersion } from '../../backend/local/engine/java.ts';
import { procStatFields } from '../../backend/local/process-alive.ts';
import { createLocalDynamoDbClient, ensureMessagesTable } from '../../backend/local/tables.ts';
import { ownTempFolder } from '../../backend/local/temp-folders.ts';
import { freePort, listenersOn, listeningAddresses, stillListening } from '../helpers/listening.ts';
import { isRunning } from '../helpers/processes.ts';
import { besideLeftoverFolders } from '../helpers/temp-folders.ts';

const engineModule = fileURLToPath(new URL('../../backend/local/dynamodb-engine.ts', import.meta.url));
const dataDirModule = fileURLToPath(new URL('../../backend/local/engine/data-dir.ts', import.meta.url));

const { path: scratch, remove: removeScratch } = ownTempFolder('whiteboard-engine-test-');
after(removeScratch);
let folders = 0;
const newFolder = () => join(scratch, `data-${++folders}`);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const putMessage = async (endpoint: string, tableName: string, text: string) => {
  const client = createLocalDynamoDbClient(endpoint);
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { board: { S: 'engine-test' }, id: { S: '01JENGINE0000000000000000' }, text: { S: text } },
      }),
    );
  } finally {
    client.destroy();
  }
};

const getText = async (endpoint: string, tableName: string): Promise<string | undefined> => {
  const client = createLocalDynamoDbClient(endpoint);
  try {
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { board: { S: 'engine-test' }, id: { S: '01JENGINE0000000000000000' } },
        ConsistentRead: true,
      }),
    );
    return Item?.text?.S;
  } finally {
    client.destroy();
  }
};

const listTables = async (endpoint: string): Promise<string[]> => {
  const client = createLocalDynamoDbClient(endpoint);
  try {
    return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
  } finally {
    client.destroy();
  }
};

/**
 * The temp folder a DynamoDB Local JVM was given (`-Djava.io.tmpdir`, read from its command line),
 * checked to be one of this process's own (backend/local/temp-folders.ts).
 */
const jvmTempFolder = (pid: number): string => {
  const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const folder = args.find((arg) => arg.startsWith('-Djava.io.tmpdir='))?.slice('-Djava.io.tmpdir='.length);
  assert.ok(folder !== undefined, `the JVM was given no temp folder: ${args.join(' ')}`);
  assert.equal(dirname(folder), tmpdir());
  assert.ok(
    basename(folder).startsWith(`whiteboard-dynamodb-local-${process.pid}-`),
    `${folder} is not named for this process`,
  );
  return folder;
};

/** Stops the engine and checks that its port and its process are gone. */
const stopAndCheck = async (engine: RunningEngine) => {
  const listeners = listenersOn(engine.port);
  // Only an engine whose process a test killed has no socket left to close.
  if (engine.pid === undefined || isRunning(engine.pid)) {
    assert.notDeepEqual(listeners, [], `the engine does not listen on ${engine.port}`);
  }
  await engine.stop();
  assert.deepEqual(stillListening(listeners), [], `the engine still listens on ${engine.port} after stop()`);
  // dynalite runs in this process; DynamoDB Local is a child process, which must be gone.
  if (engine.kind === 'dynamodb-local') {
    assert.ok(engine.pid !== undefined, 'DynamoDB Local reports its process id');
    assert.equal(isRunning(engine.pid), false, `process ${engine.pid} survived stop()`);
  } else {
    assert.equal(engine.pid, undefined);
  }
};

describe('choosing the engine', () => {
  it('rejects an unknown engine, listing the valid ones', async () => {
    await assert.rejects(startDynamoDbEngine({ engine: 'mongodb', inMemory: true }), {
      message: 'unknown DynamoDB engine "mongodb": use one of auto, dynamodb-local, dynalite',
    });
  });

  it('reads Java versions in both numbering schemes', () => {
    assert.deepEqual(parseJavaVersion('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime'), {
      major: 17,
      version: '17.0.15',
    });
    assert.deepEqual(parseJavaVersion('openjdk version "21" 2023-09-19'), { major: 21, version: '21' });
    assert.deepEqual(parseJavaVersion('java version "1.8.0_391"'), { major: 8, version: '1.8.0_391' });
    assert.equal(parseJavaVersion('bash: java: command not found'), undefined);
  });

  it('says why a java command gave no version: missing, stuck, failing, or printing none', async () => {
    const script = async (name: string, body: string) => {
      const path = join(scratch, name);
      await writeFile(path, `#!/bin/sh\n${body}\n`);
      await chmod(path, 0o755);
      return path;
    };
    // The short limit only for the commands that never answer: one that answers gets the default,
    // as a loaded machine may take longer than 0.3 s to start a shell.
    const problemOf = async (command: string, limitMs?: number) => {
      const probe = await detectJava(command, limitMs);
      return isJava(probe) ? `Java ${probe.version}` : probe.problem;
    };
    assert.equal(await problemOf(join(scratch, 'no-such-java')), 'no such command');
    assert.equal(await problemOf(await script('stuck-java', 'exec sleep 30'), 300), 'no answer within 0.3 s');
    // A wrapper deaf to SIGTERM whose child holds the output open: the probe still gives up at
    // the limit, as its answer says (not timed here: a loaded machine makes any bound flaky).
    assert.equal(
      await problemOf(await script('deaf-java', 'trap "" TERM\nsleep 5 &\nwait'), 300),
      'no answer within 0.3 s',
    );
    assert.equal(
      await problemOf(await script('failing-java', 'echo "could not find libjava.so" >&2; exit 3')),
      'exit code 3: could not find libjava.so',
    );
    assert.equal(await problemOf(await script('mute-java', 'echo hello')), 'no version in its output');
    assert.equal(
      await problemOf(await script('java-21', `echo 'openjdk version "21.0.2" 2024-01-16' >&2`)),
      'Java 21.0.2',
    );
  });

  it('chooses DynamoDB Local on auto exactly when this machine has Java 17 or newer', async () => {
    // Both ways asserted: on a machine without Java the suite runs on dynalite and passes. What
    // this machine has is asked of `java -version` here, not of detectJava, which auto relies on.
    const version = spawnSync('java', ['-version'], { encoding: 'utf8' });
    const major = Number(
      /version "(?:1\.)?(\d+)/.exec(`${version.stderr ?? ''}${version.stdout ?? ''}`)?.[1] ?? 0,
    );
    const expected = version.status === 0 && major >= 17 ? 'dynamodb-local' : 'dynalite';
    assert.equal((await chooseEngine('auto')).kind, expected, `java -version: ${version.stderr}`);
  });

  it('refuses to force DynamoDB Local without Java 17+, naming what is missing and the alternative', async () => {
    await assert.rejects(
      startDynamoDbEngine({
        engine: 'dynamodb-local',
        inMemory: true,
        javaCommand: join(scratch, 'no-such-java'),
      }),
      (error: Error) => {
        assert.match(error.message, /DynamoDB Local needs Java 17 or newer/);
        assert.match(error.message, /no runnable Java was found/);
        assert.match(error.message, /--engine dynalite/);
        return true;
      },
    );
    const oldJava = join(scratch, 'java8');
    await writeFile(oldJava, `#!/bin/sh\necho 'java version "1.8.0_391"' >&2\n`);
    await chmod(oldJava, 0o755);
    await assert.rejects(
      startDynamoDbEngine({ engine: 'dynamodb-local', inMemory: true, javaCommand: oldJava }),
      {
        message: /is Java 1\.8\.0_391: install a JDK 17\+ .* or use --engine dynalite/,
      },
    );
  });

  it('reports a JVM that exits during start, with its output', async () => {
    const failingJava = join(scratch, 'failing-java');
    await writeFile(
      failingJava,
      `#!/bin/sh\n[ "$1" = -version ] && { echo 'openjdk version "17.0.1"' >&2; exit 0; }\necho 'no room at the inn' >&2\nexit 3\n`,
    );
    await chmod(failingJava, 0o755);
    await assert.rejects(
      startDynamoDbEngine({ engine: 'dynamodb-local', inMemory: true, javaCommand: failingJava }),
      {
        message:
          /DynamoDB Local exited during start \(exit code 3\)[\s\S]*no room at the inn[\s\S]*--engine dynalite/,
      },
    );
  });

  it('gives up on a JVM that never answers, within the start timeout', async () => {
    const silentJava = join(scratch, 'silent-java');
    await writeFile(
      silentJava,
      `#!/bin/sh\n[ "$1" = -version ] && { echo 'openjdk version "17.0.1"' >&2; exit 0; }\necho 'thinking' >&2\nexec sleep 60\n`,
    );
    await chmod(silentJava, 0o755);
    // Were the start timeout ignored, the call would wait for the 60 s sleep, then fail otherwise.
    await assert.rejects(
      startDynamoDbEngine({
        engine: 'dynamodb-local',
        inMemory: true,
        javaCommand: silentJava,
        startTimeoutMs: 500,
      }),
      {
        message:
          /DynamoDB Local did not start: no answer to ListTables on http:\/\/127\.0\.0\.1:\d+ within 0\.5 s[\s\S]*thinking/,
      },
    );
  });

  it('falls back to dynalite on auto when no Java 17+ is found', async () => {
    const engine = await startDynamoDbEngine({ inMemory: true, javaCommand: join(scratch, 'no-such-java') });
    try {
      assert.equal(engine.kind, 'dynalite');
      // Said, since each engine keeps its own data: the stack prints it.
      assert.match(
        engine.fallback ?? '',
        /^no runnable Java was found \(tried `.*no-such-java -version`: no such command\); DynamoDB Local needs Java 17\+$/,
      );
      assert.deepEqual(await listTables(engine.endpoint), []);
    } finally {
      await stopAndCheck(engine);
    }
  });
});

describe('the data folder', () => {
  const claim = (dataDir: string) => join(dataDir, 'whiteboard-stack.pid');

  it('is made for its owner only, with each folder made on the way to it', () => {
    const top = newFolder();
    const dataDir = join(top, 'data', 'engine');
    const release = prepareDataDir(dataDir);
    try {
      for (const folder of [top, join(top, 'data'), dataDir]) {
        assert.equal((statSync(folder).mode & 0o777).toString(8), '700', folder);
      }
    } finally {
      release();
    }
  });

  it('is found readable by others only when it and every folder above it let them in', async () => {
    // Under the machine's temporary folder, which every user may enter, not under the tests' own
    // scratch folder, which is its owner's only.
    const { path: top, remove: removeTop } = ownTempFolder('whiteboard-readable-');
    try {
      await chmod(top, 0o755);
      const dataDir = join(top, 'data');
      mkdirSync(dataDir);
      await chmod(dataDir, 0o755);
      assert.equal(readableByOthers(dataDir), true, 'a folder made before, 755 all the way up');
      const made = join(top, 'made', 'data');
      prepareDataDir(made)();
      assert.equal(readableByOthers(made), false, 'what prepareDataDir makes');
      await chmod(dataDir, 0o700);
      assert.equal(readableByOthers(dataDir), false, 'the folder itself closed');
      await chmod(dataDir, 0o755);
      await chmod(top, 0o700);
      assert.equal(readableByOthers(dataDir), false, 'a folder above it closed');
      assert.equal(readableByOthers(join(top, 'missing')), false);
    } finally {
      removeTop();
    }
  });

  it('is refused, naming the process, while another live process uses it', async () => {
    const dataDir = newFolder();
    mkdirSync(dataDir, { recursive: true });
    // A process that is alive and is not this one stands for the other stack.
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      writeFileSync(claim(dataDir), String(other.pid));
      await assert.rejects(
        startDynamoDbEngine({ engine: 'dynalite', dataDir }),
        new RegExp(`^Error: another local stack \\(process ${other.pid}\\) is using the data folder`),
      );
      assert.equal(readFileSync(claim(dataDir), 'utf8'), String(other.pid), 'its claim stays');
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('of dynalite, when its files are damaged, is refused with what to do, without a crash', async () => {
    const dataDir = newFolder();
    const first = await startDynamoDbEngine({ engine: 'dynalite', dataDir });
    try {
      await ensureMessagesTable(first.endpoint, 'damaged');
      await putMessage(first.endpoint, 'damaged', 'soon unreadable');
    } finally {
      await stopAndCheck(first);
    }
    // Opened again, LevelDB moves what its log holds into a table file (.ldb): damage that one.
    await stopAndCheck(await startDynamoDbEngine({ engine: 'dynalite', dataDir }));
    const tables = readdirSync(dataDir).filter((name) => name.endsWith('.ldb'));
    assert.ok(tables.length > 0, `LevelDB table files in ${dataDir}`);
    for (const name of tables) {
      const path = join(dataDir, name);
      writeFileSync(path, randomBytes(readFileSync(path).length));
    }
    const outcome = await startDynamoDbEngine({ engine: 'dynalite', dataDir }).catch((error: Error) => error);
    if (!(outcome instanceof Error)) await stopAndCheck(outcome);
    assert.ok(outcome instanceof Error, 'refused');
    assert.match(
      outcome.message,
      /^dynalite cannot read its data folder .* \(.*\): its files are damaged; move the folder aside/,
    );
    assert.equal(existsSync(claim(dataDir)), false, 'the folder is not left claimed');
  });

  it('is claimed by exactly one of several processes that claim it at the same instant', async () => {
    // The engine-level test below cannot tell an atomic claim from one that checks, then writes:
    // its stacks do different work (engine start, imports) before they claim. Here the claims
    // themselves race: each process has everything loaded, waits for a shared instant, then
    // claims. A check-then-write claim lets two processes win a folder when their checks both
    // come before either write, a window of microseconds that a loaded machine's scheduling often
    // misses: 40 folders give the race 40 chances (a check-then-write claim lost about one in
    // five of them here, so it fails all but certainly). A process keeps its claims until every
    // process has answered, so no late one can take over a claim freed by an exit.
    const racers = 3;
    const dataDirs = Array.from({ length: 40 }, () => newFolder());
    const script = [
      `import { prepareDataDir } from ${JSON.stringify(dataDirModule)};`,
      `const dataDirs = ${JSON.stringify(dataDirs)};`,
      "process.stdin.setEncoding('utf8');",
      "console.log('ready');",
      // The parent sends the shared instant once every process is ready to spin.
      // Not for await, whose break would close stdin: the process waits below for its end.
      "const at = await new Promise((resolve) => { let input = '';",
      "  process.stdin.on('data', (chunk) => { input += chunk; if (input.includes('\\n')) resolve(BigInt(input.trim())); });",
      '});',
      'const won = [];',
      'for (const [index, dataDir] of dataDirs.entries()) {',
      // A timer wakes each process a different fraction of a ms late: it sleeps to 3 ms before
      // the instant, then spins (a process that spun all along is the one the scheduler takes
      // the CPU from). On the monotonic clock, which all processes share: performance.timeOrigin
      // differs between processes by up to a ms, far more than the race's window.
      '  const target = at + BigInt(index) * 10_000_000n;',
      '  await new Promise((resolve) => setTimeout(resolve, Number(target - process.hrtime.bigint()) / 1e6 - 3));',
      '  while (process.hrtime.bigint() < target) {}',
      '  try { prepareDataDir(dataDir); won.push(index); } catch (error) {',
      '    if (!/^another local stack \\(process \\d+\\) is using the data folder/.test(error.message)) throw error;',
      '  }',
      '}',
      'console.log(JSON.stringify(won));',
      // Held until the parent has every answer: the process's end would free its claims.
      "process.stdin.on('end', () => process.exit(0));",
    ].join('\n');
    const children = Array.from({ length: racers }, () =>
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    try {
      /** The lines a child prints, one at a time; rejects if it exits first, with its stderr. */
      const readers = children.map((child) => {
        let out = '';
        let err = '';
        const waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
        const lines: string[] = [];
        const flush = () => {
          while (waiting.length > 0 && lines.length > 0) waiting.shift()?.resolve(lines.shift() as string);
        };
        child.stderr.on('data', (chunk: Buffer) => {
          err += chunk.toString();
        });
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const parts = out.split('\n');
          out = parts.pop() ?? '';
          lines.push(...parts);
          flush();
        });
        child.once('exit', (code) => {
          for (const waiter of waiting.splice(0)) waiter.reject(new Error(`exit ${code}: ${err}`));
        });
        return () =>
          new Promise<string>((resolve, reject) => {
            if (child.exitCode !== null) reject(new Error(`exit ${child.exitCode}: ${err}`));
            waiting.push({ resolve, reject });
            flush();
          });
      });
      assert.deepEqual(await Promise.all(readers.map((next) => next())), Array(racers).fill('ready'));
      // Far enough ahead that every process has the instant before it comes (a late one still
      // claims, just not at once: the assertion holds either way).
      const at = process.hrtime.bigint() + 300_000_000n;
      for (const child of children) child.stdin.write(`${at}\n`);
      const won = (await Promise.all(readers.map((next) => next()))).map(
        (line) => JSON.parse(line) as number[],
      );
      const winners = dataDirs.map((_, index) => won.filter((indexes) => indexes.includes(index)).length);
      assert.deepEqual(
        winners,
        Array(dataDirs.length).fill(1),
        `folders won by each process: ${JSON.stringify(won)}`,
      );
    } finally {
      for (const child of children) child.stdin.end();
      await Promise.all(
        children.map((child) =>
          child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined,
        ),
      );
    }
  });

  it('is claimed by one of several stacks that start on it at once', async () => {
    const dataDir = newFolder();
    mkdirSync(dataDir, { recursive: true });
    const script = [
      `import { startDynamoDbEngine } from ${JSON.stringify(engineModule)};`,
      // Each waits for the same instant; what each does before its claim differs (the claim's
      // own race is the test above): this one checks what a refused stack says, and that the
      // engine that starts is the only one.
      `const at = ${Date.now() + 3_000};`,
      'await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));',
      'try {',
      `  const engine = await startDynamoDbEngine({ engine: 'dynalite', dataDir: ${JSON.stringify(dataDir)} });`,
      "  console.log('started');",
      "  process.stdin.on('end', async () => { await engine.stop(); process.exit(0); }).resume();",
      "} catch (error) { console.log('refused: ' + error.message); process.exit(0); }",
    ].join('\n');
    const stacks = Array.from({ length: 3 }, () =>
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    try {
      const said = await Promise.all(
        stacks.map(
          (child) =>
            new Promise<string>((resolve) => {
              let out = '';
              let err = '';
              child.stderr.on('data', (chunk: Buffer) => {
                err += chunk.toString();
              });
              child.stdout.on('data', (chunk: Buffer) => {
                out += chunk.toString();
                if (out.includes('\n')) resolve(out.trim());
              });
              child.once('exit', (code) => resolve(`exit ${code}: ${out.trim()} ${err}`));
            }),
        ),
      );
      assert.equal(said.filter((line) => line === 'started').length, 1, said.join('\n'));
      for (const line of said.filter((text) => text !== 'started')) {
        assert.match(line, /^refused: another local stack \(process \d+\) is using the data folder/);
      }
    } finally {
      for (const child of stacks) child.stdin.end();
      await Promise.all(
        stacks.map((child) =>
          child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined,
        ),
      );
    }
  });

  it('that cannot be made or written is refused, naming it and what to do, not an inner file', async () => {
    // Tests run as root, whom a read-only folder does not stop: a file in the path stops anyone.
    const file = newFolder();
    writeFileSync(file, '');
    const under = join(file, 'data');
    await assert.rejects(startDynamoDbEngine({ engine: 'dynalite', dataDir: under }), {
      message: `cannot use the data folder ${under}: a part of the path is a file: pick another with --data-dir, or run --in-memory`,
    });
    await assert.rejects(startDynamoDbEngine({ engine: 'dynalite', dataDir: file }), {
      message: `cannot use the data folder ${file}: it is a file, not a folder: pick another with --data-dir, or run --in-memory`,
    });
  });

  it('under /proc, where mkdir answers ENOENT, is refused rather than tried for ever', () => {
    // Node's own recursive mkdir loops on that ENOENT: run in a child that a hang cannot hold up.
    const dataDir = `/proc/whiteboard-${process.pid}/data`;
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { prepareDataDir } from ${JSON.stringify(dataDirModule)};\n` +
          `try { prepareDataDir(${JSON.stringify(dataDir)}); } catch (error) { console.log(error.message); }`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(child.signal, null, 'still making the folder after 30 s');
    assert.equal(
      child.stdout,
      `cannot use the data folder ${dataDir}: no such file or directory: pick another with --data-dir, or run --in-memory\n`,
    );
  });

  it('of one engine is refused to the other, which cannot read it, saying which to start', async () => {
    const localsData = newFolder();
    mkdirSync(localsData, { recursive: true });
    writeFileSync(join(localsData, 'shared-local-instance.db'), '');
    await assert.rejects(startDynamoDbEngine({ engine: 'dynalite', dataDir: localsData }), {
      message:
        `the data folder ${localsData} holds DynamoDB Local's data, which dynalite cannot read: ` +
        'start with --engine dynamodb-local, or give dynalite another --data-dir',
    });
    // Chosen by `auto` for want of Java, it says so.
    await assert.rejects(
      startDynamoDbEngine({
        engine: 'auto',
        javaCommand: join(localsData, 'no-such-java'),
        dataDir: localsData,
      }),
      new RegExp(
        `^Error: the data folder ${localsData} holds DynamoDB Local's data, which dynalite cannot read \\(dynalite was chosen because no runnable Java was found .+\\): put Java 17 or newer on PATH as \`java\`, or give dynalite another --data-dir$`,
      ),
    );
    const dynalitesData = newFolder();
    mkdirSync(dynalitesData, { recursive: true });
    writeFileSync(join(dynalitesData, 'CURRENT'), 'MANIFEST-000004\n');
    await assert.rejects(startDynamoDbEngine({ engine: 'dynamodb-local', dataDir: dynalitesData }), {
      message:
        `the data folder ${dynalitesData} holds dynalite's data, which DynamoDB Local cannot read: ` +
        'start with --engine dynalite, or give DynamoDB Local another --data-dir',
    });
    assert.deepEqual(readdirSync(localsData), ['shared-local-instance.db'], 'nothing written beside it');
    assert.deepEqual(readdirSync(dynalitesData), ['CURRENT'], 'nothing written beside it');
  });

  it('is taken over from a process that is gone, and given up on stop', async () => {
    const dataDir = newFolder();
    mkdirSync(dataDir, { recursive: true });
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => gone.once('exit', resolve));
    writeFileSync(claim(dataDir), String(gone.pid));
    const engine = await startDynamoDbEngine({ engine: 'dynalite', dataDir });
    try {
      assert.match(readFileSync(claim(dataDir), 'utf8'), new RegExp(`^${process.pid} \\d+$`));
    } finally {
      await stopAndCheck(engine);
    }
    assert.equal(existsSync(claim(dataDir)), false);
  });

  /** When a process started, as /proc/<pid>/stat says (field 22). */
  const startTicksOf = (pid: number) => procStatFields(pid)?.[19] as string;

  it('is taken over from a live process that did not write the claim (its id given again)', async () => {
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      // The id of a live process with the start time of another, as after a reboot; and this
      // process's own id, as for a stack restarted in a container, whose process ids start over.
      for (const stale of [
        `${other.pid} ${Number(startTicksOf(other.pid as number)) - 1}`,
        `${process.pid}`,
      ]) {
        const dataDir = newFolder();
        mkdirSync(dataDir, { recursive: true });
        writeFileSync(claim(dataDir), stale);
        const engine = await startDynamoDbEngine({ engine: 'dynalite', dataDir });
        try {
          assert.match(
            readFileSync(claim(dataDir), 'utf8'),
            new RegExp(`^${process.pid} \\d+$`),
            'claimed anew',
          );
        } finally {
          await stopAndCheck(engine);
        }
      }
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('is refused to a second engine of this same process, and to the process whose claim it is', async () => {
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const dataDir = newFolder();
    const engine = await startDynamoDbEngine({ engine: 'dynalite', dataDir });
    try {
      await assert.rejects(
        startDynamoDbEngine({ engine: 'dynalite', dataDir }),
        new RegExp(`^Error: another local stack \\(process ${process.pid}\\) is using the data folder`),
      );
      const otherDir = newFolder();
      mkdirSync(otherDir, { recursive: true });
      writeFileSync(claim(otherDir), `${other.pid} ${startTicksOf(other.pid as number)}`);
      await assert.rejects(
        startDynamoDbEngine({ engine: 'dynalite', dataDir: otherDir }),
        new RegExp(`^Error: another local stack \\(process ${other.pid}\\) is using the data folder`),
      );
    } finally {
      other.kill('SIGKILL');
      await stopAndCheck(engine);
    }
  });
});

const namePattern: Record<EngineKind, RegExp> = {
  'dynamodb-local': /^DynamoDB Local 3\.3\.0 \(Java \d+\)$/,
  dynalite: /^dynalite 4\.0\.0$/,
};

/** DynamoDB Local must not outlive a parent that is killed without running its exit hooks. */
const parentKilledTest = () =>
  it('ends when the Node.js process that started it is killed, with its whole process group', async () => {
    const script = [
      `import { startDynamoDbEngine } from ${JSON.stringify(engineModule)};`,
      `const engine = await startDynamoDbEngine({ engine: 'dynamodb-local', inMemory: true });`,
      'console.log(JSON.stringify({ pid: engine.pid, port: engine.port }));',
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // A process group of its own, killed whole below, as a closed terminal or a group kill does.
      detached: true,
    });
    let stderr = '';
    parent.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const started = await new Promise<{ pid: number; port: number }>((resolve, reject) => {
      let stdout = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = stdout.split('\n').find((text) => text.startsWith('{'));
        if (line !== undefined) resolve(JSON.parse(line) as { pid: number; port: number });
      });
      parent.once('exit', (code) =>
        reject(new Error(`the parent exited (${code}) before starting: ${stderr}`)),
      );
    });
    assert.equal(isRunning(started.pid), true);
    const listeners = listenersOn(started.port);
    assert.notDeepEqual(listeners, [], `nothing listens on ${started.port}`);

    process.kill(-(parent.pid as number), 'SIGKILL');
    const deadline = Date.now() + 8_000;
    while (isRunning(started.pid) && Date.now() < deadline) await sleep(100);
    assert.equal(
      isRunning(started.pid),
      false,
      `DynamoDB Local (pid ${started.pid}) outlived its killed parent`,
    );
    assert.deepEqual(stillListening(listeners), [], `something of it still listens on ${started.port}`);
    // The JVM's temp folder stays for the next start to remove, as any killed process's does
    // (the test below); this test leaves nothing.
    for (const name of await readdir(tmpdir())) {
      if (name.startsWith(`whiteboard-dynamodb-local-${parent.pid}-`)) {
        await rm(join(tmpdir(), name), { recursive: true, force: true });
      }
    }
  });

for (const kind of ['dynalite', 'dynamodb-local'] as const) {
  // Each test uses its own folder and port, so JVM starts can overlap: the file stays fast.
  describe(kind, { concurrency: true }, () => {
    it('keeps data in its folder across a stop and a start', async () => {
      const dataDir = newFolder();
      const first = await startDynamoDbEngine({ engine: kind, dataDir });
      try {
        assert.equal(first.kind, kind);
        assert.match(first.name, namePattern[kind]);
        assert.equal(first.endpoint, `http://127.0.0.1:${first.port}`);
        assert.equal(first.dataDir, dataDir);
        assert.equal(await ensureMessagesTable(first.endpoint, 'persisted'), 'created');
        await putMessage(first.endpoint, 'persisted', 'still here');
        await assert.rejects(startDynamoDbEngine({ engine: kind, inMemory: true, port: first.port }), {
          message: new RegExp(`port ${first.port} on 127\\.0\\.0\\.1 is already in use`),
        });
      } finally {
        await stopAndCheck(first);
      }
      assert.ok((await readdir(dataDir)).length > 0, `${kind} wrote nothing to ${dataDir}`);

      const second = await startDynamoDbEngine({ engine: kind, dataDir });
      try {
        assert.equal(await ensureMessagesTable(second.endpoint, 'persisted'), 'exists');
        assert.equal(await getText(second.endpoint, 'persisted'), 'still here');
      } finally {
        await stopAndCheck(second);
      }
    });

    it('answers a write whose condition failed with the item it found, when asked for it', async () => {
      const engine = await startDynamoDbEngine({ engine: kind, inMemory: true });
      const client = createLocalDynamoDbClient(engine.endpoint);
      try {
        const TableName = 'conditions';
        await ensureMessagesTable(engine.endpoint, TableName);
        const key = { board: { S: 'engine-test' }, id: { S: '01JENGINE0000000000000000' } };
        const stored = { ...key, text: { S: 'first' } };
        await client.send(new PutItemCommand({ TableName, Item: stored }));
        /** What a conditional write answers: the error's name and the item it carries. */
        const answer = (sent: Promise<unknown>) =>
          sent.then(
            () => 'written',
            (error: Error & { Item?: unknown }) => ({ name: error.name, item: error.Item }),
          );
        const putIfNew = (input: Partial<PutItemCommandInput>) =>
          client.send(
            new PutItemCommand({
              TableName,
              Item: { ...key, text: { S: 'second' } },
              ConditionExpression: 'attribute_not_exists(id)',
              ...input,
            }),
          );
        const failed = (item: unknown) => ({ name: 'ConditionalCheckFailedException', item });

        assert.deepEqual(
          await answer(putIfNew({ ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })),
          failed(stored),
        );
        assert.deepEqual(
          await answer(putIfNew({ ReturnValuesOnConditionCheckFailure: 'NONE' })),
          failed(undefined),
        );
        assert.deepEqual(await answer(putIfNew({})), failed(undefined));
        // No item there, none to return.
        assert.deepEqual(
          await answer(
            putIfNew({
              Item: { ...key, id: { S: '01JENGINE0000000000000001' } },
              ConditionExpression: 'attribute_exists(id)',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          ),
          failed(undefined),
        );
        assert.deepEqual(
          await answer(
            client.send(
              new DeleteItemCommand({
                TableName,
                Key: key,
                ConditionExpression: '#text = :other',
                ExpressionAttributeNames: { '#text': 'text' },
                ExpressionAttributeValues: { ':other': { S: 'other' } },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              }),
            ),
          ),
          failed(stored),
        );
        const invalid = await answer(
          putIfNew({
            ReturnValuesOnConditionCheckFailure:
              'ALL_NEW' as PutItemCommandInput['ReturnValuesOnConditionCheckFailure'],
          }),
        );
        assert.equal(typeof invalid === 'object' && invalid.name, 'ValidationException');
        assert.equal(await getText(engine.endpoint, TableName), 'first', 'the item is unchanged');
      } finally {
        client.destroy();
        await stopAndCheck(engine);
      }
    });

    it('in memory, writes nothing to disk and listens on the port it was given, on 127.0.0.1 only', async () => {
      const dataDir = newFolder();
      const port = await freePort();
      const engine = await startDynamoDbEngine({ engine: kind, inMemory: true, dataDir, port });
      try {
        assert.equal(engine.endpoint, `http://127.0.0.1:${port}`);
        assert.deepEqual(listeningAddresses(port), ['127.0.0.1']);
        assert.equal(engine.dataDir, undefined);
        await ensureMessagesTable(engine.endpoint, 'in-memory');
        await putMessage(engine.endpoint, 'in-memory', 'fleeting');
        assert.equal(await getText(engine.endpoint, 'in-memory'), 'fleeting');
        // A web page open in the developer's browser gets no CORS leave to reach the data, for a
        // preflight or for the request itself.
        for (const method of ['OPTIONS', 'POST']) {
          const answer = await fetch(engine.endpoint, {
            method,
            headers: {
              origin: 'http://page.example',
              'access-control-request-method': 'POST',
              'content-type': 'application/x-amz-json-1.0',
              'x-amz-target': 'DynamoDB_20120810.ListTables',
              'x-amz-date': '20260101T000000Z',
              authorization:
                'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
            },
            ...(method === 'POST' ? { body: '{}' } : {}),
          });
          // Without it the browser refuses the page the answer, and, the preflight failing, never
          // sends the request (X-Amz-Target is not a header a page may send without one).
          assert.equal(
            answer.headers.get('access-control-allow-origin'),
            null,
            `${method}: ${await answer.text()}`,
          );
        }
      } finally {
        await stopAndCheck(engine);
      }
      assert.equal(existsSync(dataDir), false, `in-memory ${kind} created ${dataDir}`);
    });

    if (kind === 'dynamodb-local') {
      parentKilledTest();

      it('says, without waiting out the start timeout, that its database file is damaged', async () => {
        const dataDir = newFolder();
        mkdirSync(dataDir, { recursive: true });
        writeFileSync(join(dataDir, 'shared-local-instance.db'), randomBytes(20_000));
        await assert.rejects(
          startDynamoDbEngine({ engine: kind, dataDir, startTimeoutMs: 60_000 }),
          (error: Error) => {
            assert.match(error.message, /^DynamoDB Local did not start: it answers ListTables with errors/);
            assert.ok(
              error.message.includes(
                `Its database ${join(dataDir, 'shared-local-instance.db')} may be damaged`,
              ),
              error.message,
            );
            // What the engine said, without its Java stack frames.
            assert.match(error.message, /\nIt says: .*Exception/);
            assert.doesNotMatch(error.message, /^\s+at /m);
            return true;
          },
        );
      });

      it('says when its process ends while no one stopped it, and leaves none of its files', async () => {
        const engine = await startDynamoDbEngine({ engine: kind, inMemory: true });
        let temp: string | undefined;
        try {
          temp = jvmTempFolder(engine.pid as number);
          // What it wrote there by its first answer: the SQLite library it deletes only when the
          // JVM shuts down, so not when it is killed outright.
          assert.ok(
            readdirSync(temp).some((file) => /sqlite/i.test(file)),
            `DynamoDB Local wrote no SQLite library into ${temp}: ${readdirSync(temp).join(', ')}`,
          );
          process.kill(engine.pid as number, 'SIGKILL');
          assert.match(await engine.ended, /^signal SIGKILL; its last output:\n/);
        } finally {
          await stopAndCheck(engine);
        }
        assert.equal(existsSync(temp), false, `${temp} outlived the engine`);
      });

      it('removes at start the temp folders of JVMs whose Node.js process was killed', async () => {
        await besideLeftoverFolders(
          'whiteboard-dynamodb-local-',
          'sqlite-libsqlite4java.so',
          async ({ orphan, inUse }) => {
            const engine = await startDynamoDbEngine({ engine: kind, inMemory: true });
            await stopAndCheck(engine);
            assert.equal(existsSync(orphan), false, `${orphan} was removed`);
            assert.equal(existsSync(inUse), true, `${inUse} was kept`);
          },
        );
      });
    }
  });
}
