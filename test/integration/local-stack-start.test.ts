/**
 * A start of the local stack that fails part way: the DynamoDB engine starts while the functions
 * build (stack.ts), so when the build fails, the engine it started meanwhile must be stopped, and
 * the error must be the build's. And an engine that starts on data it cannot read the table from.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { messagesTable } from '../../backend/adapters/messages-table.ts';
import { type EngineChoice, startDynamoDbEngine } from '../../backend/local/dynamodb-engine.ts';
import { DATABASE_FILE } from '../../backend/local/engine/dynamodb-local.ts';
import { processAlive } from '../../backend/local/process-alive.ts';
import { startLocalStack } from '../../backend/local/stack.ts';
import { createLocalDynamoDbClient, ensureMessagesTable } from '../../backend/local/tables.ts';
import { ownTempFolder } from '../../backend/local/temp-folders.ts';
import { listenersOn, listeningPortsOf, stillListening } from '../helpers/listening.ts';
import { childProcessesOf } from '../helpers/processes.ts';

const commandOf = (pid: number): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface ListeningEngine {
  readonly port: number;
  /** Its listening sockets, for stillListening. */
  readonly listeners: string[];
  /** DynamoDB Local's JVM; undefined for dynalite, which runs in this process. */
  readonly pid: number | undefined;
}

/**
 * The engine, once it listens: a port this process did not listen on before (dynalite), or one
 * a child process listens on (DynamoDB Local's JVM; the engine's other children listen on none).
 */
const engineListening = async (portsBefore: ReadonlySet<number>): Promise<ListeningEngine> => {
  for (const started = Date.now(); Date.now() - started < 60_000; await sleep(50)) {
    const own = listeningPortsOf(process.pid).find((port) => !portsBefore.has(port));
    if (own !== undefined) return { port: own, pid: undefined, listeners: listenersOn(own) };
    for (const pid of childProcessesOf(process.pid)) {
      const port = listeningPortsOf(pid)[0];
      if (port !== undefined) return { port, pid, listeners: listenersOn(port) };
    }
  }
  throw new Error('no DynamoDB engine listened within 60 s');
};

describe('a start of the local stack whose build fails', () => {
  it('stops the engine started alongside, and fails with the build error', async () => {
    const portsBefore = new Set(listeningPortsOf(process.pid));
    const buildError = new Error(
      'Build failed with 1 error:\nbackend/handlers/read-messages.ts:1:7: ERROR: Expected ";"',
    );
    let engine: ListeningEngine | undefined;
    const start = startLocalStack({
      port: 0,
      inMemory: true,
      engine: (process.env.WHITEBOARD_TEST_ENGINE ?? 'auto') as EngineChoice,
      quiet: true,
      // It fails once the engine listens, before the engine answers: as a real build fails, in
      // less time than DynamoDB Local takes to start.
      build: async () => {
        engine = await engineListening(portsBefore);
        throw buildError;
      },
    });
    try {
      await assert.rejects(start, (error) => {
        assert.equal(error, buildError, "the build's own error, not one of the engine's");
        return true;
      });
      assert.ok(engine, 'the engine had started');
      assert.notDeepEqual(engine.listeners, [], `no socket found listening on ${engine.port}`);
      assert.deepEqual(stillListening(engine.listeners), [], 'the engine still listens');
      if (engine.pid !== undefined) {
        assert.equal(processAlive(engine.pid), false, `DynamoDB Local (pid ${engine.pid}) still runs`);
      }
    } finally {
      // The JVM of a failed check is this test's to end; its exit hook would, later.
      if (engine?.pid !== undefined && processAlive(engine.pid)) process.kill(engine.pid, 'SIGKILL');
    }
  });
});

describe('a start of the local stack on data the engine cannot read the table from', () => {
  const { path: scratch, remove: removeScratch } = ownTempFolder('whiteboard-damaged-');
  after(removeScratch);

  it('says the data may be damaged, names the folder and what to do, and stops the engine', async () => {
    const dataDir = join(scratch, 'data');
    const first = await startDynamoDbEngine({ engine: 'dynamodb-local', dataDir });
    const client = createLocalDynamoDbClient(first.endpoint);
    try {
      await ensureMessagesTable(first.endpoint, messagesTable.localName);
      for (let i = 0; i < 30; i++) {
        const item = { board: { S: 'default' }, id: { S: `id-${i}` }, text: { S: 'x'.repeat(200) } };
        await client.send(new PutItemCommand({ TableName: messagesTable.localName, Item: item }));
      }
    } finally {
      client.destroy();
      await first.stop();
    }
    // Zeroes one 1 KiB page of the SQLite file (27 pages, laid out the same on every run of the
    // pinned DynamoDB Local) that the table's description needs and its list of tables does not:
    // the engine starts (ListTables answers), then fails on the table (DescribeTable).
    const file = openSync(join(dataDir, 'shared-local-instance.db'), 'r+');
    writeSync(file, Buffer.alloc(1024), 0, 1024, 20 * 1024);
    closeSync(file);

    const childrenBefore = new Set(childProcessesOf(process.pid));
    // A stack that starts after all (another DynamoDB Local lays its file out otherwise) is stopped,
    // so that the test fails rather than hang on it.
    const outcome = await startLocalStack({ port: 0, engine: 'dynamodb-local', dataDir, quiet: true }).then(
      async (stack) => {
        await stack.stop();
        return undefined;
      },
      (error: Error) => error,
    );
    assert.ok(outcome instanceof Error, 'the start failed');
    assert.match(
      outcome.message,
      new RegExp(
        `^DynamoDB Local .* started, but could not read the table ${messagesTable.localName} ` +
          `in its data folder ${dataDir} \\(.+\\): its data may be damaged\\. Move the folder aside, ` +
          'or start with another --data-dir or --in-memory\\.$',
      ),
    );
    // esbuild's service process stays for the next build; no JVM may.
    const java = childProcessesOf(process.pid).filter(
      (pid) => !childrenBefore.has(pid) && processAlive(pid) && commandOf(pid) === 'java',
    );
    assert.deepEqual(java, [], 'no engine process is left running');
  });

  it('says a database file it cannot open may be damaged, and does not offer dynalite, which would not read it', async () => {
    const dataDir = join(scratch, 'not-a-database');
    mkdirSync(dataDir, { recursive: true });
    const database = join(dataDir, DATABASE_FILE);
    writeFileSync(database, 'not a database\n'.repeat(300));
    const childrenBefore = new Set(childProcessesOf(process.pid));
    await assert.rejects(startDynamoDbEngine({ engine: 'dynamodb-local', dataDir }), (error: Error) => {
      assert.ok(
        error.message.includes(
          `Its database ${database} may be damaged, read-only or in use by another process: stop that ` +
            'one, or move the file aside, or start with another --data-dir or --in-memory.',
        ),
        error.message,
      );
      assert.doesNotMatch(error.message, /--engine dynalite/);
      return true;
    });
    const java = childProcessesOf(process.pid).filter(
      (pid) => !childrenBefore.has(pid) && processAlive(pid) && commandOf(pid) === 'java',
    );
    assert.deepEqual(java, [], 'no engine process is left running');
  });
});

describe('a start of the local stack on a DYNAMODB_ENDPOINT that never answers', () => {
  // Two attempts of 10 s each at most; the test's own limit makes a wait without end a failure.
  it('fails with words within its time limits, rather than wait forever', { timeout: 60_000 }, async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      await assert.rejects(
        startLocalStack({ port: 0, dynamoDbEndpoint: endpoint, quiet: true }),
        new RegExp(`^Error: DYNAMODB_ENDPOINT=${endpoint} does not answer as DynamoDB does \\(.+\\)`),
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
