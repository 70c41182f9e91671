/**
 * `npm start`: the whiteboard API on 127.0.0.1, on a real DynamoDB engine, until Ctrl-C.
 * The local stack's entry point, and the only one of its files that deals with the process: its
 * arguments and exit code (through command-line.ts) and its signals (through graceful-stop.ts,
 * which the bench shares). The rest takes options and returns values.
 */
import { notAnOrigin, ORIGINS_HINT, parseCorsOrigins } from '../http/routes.ts';
import { ALLOWED_NAME } from './allowed-hosts.ts';
import { commandLine, type Fail } from './command-line.ts';
import { type EngineChoice, engineChoices } from './dynamodb-engine.ts';
import { readableByOthers } from './engine/data-dir.ts';
import { MIN_JAVA_MAJOR } from './engine/java.ts';
import { HOST, isLoopbackHost, PortInUseError } from './engine/ports.ts';
import { handleStopSignals, runByNpm } from './graceful-stop.ts';
import { createLogPrinter, stdoutInColor } from './log-printer.ts';
import { DEFAULT_PORT, startLocalStack } from './stack.ts';

const HELP = `Usage: npm start -- [options]

Runs the whiteboard API locally: an API Gateway HTTP API emulator in front of the Lambda
handlers, on a real DynamoDB engine. Data persists in .whiteboard/data unless --in-memory.

Options:
  --port <n>         port to listen on (default: $PORT or 3000; 0 picks a free one)
  --host <addr>      address to listen on (default: 127.0.0.1)
  --allow-host <names>
                     comma-separated names to answer in the Host header besides IP addresses,
                     localhost and --host (a proxy's, a tunnel's; .example.test for a domain
                     and the names under it), or any: other names get 403, against DNS rebinding
  --engine <name>    auto | dynamodb-local | dynalite (default: auto: DynamoDB Local when
                     Java 17+ is found, otherwise dynalite)
  --engine-port <n>  port for the DynamoDB engine, for tools such as the AWS CLI's
                     --endpoint-url (default: a free one, shown at start)
  --in-memory        keep the data in memory only
  --data-dir <path>  where the engine keeps its data (default: .whiteboard/data/<engine>,
                     a folder each for dynamodb-local and dynalite)
  --cors-origins <list>
                     comma-separated origins that browsers may call the API from, each
                     scheme://host[:port] (default: *, any origin)
  --verbose          print every key of every log line
  --thread-per-environment
                     give each execution environment a worker thread of its own, as isolated
                     as Lambda's (default: up to 16 environments of a function share a thread,
                     each its own copy of the function: faster on few cores)
  -h, --help         show this help

Environment:
  PORT                 as --port
  DYNAMODB_ENDPOINT    use this DynamoDB endpoint instead of starting an engine
  WHITEBOARD_CORS_ORIGINS
                       as --cors-origins: the variable the deploy reads (README, "Settings")
`;

const command = commandLine('npm start', HELP, {
  port: { type: 'string' },
  host: { type: 'string' },
  'allow-host': { type: 'string' },
  engine: { type: 'string' },
  'engine-port': { type: 'string' },
  'in-memory': { type: 'boolean' },
  'data-dir': { type: 'string' },
  'cors-origins': { type: 'string' },
  verbose: { type: 'boolean' },
  'thread-per-environment': { type: 'boolean' },
});
const { args } = command;
const fail: Fail = command.fail;

const parsePort = (text: string, source: string): number =>
  /^\d{1,5}$/.test(text) && Number(text) <= 65535
    ? Number(text)
    : fail(`invalid port ${JSON.stringify(text)} (${source}): use a number from 0 to 65535`);
// An empty PORT counts as unset, as shells leave it by `PORT= npm start`.
const port =
  args.port !== undefined
    ? parsePort(args.port, '--port')
    : process.env.PORT
      ? parsePort(process.env.PORT, 'PORT')
      : DEFAULT_PORT;
const enginePort =
  args['engine-port'] === undefined ? undefined : parsePort(args['engine-port'], '--engine-port');
if (enginePort !== undefined && enginePort !== 0 && enginePort === port)
  fail(`--engine-port ${enginePort} is the API's own port: give the engine another one, or leave it out`);
const engine = (args.engine ?? 'auto') as EngineChoice;
if (!engineChoices.includes(engine))
  fail(`unknown engine ${JSON.stringify(args.engine)}: use one of ${engineChoices.join(', ')}`);
// An empty value is a variable left unset in a script (`--host "$HOST"`), never a choice: as a host
// it would listen on every interface, as a folder it would be the current one.
for (const name of ['host', 'allow-host', 'data-dir', 'cors-origins'] as const) {
  if (args[name]?.trim() === '') fail(`--${name} needs a value; leave the option out for the default`);
}
const host = args.host ?? HOST;
const allowedHosts = ((): readonly string[] | 'any' | undefined => {
  const given = args['allow-host'];
  if (given === undefined) return undefined;
  if (given.trim().toLowerCase() === 'any') return 'any';
  const names = given.split(',').map((name) => name.trim());
  // `any` among other names is most likely meant as every name, which they would then not need.
  const wrong = names.find((name) => !ALLOWED_NAME.test(name) || name.toLowerCase() === 'any');
  return wrong === undefined
    ? names
    : fail(
        `--allow-host takes host names, comma-separated (.example.test for a domain; xn-- for non-ASCII), or any alone: not ${JSON.stringify(wrong)}`,
      );
})();
// The deploy's variable for the same setting (infra/settings.ts), so that one serves both.
const corsSource = args['cors-origins'] === undefined ? 'WHITEBOARD_CORS_ORIGINS' : '--cors-origins';
const corsOrigins = parseCorsOrigins(args['cors-origins'] ?? process.env.WHITEBOARD_CORS_ORIGINS);
const wrongOrigin = notAnOrigin(corsOrigins);
if (wrongOrigin !== undefined)
  fail(`${corsSource}: ${JSON.stringify(wrongOrigin)} is not an origin; ${ORIGINS_HINT}`);
const dynamoDbEndpoint = process.env.DYNAMODB_ENDPOINT?.trim() || undefined;
if (dynamoDbEndpoint !== undefined && !/^https?:\/\/[^/]/i.test(dynamoDbEndpoint))
  fail(
    `DYNAMODB_ENDPOINT=${dynamoDbEndpoint} is not an http:// or https:// URL: ` +
      'give one such as http://127.0.0.1:8000',
  );
// These choose the engine to start; with an existing endpoint none starts, and they would be
// ignored without a word.
const engineOptions = (['engine', 'engine-port', 'in-memory', 'data-dir'] as const).filter(
  (name) => args[name] !== undefined,
);
if (dynamoDbEndpoint && engineOptions.length > 0)
  fail(
    `DYNAMODB_ENDPOINT is set, so no engine is started and ${engineOptions.map((name) => `--${name}`).join(', ')} ` +
      'would not apply: drop them, or unset DYNAMODB_ENDPOINT',
  );
// Data kept in memory has no folder: a folder given too would be ignored, and its data lost at exit.
if (args['in-memory'] && args['data-dir'] !== undefined)
  fail('--in-memory keeps no data on disk, so --data-dir would not apply: give one or the other');

/** Why the host cannot be listened on; the system's own text names neither --host nor a fix. */
const hostProblems: Partial<Record<string, string>> = {
  ENOTFOUND: 'no such address or host name',
  EAI_FAIL: 'no such address or host name',
  EAI_AGAIN: 'its name could not be looked up now',
  EADDRNOTAVAIL: 'not an address of this machine',
  EAFNOSUPPORT: 'this machine has no network of that address family',
};

/** What to tell the user when the stack does not start: what is wrong, and the option to fix it. */
const startFailure = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return `port ${port} is already in use: stop what uses it or pick another with --port or PORT`;
  }
  if (error instanceof PortInUseError && error.port === enginePort) {
    return (
      `--engine-port ${enginePort} is already in use: stop what uses it, pick another, or ` +
      'leave --engine-port out for a free one'
    );
  }
  const hostProblem = code === undefined ? undefined : hostProblems[code];
  if (hostProblem !== undefined) {
    return (
      `cannot listen on --host ${host}: ${hostProblem}: give an address of this machine, ` +
      `or leave --host out for ${HOST}`
    );
  }
  return (error as Error).message;
};

const printer = createLogPrinter({ verbose: args.verbose ?? false });
const color = stdoutInColor();
const bold = (text: string) => (color ? `\u001b[1m${text}\u001b[22m` : text);

process.stdout.write('Starting the whiteboard local stack...\n');
let stack: Awaited<ReturnType<typeof startLocalStack>>;
try {
  stack = await startLocalStack({
    port,
    host,
    allowedHosts,
    engine,
    enginePort,
    inMemory: args['in-memory'] ?? false,
    dataDir: args['data-dir'],
    dynamoDbEndpoint,
    corsOrigins,
    environmentsPerThread: args['thread-per-environment'] ? 1 : undefined,
    printer,
  });
} catch (error) {
  fail(`could not start the local stack: ${startFailure(error)}`, 1);
}

// Set before the banner says the API is ready: a signal sent on that word is then a clean stop,
// not the default one that ends the process at once. SIGHUP: the terminal closed; stop as cleanly
// as on Ctrl-C (the requests in flight get their answers and the data folder's claim is given
// up). Under npm it also stops when its parent goes away (graceful-stop.ts says why);
// WHITEBOARD_EXIT_WITH_PARENT=1 asks for that without npm: the bench sets it for the stack it
// starts.
const { shutdown, stopping } = handleStopSignals({
  what: 'the local stack',
  output: process.stdout,
  stop: () => stack.stop(),
  stoppedLine: 'Stopped.',
  // From the functions' timeout: a stop waits for the requests in flight (stack.ts).
  stopLimitMs: stack.stopLimitMs,
  signals: { SIGINT: 0, SIGTERM: 0, SIGHUP: 0 },
  parentGoneExitCode: runByNpm() || process.env.WHITEBOARD_EXIT_WITH_PARENT === '1' ? 0 : undefined,
});

const { url, concurrency } = stack;
const loopback = isLoopbackHost(host);
const environments =
  concurrency.environmentsPerThread === 1
    ? `up to ${concurrency.maxEnvironments} per function, a worker thread each`
    : `up to ${concurrency.maxEnvironments} per function, ${concurrency.environmentsPerThread} to a worker thread ` +
      '(--thread-per-environment for one each)';
// The default data folders are one for each engine (a folder given is refused to the other).
const ownDataNote =
  stack.dataDir !== undefined && args['data-dir'] === undefined ? '; each engine keeps its own data' : '';
process.stdout.write(
  [
    '',
    `DynamoDB engine: ${stack.engine}${dynamoDbEndpoint ? '' : ` at ${stack.dynamoDbEndpoint}`}`,
    ...(stack.engineFallback
      ? [`                 (not DynamoDB Local: ${stack.engineFallback}${ownDataNote})`]
      : []),
    ...(dynamoDbEndpoint ? [] : [`Data:            ${stack.dataDir ?? 'in memory (--in-memory)'}`]),
    ...(stack.dataDir !== undefined && readableByOthers(stack.dataDir)
      ? [`                 (other users of this machine can read it: chmod 700 ${stack.dataDir})`]
      : []),
    // A table created in a data folder that had one would say why the messages are gone.
    `Table:           ${stack.tableName}${stack.tableCreated && stack.dataDir !== undefined ? ' (new: the engine held no such table)' : ''}`,
    // An empty board after the engine changed: the messages are in the other engine's folder.
    // When Java is gone (`auto` fell back), asking for DynamoDB Local would only fail.
    ...(stack.tableCreated && stack.otherEnginesData !== undefined
      ? [
          `                 (${stack.otherEnginesData.engine}'s data, from earlier starts, is in ` +
            `${stack.otherEnginesData.dataDir}: ` +
            (stack.engineFallback === undefined
              ? `--engine ${stack.otherEnginesData.kind} serves it)`
              : `${stack.otherEnginesData.engine} serves it once Java ${MIN_JAVA_MAJOR}+ is on PATH)`),
        ]
      : []),
    `Environments:    ${environments}`,
    // Said when set, as a browser's refused preflight names no cause of its own.
    ...(corsOrigins.includes('*') ? [] : [`CORS origins:    ${corsOrigins.join(', ')} (${corsSource})`]),
    `${bold('Whiteboard API ready at')} ${bold(url)}`,
    ...(loopback
      ? []
      : [
          `Warning: listening on ${args.host}, so anyone who can reach this machine can read and post`,
          `(the API has no authentication). Leave out --host to listen on ${HOST} only.`,
        ]),
    '',
    'Try it:',
    `  curl -d '{"author":"name", "text":"Message text"}' -H "Content-Type: application/json" -X POST ${url}/messages`,
    `  curl ${url}/messages`,
    `  npx whiteboard post --author ann --text "hello" --url ${url}`,
    `  npx whiteboard read --url ${url}`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);

// Without its engine the API can only answer 500: say so and stop, rather than serve errors.
void stack.engineEnded.then((what) => {
  if (stopping()) return;
  process.stderr.write(`\n${stack.engine} stopped unexpectedly (${what})\n`);
  shutdown('the DynamoDB engine ended', 1);
});
