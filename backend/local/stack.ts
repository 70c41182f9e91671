/**
 * The local stack: a DynamoDB engine, the messages table, the functions' bundles in Lambda-like
 * execution environments and the API Gateway emulator in front of them, all configured from the
 * one definition in backend/http/routes.ts. `npm start` (main.ts) and the tests start it here.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { messagesTable } from '../adapters/messages-table.ts';
import {
  commonEnvironment,
  corsSettings,
  type FunctionDefinition,
  type FunctionId,
  functions,
  routes,
} from '../http/routes.ts';
import { allowedHost } from './allowed-hosts.ts';
import { buildLocal, type LocalBuild } from './build.ts';
import { type EngineChoice, type RunningEngine, startDynamoDbEngine } from './dynamodb-engine.ts';
import { KILL_AFTER_MS } from './engine/dynamodb-local.ts';
import { HOST, probePort } from './engine/ports.ts';
import { FunctionEnvironments, LAMBDA_INIT_LIMIT_MS } from './execution-environments.ts';
import { createGatewayServer } from './gateway-server.ts';
import { FUNCTION_VERSION, logGroupName } from './lambda-context.ts';
import { createLogPrinter, type LogPrinter } from './log-printer.ts';
import { cutShort } from './request-quotas.ts';
import { ensureMessagesTable, localAwsEnvironment } from './tables.ts';

export interface LocalStackOptions {
  /** 0 picks a free port. Default 3000. */
  readonly port?: number;
  /** Default 127.0.0.1: nothing listens beyond loopback unless asked. */
  readonly host?: string;
  /**
   * Names the gateway answers in `Host` beside IP addresses, localhost and `host`
   * (allowed-hosts.ts), or `any` for every name.
   */
  readonly allowedHosts?: readonly string[] | 'any';
  /** Use this DynamoDB endpoint instead of starting an engine. */
  readonly dynamoDbEndpoint?: string | undefined;
  readonly engine?: EngineChoice;
  /** The engine's port; default a free one. */
  readonly enginePort?: number | undefined;
  /** Keep the engine's data in memory only. */
  readonly inMemory?: boolean;
  readonly dataDir?: string | undefined;
  readonly tableName?: string;
  /** Allowed CORS origins; default every origin. */
  readonly corsOrigins?: readonly string[];
  /**
   * Most execution environments per function; further invocations queue for a free one.
   * Default: `environmentsPerThread` for each core but one (the gateway and the DynamoDB engine
   * need CPU too), at least one thread's worth; with a thread per environment, one per core plus
   * one, so that a core does not idle while an invocation waits on DynamoDB.
   */
  readonly maxEnvironments?: number;
  /**
   * Most environments a worker thread hosts (execution-environments.ts). In AWS every environment
   * has CPUs of its own; here they share this machine's cores, and a thread per environment costs
   * CPU on every invocation, where another copy of the function in a thread costs little: it
   * shares the thread's library code (build.ts) and adds its own objects (npm run bench, "4
   * copies, 4 threads" against "4 copies, 1 thread"). Measured under load on 2 cores
   * (docs/performance-history.md), in full bench runs: 8 environments in one thread served
   * 0.67-0.82x the floor's requests, one thread each (at most 3) 0.55-0.68x. With 16 rather than
   * 8 to a thread, the bench's 16 connections each find a free environment instead of queueing
   * for one, as they would in Lambda, and the engine spent less CPU per request; throughput was as
   * good or better in paired rounds, by less than such rounds can resolve here. 1 gives each
   * environment a thread of its own, as isolated as Lambda's. Default 16.
   */
  readonly environmentsPerThread?: number;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
  readonly printer?: LogPrinter;
  /**
   * Builds the functions' bundles and the worker runtime; default `buildLocal` (build.ts). A test
   * passes one that fails, to see that the engine started alongside is stopped.
   */
  readonly build?: () => Promise<LocalBuild>;
}

export interface LocalStack {
  readonly url: string;
  readonly engine: string;
  /** Where the engine keeps its data; undefined in memory or with an existing endpoint. */
  readonly dataDir: string | undefined;
  /** Why the engine is dynalite when DynamoDB Local was preferred (see RunningEngine.fallback). */
  readonly engineFallback: string | undefined;
  /** The other engine's default data folder, when it holds data (see RunningEngine.otherEnginesData). */
  readonly otherEnginesData: RunningEngine['otherEnginesData'];
  /** Resolves if the engine the stack started ends by itself (see RunningEngine.ended). */
  readonly engineEnded: Promise<string>;
  readonly tableName: string;
  /** Whether this start created the table: the engine held none (a first start, or data lost). */
  readonly tableCreated: boolean;
  readonly dynamoDbEndpoint: string;
  readonly environments: Readonly<Record<FunctionId, FunctionEnvironments>>;
  /** Most execution environments per function, and per worker thread. */
  readonly concurrency: { readonly maxEnvironments: number; readonly environmentsPerThread: number };
  /**
   * The longest `stop` can take: the requests in flight drained (drainLimitMs), the engine ended
   * (SIGKILL after KILL_AFTER_MS), and two seconds for the rest. Past it, a stop has hung.
   */
  readonly stopLimitMs: number;
  stop(): Promise<void>;
}

const REGION = localAwsEnvironment.AWS_REGION;

/** The API's port when none is given (README, the CLI's default URL: cli/config.ts). */
export const DEFAULT_PORT = 3000;

/** See `LocalStackOptions.environmentsPerThread`. */
export const DEFAULT_ENVIRONMENTS_PER_THREAD = 16;

/** See `LocalStackOptions.maxEnvironments`; `cores` is this machine's unless a test gives it. */
export const defaultMaxEnvironments = (
  environmentsPerThread = DEFAULT_ENVIRONMENTS_PER_THREAD,
  cores = availableParallelism(),
): number =>
  environmentsPerThread === 1 ? Math.max(2, cores + 1) : environmentsPerThread * Math.max(1, cores - 1);

// The SDK warns once per process on Node < 22 (its releases after the first week of January 2027
// need Node 22: @aws-sdk/core, emitWarningIfUnsupportedVersion); the local stack's own clients
// (table creation) would print it at every start. Lambda itself runs Node 24.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Lambda's "Defined runtime environment variables" (Lambda Developer Guide) that the handlers or
 * their libraries may read. Left out:
 * - the three that would switch tracing on: AWS_EXECUTION_ENV (Powertools Tracer is off without
 *   it, backend/handlers/powertools.ts), LAMBDA_TASK_ROOT (aws-xray-sdk-core's Lambda mode) and
 *   AWS_XRAY_DAEMON_ADDRESS. Local tracing, when it comes, sets them in one place here, with a
 *   collector to send to, and one environment per thread: the X-Ray SDK keeps one Lambda segment
 *   per loaded copy, and the environments of a thread share one (runtime-worker.ts);
 * - AWS_LAMBDA_LOG_STREAM_NAME, one per environment where the environments of a thread share
 *   `process.env` (the Lambda context carries it, runtime-worker.ts);
 * - the Runtime API's and the runtime's own (AWS_LAMBDA_RUNTIME_API, LAMBDA_RUNTIME_DIR): no
 *   runtime here polls an API; the credentials are the local ones (localAwsEnvironment).
 */
const lambdaEnvironment = ({ id, memorySize, handler }: FunctionDefinition): Record<string, string> => ({
  AWS_LAMBDA_FUNCTION_NAME: id,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySize),
  AWS_LAMBDA_FUNCTION_VERSION: FUNCTION_VERSION,
  AWS_LAMBDA_LOG_GROUP_NAME: logGroupName(id),
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  AWS_REGION: REGION,
  AWS_DEFAULT_REGION: REGION,
  // As the CDK app gives it (infra/constructs/whiteboard-function.ts): the bundle's index.mjs.
  _HANDLER: `index.${handler}`,
  TZ: ':UTC',
});

/**
 * The environment variables of a function's execution environments in the local stack: what
 * Lambda sets, local credentials, the shared definition's, and where the table is. (Source maps
 * are on in the environments' threads through their execArgv, execution-environments.ts.)
 */
export const functionVariables = (
  definition: FunctionDefinition,
  tableName: string,
  dynamoDbEndpoint: string,
): Record<string, string> => ({
  ...lambdaEnvironment(definition),
  ...localAwsEnvironment,
  // The SDK warns once per environment on Node < 22 (above); Lambda runs Node 24.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  ...commonEnvironment,
  ...definition.environment,
  TABLE_NAME: tableName,
  DYNAMODB_ENDPOINT: dynamoDbEndpoint,
});

/**
 * How long stopping waits for requests in flight: Lambda's init limit and the longest function
 * timeout, past which every invocation has ended anyway (execution-environments.ts), and a second
 * for the answers to go out. Most stops take far less: the requests in flight end in milliseconds.
 */
const drainLimitMs = (ids: readonly FunctionId[]): number =>
  LAMBDA_INIT_LIMIT_MS + Math.max(...ids.map((id) => functions[id].timeout)) * 1000 + 1000;

/**
 * How long stopping waits for the body of a request still arriving before it ends the request:
 * ample for a client that is sending one. Its function has not run, so nothing was stored, and
 * its client sees the request fail.
 */
const BODY_GRACE_MS = 1_000;

/**
 * What stopping the server does: take no new connections, let the requests in flight get their
 * answers (a message being stored when Ctrl-C comes is stored and its sender told so), then
 * close what is left. A request whose body is still arriving after BODY_GRACE_MS is ended there
 * rather than waited for. The environments and the engine stop after this, so nothing in flight
 * loses the function or the table under it.
 */
export const drainOnStop = (server: Server, limitMs: number): (() => Promise<void>) => {
  const inFlight = new Map<ServerResponse, IncomingMessage>();
  let stopping = false;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    inFlight.set(res, req);
    res.once('close', () => inFlight.delete(res));
    // Keep-alive clients learn with this answer that the connection ends.
    if (stopping && !res.headersSent) res.setHeader('connection', 'close');
  });
  return async () => {
    stopping = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    for (const res of inFlight.keys()) if (!res.headersSent) res.setHeader('connection', 'close');
    const started = Date.now();
    while (inFlight.size > 0 && Date.now() < started + limitMs) {
      if (Date.now() >= started + BODY_GRACE_MS) {
        // Not on a connection that still owes the answer to a whole request before it (pipelined):
        // ending the request ends the connection, and that answer may say a message was stored.
        const owing = new Set([...inFlight.values()].filter((req) => req.complete).map((req) => req.socket));
        for (const req of inFlight.values())
          if (!req.complete && !owing.has(req.socket))
            cutShort(req, 'the stack stopped before its body ended');
      }
      // A request whose connection is gone has nobody left to answer; queued behind another on its
      // connection (pipelined), its response never says it closed.
      for (const [res, req] of inFlight) if (req.socket.destroyed) inFlight.delete(res);
      await new Promise((r) => setTimeout(r, 20));
    }
    server.closeAllConnections();
    await closed;
  };
};

export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  const printer = options.printer ?? createLogPrinter({ quiet: options.quiet, verbose: options.verbose });
  const tableName = options.tableName ?? messagesTable.localName;
  /** 0 picks a free port. */
  const requestedPort = options.port ?? DEFAULT_PORT;
  const host = options.host ?? HOST;
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    printer.flush();
  };

  try {
    // A port already taken, or a host that does not resolve or is not this machine's, is found
    // now, not after an engine has started for nothing. Port 0 probes the host alone.
    await probePort(requestedPort, host);
    // The engine starts while the functions build. If either fails, what the other started must
    // still be stopped: so both are awaited, not only the first to fail.
    const [started, built] = await Promise.allSettled([
      options.dynamoDbEndpoint
        ? undefined
        : startDynamoDbEngine({
            engine: options.engine ?? 'auto',
            port: options.enginePort,
            inMemory: options.inMemory ?? false,
            dataDir: options.dataDir,
          }),
      (options.build ?? buildLocal)(),
    ]);
    const engine = started.status === 'fulfilled' ? started.value : undefined;
    if (engine) cleanups.push(() => engine.stop());
    if (started.status === 'rejected') throw started.reason;
    if (built.status === 'rejected') throw built.reason;
    const build = built.value;
    const dynamoDbEndpoint = options.dynamoDbEndpoint ?? engine?.endpoint ?? '';
    const engineName = engine?.name ?? `existing endpoint ${dynamoDbEndpoint}`;
    let tableCreated: boolean;
    try {
      tableCreated = (await ensureMessagesTable(dynamoDbEndpoint, tableName)) === 'created';
    } catch (error) {
      const reason = (error as Error).message;
      if (options.dynamoDbEndpoint) {
        throw new Error(
          `DYNAMODB_ENDPOINT=${options.dynamoDbEndpoint} does not answer as DynamoDB does ` +
            `(${reason}): start an engine there, or unset DYNAMODB_ENDPOINT to have the stack start one`,
        );
      }
      // The engine started on its data, then failed on the table: damage it found only now.
      if (engine?.dataDir === undefined) throw error;
      throw new Error(
        `${engine.name} started, but could not read the table ${tableName} in its data folder ` +
          `${engine.dataDir} (${reason}): its data may be damaged. Move the folder aside, or start ` +
          'with another --data-dir or --in-memory.',
      );
    }

    const ids = Object.keys(functions) as FunctionId[];
    const environmentsPerThread = options.environmentsPerThread ?? DEFAULT_ENVIRONMENTS_PER_THREAD;
    const maxEnvironments = options.maxEnvironments ?? defaultMaxEnvironments(environmentsPerThread);
    const environments = Object.fromEntries(
      ids.map((id) => {
        const definition = functions[id];
        return [
          id,
          new FunctionEnvironments({
            definition,
            runtimePath: build.runtimePath,
            bundlePath: build.bundles[id],
            region: REGION,
            maxEnvironments,
            environmentsPerThread,
            idleTimeoutMs: 10 * 60_000,
            variables: functionVariables(definition, tableName, dynamoDbEndpoint),
            events: {
              log: (fn, line) => printer.functionLog(fn, line),
              coldStart: (fn, initMs) => printer.coldStart(fn, initMs),
            },
          }),
        ];
      }),
    ) as Record<FunctionId, FunctionEnvironments>;
    cleanups.push(async () => {
      await Promise.all(Object.values(environments).map((envs) => envs.close()));
    });

    const server = createGatewayServer({
      routes,
      environments,
      cors: corsSettings(options.corsOrigins),
      printer,
      allowsHost: options.allowedHosts === 'any' ? undefined : allowedHost(host, options.allowedHosts),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(requestedPort, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    cleanups.push(drainOnStop(server, drainLimitMs(ids)));
    const { port } = server.address() as AddressInfo;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return {
      url,
      engine: engineName,
      dataDir: engine?.dataDir,
      engineFallback: engine?.fallback,
      otherEnginesData: engine?.otherEnginesData,
      engineEnded: engine?.ended ?? new Promise<string>(() => undefined),
      tableName,
      tableCreated,
      dynamoDbEndpoint,
      environments,
      concurrency: { maxEnvironments, environmentsPerThread },
      stopLimitMs: drainLimitMs(ids) + KILL_AFTER_MS + 2_000,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
