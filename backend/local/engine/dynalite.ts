/**
 * dynalite, the fallback engine where there is no Java 17+: an npm package that runs in
 * this process on LevelDB. Its data folder is opened and read once before it starts, because
 * dynalite itself crashes the process on a locked or damaged folder.
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { RunningEngine } from '../dynamodb-engine.ts';
import { HOST, isAddressInUse, PortInUseError } from './ports.ts';
import { waitUntilAnswering } from './readiness.ts';

const require = createRequire(import.meta.url);

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

/**
 * dynalite answers every origin's CORS preflight and request with `Access-Control-Allow-Origin: *`,
 * so any web page open in the developer's browser that found its port could read or delete the
 * local data. Browsers send `Origin` on cross-origin requests (and on every POST); the AWS SDK and
 * CLI never do. So a request with one is refused, before dynalite sees it.
 */
const refuseWebPages = (server: HttpServer): void => {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.origin === undefined) {
      for (const handler of handlers) handler(req, res);
      return;
    }
    req.resume();
    res.writeHead(403, { 'content-type': 'application/x-amz-json-1.0', connection: 'close' });
    res.end(
      JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException',
        message: 'the local DynamoDB engine does not answer web pages (the request had an Origin header)',
      }),
    );
  });
};

interface ConditionalCheckError extends Error {
  body?: { __type?: string; Item?: unknown };
}

interface DynaliteDb {
  checkConditional(
    data: Record<string, unknown>,
    existingItem: unknown,
  ): ConditionalCheckError | null | undefined;
}

interface DynaliteValidation {
  types: Record<string, unknown>;
}

const CONDITIONAL_WRITES = ['putItem', 'deleteItem', 'updateItem'] as const;
let conditionFailuresReturnItems = false;

/**
 * DynamoDB answers a write whose condition failed with the item it was checked against, when the
 * request asks for it with `ReturnValuesOnConditionCheckFailure: ALL_OLD` (DynamoDB API
 * Reference, PutItem, DeleteItem and UpdateItem: "ReturnValuesOnConditionCheckFailure"; and
 * "ConditionalCheckFailedException": "Item"). dynalite 4.0.0 drops the parameter as unknown
 * (architect/dynalite#182), so the repository could not tell an SDK retry of a post that landed
 * from another message with its id. So its three conditional writes are taught the parameter, and
 * the one function through which they check their condition gives its error the item.
 */
const returnItemsOnConditionFailure = (): void => {
  if (conditionFailuresReturnItems) return;
  conditionFailuresReturnItems = true;
  const fromDynalite = createRequire(require.resolve('dynalite'));
  for (const action of CONDITIONAL_WRITES) {
    const validation = fromDynalite(`./validations/${action}`) as DynaliteValidation;
    // As DynamoDB, it refuses any other value with a ValidationException.
    validation.types.ReturnValuesOnConditionCheckFailure = { type: 'String', enum: ['ALL_OLD', 'NONE'] };
  }
  const db = fromDynalite('./db') as DynaliteDb;
  const checkConditional = db.checkConditional;
  db.checkConditional = (data, existingItem) => {
    const error = checkConditional(data, existingItem);
    if (
      error?.body !== undefined &&
      existingItem !== undefined &&
      existingItem !== null &&
      data.ReturnValuesOnConditionCheckFailure === 'ALL_OLD'
    ) {
      error.body.Item = existingItem;
    }
    return error;
  };
};

export const startDynalite = async (
  requestedPort: number,
  dataDir: string | undefined,
  timeoutMs: number,
): Promise<RunningEngine> => {
  if (dataDir !== undefined) await checkLevelFolderFree(dataDir);
  // Loaded only when used: it pulls in LevelDB.
  const createDynalite = require('dynalite') as (options: DynaliteOptions) => HttpServer;
  const { version } = require('dynalite/package.json') as { version: string };
  returnItemsOnConditionFailure();
  // Tables are ACTIVE at once instead of after 500 ms: table creation is on the start path.
  const server = createDynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(isAddressInUse(error) ? new PortInUseError(requestedPort) : error),
    );
    server.listen(requestedPort, HOST, () => resolve());
  });
  refuseWebPages(server);
  // Neither the server nor its connections keep the process alive (see dynamodb-engine.ts's comment).
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
