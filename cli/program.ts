/**
 * The `whiteboard` command line: `createProgram(deps)` builds a fresh commander program that writes
 * only through `deps`, so tests run it in-process; `runCli` turns any outcome into one stderr line
 * and an exit code. Command bodies are imported when they run, so `--help` and usage errors never
 * load the HTTP stack.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Dispatcher } from 'undici';
import { isLoopbackHost, unbracketed } from '../backend/local/engine/ports.ts';
import { sourceMappedStack } from '../backend/source-mapped-stack.ts';
import { BOARD_PATTERN, BOARD_RULE, CURSOR_PATTERN, createApi, DEFAULT_BOARD, limits } from './api.ts';
import { readCommandLine } from './command-line.ts';
import { DEFAULT_API_URL, OUTPUTS_FILE, type ResolvedUrl, resolveApiUrl } from './config.ts';
import { ApiError, CliError, interruptedExitCode, triedTimes } from './errors.ts';
import { createHttpClient, type HttpClient, type Sleep } from './http-client.ts';
import {
  colorLevel,
  loadStyles,
  type OutputStream,
  type Styles,
  sanitizeInline,
  sanitizeText,
  terminalWidth,
} from './output.ts';
import { proxyFor } from './proxy.ts';

/** Everything the CLI takes from the outside world; cli/main.ts wires it to `process`. */
export interface CliDeps {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a file relative to the working directory; undefined when it does not exist. */
  readonly readTextFile: (path: string) => string | undefined;
  /** Reads standard input to its end, or until a little past `maxBytes`. */
  readonly readStdin: (maxBytes: number) => Promise<string>;
  readonly stdinIsTTY: boolean;
  readonly now: () => number;
  /** Resolves after `ms`, or early once `signal` aborts. */
  readonly sleep: Sleep;
  readonly random: () => number;
  readonly newIdempotencyKey: () => string;
  /** Aborted by Ctrl-C. */
  readonly signal?: AbortSignal | undefined;
  /** Tests pass an undici MockAgent; otherwise the HTTP client makes its own Agent. */
  readonly dispatcher?: Dispatcher | undefined;
  readonly version: string;
  /**
   * What the command has done, for cli/main.ts's error line if standard output then turns out not
   * to be writable: writes fail after `write` returns, once the command may have finished.
   */
  readonly setDone?: ((done: string) => void) | undefined;
}

/** Options every command that talks to the API takes. */
export interface ConnectionOptions {
  readonly url?: string | undefined;
  readonly timeout: number;
  readonly retries: number;
  readonly color: boolean;
  readonly verbose?: boolean | undefined;
}

/** What a command body gets: an API client pointed at the right URL, and output helpers. */
export interface CommandContext {
  readonly deps: CliDeps;
  readonly api: ReturnType<typeof createApi>;
  readonly client: HttpClient;
  readonly baseUrl: string;
  /**
   * ` --url <url>` where the URL came from --url, to repeat in a command the CLI suggests (which
   * would otherwise go where WHITEBOARD_URL, cdk-outputs.json or the default points); '' otherwise.
   */
  readonly urlOption: string;
  /** How the user runs the CLI, to begin a command it suggests: see `invokedAs`. */
  readonly self: string;
  /** See `ResolvedUrl.wrongApiHint`. */
  readonly wrongApiHint: string;
  readonly styles: Styles;
  readonly errStyles: Styles;
  /** The terminal's width now: it may change while --follow runs. */
  readonly width: () => number;
  readonly out: (text: string) => void;
  readonly log: (line: string) => void;
  /**
   * Holds back (true) or lets through (false) the client's notes on stderr, such as a long wait
   * before a retry: --follow says once that it keeps trying, and its polls would repeat them.
   */
  readonly holdNotes: (held: boolean) => void;
}

/**
 * The CLI as the user ran it, to begin a command it suggests: `npx whiteboard` when npx (or `npm
 * exec`) ran it, which is how the README's quick start runs it from a clone where `whiteboard` is
 * on no PATH, so that a suggested command pasted as printed runs; `whiteboard` otherwise. npm sets
 * `npm_command=exec` for everything below an npx, a shell it opened too (`npx -c sh`), and names
 * what it ran in `npm_lifecycle_script`: `'whiteboard'` for `npx whiteboard read`, `sh` there.
 */
export const invokedAs = (env: NodeJS.ProcessEnv): string =>
  env.npm_command === 'exec' && /^'?whiteboard'?(\s|$)/.test(env.npm_lifecycle_script ?? '')
    ? 'npx whiteboard'
    : 'whiteboard';

/**
 * `whiteboard read` for `board`, with `options` (" --limit 20") and the --url this run was given,
 * as the CLI suggests it in a note or a hint.
 */
export const suggestedRead = (
  context: Pick<CommandContext, 'urlOption' | 'self'>,
  board: string,
  options = '',
): string =>
  `${context.self} read${board === DEFAULT_BOARD ? '' : ` --board ${board}`}${options}${context.urlOption}`;

const parseBoard = (value: string): string => {
  if (!BOARD_PATTERN.test(value)) {
    throw new InvalidArgumentError(`${BOARD_RULE}.`);
  }
  return value;
};

const parseCursor = (value: string): string => {
  if (!CURSOR_PATTERN.test(value)) {
    throw new InvalidArgumentError('expected the nextCursor of an earlier read, unchanged.');
  }
  return value;
};

const wholeNumber =
  (min: number, max: number) =>
  (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return Number(value);
  };

const parseSeconds = (value: string): number => {
  const seconds = Number(value);
  // Timeouts are whole milliseconds: a value that rounds to 0 ms would fail every request.
  if (!/^\d+(\.\d+)?$/.test(value) || seconds < 0.001 || seconds > 3600) {
    throw new InvalidArgumentError('expected a number of seconds from 0.001 to 3600, e.g. 2.5.');
  }
  return seconds;
};

const URL_HELP = `
Where it points (first that is set):
  --url <url>            e.g. --url https://abc123.execute-api.eu-west-1.amazonaws.com
  WHITEBOARD_URL         environment variable
  ${OUTPUTS_FILE.padEnd(22)} ApiUrl written by \`npm run deploy\` (in the current directory)
  ${DEFAULT_API_URL.padEnd(22)} the local stack (\`npm start\`)
Through HTTPS_PROXY / HTTP_PROXY when set (not for NO_PROXY hosts, nor the local stack).`;

const addConnectionOptions = (command: Command): Command =>
  command
    .option('--url <url>', 'API base URL (see "Where it points" below)')
    .addOption(
      new Option('--timeout <seconds>', 'connect timeout, and again the time allowed for an answer')
        .argParser(parseSeconds)
        .default(10),
    )
    .addOption(
      new Option(
        '--retries <n>',
        'retries after a failed attempt (a post only when it cannot have been stored)',
      )
        .argParser(wholeNumber(0, 10))
        .default(2),
    )
    .option('--no-color', 'plain output (also: NO_COLOR=1, or when output is not a terminal)')
    .option('--verbose', 'say which URL is used, log each request, show stack traces')
    .addHelpText('after', URL_HELP);

/**
 * For a URL on this machine, whatever its source (the stack's banner prints `--url` with its
 * port): the local stack may not be running, and the command that starts it there. It serves
 * plain HTTP only, on 127.0.0.1:3000 unless told `--port` and `--host`.
 */
const localStackHint = (url: string, byDefault = false): string | undefined => {
  const { protocol, hostname, port } = new URL(url);
  const host = unbracketed(hostname);
  if (protocol !== 'http:' || !isLoopbackHost(host)) return undefined;
  const stack = new URL(DEFAULT_API_URL);
  const options = [
    ...(port === stack.port ? [] : ['--port', port || '80']),
    // The stack on 127.0.0.1 answers localhost too (Node tries each of its addresses in turn).
    ...(host === stack.hostname || host === 'localhost' ? [] : ['--host', host]),
  ];
  const start = `npm start${options.length > 0 ? ` -- ${options.join(' ')}` : ''}`;
  // Nothing pointed it anywhere: maybe a deployed API was meant, from another directory.
  const elsewhere = byDefault ? `; a deployed API: --url, WHITEBOARD_URL or ${OUTPUTS_FILE} here` : '';
  return `is the local stack running? (${start}${elsewhere})`;
};

/**
 * What an error for a host not found or refusing adds: where the URL came from when no option or
 * variable named it. A cdk-outputs.json left in the folder from a stack since destroyed (`npm run
 * destroy` leaves it) is read without a word.
 */
const goneHint = (resolved: ResolvedUrl): string | undefined =>
  resolved.source === 'outputs'
    ? `the URL is the ${resolved.origin} (a stack since destroyed? delete the file, or give --url)`
    : undefined;

/** Builds the API client and output helpers for one command run from its options. */
export const createContext = async (
  deps: CliDeps,
  options: ConnectionOptions,
  json: boolean,
  self: string,
): Promise<CommandContext> => {
  const errStyles = await loadStyles(
    colorLevel({ stream: deps.stderr, env: deps.env, wanted: options.color }),
  );
  const log = (line: string): void => {
    if (options.verbose === true) deps.stderr.write(`${errStyles.dim(sanitizeInline(line, 2000))}\n`);
  };
  const resolved = resolveApiUrl({ flag: options.url, env: deps.env, readTextFile: deps.readTextFile });
  const proxy = proxyFor(new URL(resolved.url), deps.env);
  log(
    `using ${resolved.url} (${resolved.origin})${proxy === undefined ? '' : ` through the proxy ${proxy.origin} (${proxy.variable})`}`,
  );
  // Through a proxy, an answer that is not the API's may be the proxy's own.
  const wrongApiHint =
    proxy === undefined
      ? resolved.wrongApiHint
      : `${resolved.wrongApiHint}; or is it the proxy ${proxy.origin} (${proxy.variable}) answering?`;
  let notesHeld = false;
  const client = createHttpClient({
    baseUrl: resolved.url,
    timeoutMs: Math.round(options.timeout * 1000),
    retries: options.retries,
    userAgent: `whiteboard-cli/${deps.version}`,
    dispatcher: deps.dispatcher,
    sleep: deps.sleep,
    random: deps.random,
    now: deps.now,
    newIdempotencyKey: deps.newIdempotencyKey,
    signal: deps.signal,
    log,
    note: (line) => {
      if (!notesHeld) deps.stderr.write(`${errStyles.dim(sanitizeInline(line, 2000))}\n`);
    },
    unreachableHint: localStackHint(resolved.url, resolved.source === 'default'),
    goneHint: goneHint(resolved),
    wrongApiHint,
    proxy,
  });
  return {
    deps,
    api: createApi(client, { baseUrl: resolved.url, wrongApiHint }),
    client,
    baseUrl: resolved.url,
    urlOption: resolved.source === 'flag' ? ` --url ${resolved.url}` : '',
    self,
    wrongApiHint,
    styles: await loadStyles(
      colorLevel({ stream: deps.stdout, env: deps.env, wanted: options.color && !json }),
    ),
    errStyles,
    width: () => terminalWidth(deps.stdout, deps.env),
    out: (text) => deps.stdout.write(text),
    log,
    holdNotes: (held) => {
      notesHeld = held;
    },
  };
};

/** The red of chalk's `red`, written by hand: usage errors come before chalk is loaded. */
const RED_ERROR = '\u001b[31merror:\u001b[39m';

/**
 * A usage error as one line, its `error:` red where standard error shows colour. `colorWanted`:
 * false when the command line asks for --no-color.
 */
const usageErrorLine = (deps: CliDeps, colorWanted: boolean, text: string): string => {
  // Commander puts its suggestion ("Did you mean --limit?") on a second line: keep errors to one.
  // The words quoted from the command line are made safe as any other output.
  const line = sanitizeInline(text.trimEnd(), 2000);
  const red = colorLevel({ stream: deps.stderr, env: deps.env, wanted: colorWanted }) > 0;
  return red && line.startsWith('error:') ? `${RED_ERROR}${line.slice('error:'.length)}` : line;
};

/**
 * `colorWanted`: false when the command line asks for --no-color. Commander reports a usage error
 * before it has read every option, so runCli looks at the command line for it. `self`: how the user
 * runs the CLI (`invokedAs`), for the commands it suggests.
 */
export const createProgram = (
  deps: CliDeps,
  { colorWanted = true, self = invokedAs(deps.env) } = {},
): Command => {
  const program = new Command('whiteboard');
  /** How `command` prints commander's usage errors. */
  const errorsOf =
    (command: Command) =>
    (text: string, write: (line: string) => void): void =>
      write(`${usageErrorLine(deps, colorWanted, pointedError(text, command, self))}\n`);
  // Set before adding commands: subcommands copy these settings when created.
  program
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.stdout.write(text),
      writeErr: (text) => deps.stderr.write(text),
      getOutHelpWidth: () => terminalWidth(deps.stdout, deps.env),
      getErrHelpWidth: () => terminalWidth(deps.stderr, deps.env),
      getOutHasColors: () => false,
      getErrHasColors: () => false,
      outputError: errorsOf(program),
    })
    .description('Post to and read from a whiteboard: a shared board of short messages.')
    .version(deps.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Examples:
  $ whiteboard post --author ann --text "hello"
  $ whiteboard read
  $ whiteboard read --board team --follow
  $ whiteboard post --help

Run "whiteboard <command> --help" for a command's options. The connection options (--url,
--timeout, --retries, --no-color, --verbose) may come before the command too.`,
    );

  addConnectionOptions(
    program
      .command('post')
      .description('Post a message and print what was stored (id, time).')
      .requiredOption('--author <name>', `who is posting (1-${limits.authorMaxChars} characters)`)
      .requiredOption(
        '--text <text>',
        `the message (1-${limits.textMaxChars} characters); "-" reads it from standard input`,
      )
      .addOption(
        new Option('--board <board>', 'board to post to').argParser(parseBoard).default(DEFAULT_BOARD),
      )
      .option('--json', 'print the stored message as JSON'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ whiteboard post --author ann --text "hello"
  $ whiteboard post --author ann --board team --text "stand-up at 10"
  $ echo "from a pipe" | whiteboard post --author ci --text -
  $ whiteboard post --author ann --text "hi" --url https://abc123.execute-api.eu-west-1.amazonaws.com`,
    )
    .action(async (options: PostOptions) => {
      const { runPost } = await import('./commands/post.ts');
      await runPost(await createContext(deps, options, options.json === true, self), options);
    });

  addConnectionOptions(
    program
      .command('read')
      .description('Print the newest messages of a board, newest first.')
      .addOption(new Option('--board <board>', 'board to read').argParser(parseBoard).default(DEFAULT_BOARD))
      .addOption(
        new Option(
          '--limit <n>',
          `how many messages, 1-${limits.pageMax} (API default: ${limits.pageDefault})`,
        ).argParser(wholeNumber(1, limits.pageMax)),
      )
      .addOption(
        new Option('--cursor <cursor>', 'read the page after an earlier one: its nextCursor, as printed')
          .argParser(parseCursor)
          .conflicts('follow'),
      )
      .option('--json', "print the API's JSON, uncoloured (with --follow: one message per line)")
      .option('--follow', 'keep printing new messages as they are posted, until Ctrl-C'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ whiteboard read
  $ whiteboard read --board team --limit 20
  $ whiteboard read --cursor <cursor> # the older page: read prints this command when there is one
  $ whiteboard read --json | jq '.messages[].text'
  $ whiteboard read --follow          # oldest first, new messages appear at the bottom`,
    )
    .action(async (options: ReadOptions) => {
      const { runRead } = await import('./commands/read.ts');
      await runRead(await createContext(deps, options, options.json === true, self), options);
    });

  // Each command reports its own errors, so that a pointer names its help.
  for (const command of program.commands) command.configureOutput({ outputError: errorsOf(command) });
  return program;
};

/**
 * Commander's error for `command`, with where to look when it has no suggestion of its own (a near
 * miss gets "Did you mean read?"): the commands, or the help that lists the options.
 */
const pointedError = (text: string, command: Command, self: string): string => {
  const line = text.trimEnd();
  // -v is --verbose in some tools, the version in others: here it is neither.
  if (line === "error: unknown option '-v'") {
    return `${line} (the version: -V or --version; more detail: --verbose)`;
  }
  if (/^error: unknown command '.*'$/s.test(line)) {
    return `${line} (the commands: ${command.commands.map((sub) => sub.name()).join(', ')})`;
  }
  if (/^error: unknown option '.*'$/s.test(line)) {
    const help = command.parent === null ? `${self} --help` : `${self} ${command.name()} --help`;
    return `${line} (${help} lists the options)`;
  }
  return text;
};

export interface PostOptions extends ConnectionOptions {
  readonly author: string;
  readonly text: string;
  readonly board: string;
  readonly json?: boolean | undefined;
}

export interface ReadOptions extends ConnectionOptions {
  readonly board: string;
  readonly limit?: number | undefined;
  /** Where the page starts: the nextCursor of an earlier page. */
  readonly cursor?: string | undefined;
  readonly json?: boolean | undefined;
  readonly follow?: boolean | undefined;
}

/**
 * Exit codes: 0 success, 1 API or network failure, 2 usage error, 130 interrupted (Ctrl-C), 143
 * stopped by SIGTERM (the reason `deps.signal` was aborted with).
 */
export const runCli = async (given: readonly string[], deps: CliDeps): Promise<number> => {
  const colorWanted = !given.includes('--no-color');
  const self = invokedAs(deps.env);
  const program = createProgram(deps, { colorWanted, self });
  const usageError = (text: string): number => {
    deps.stderr.write(`${usageErrorLine(deps, colorWanted, `error: ${text}`)}\n`);
    return 2;
  };
  const line = readCommandLine(program, given, self);
  if ('error' in line) return usageError(line.error);
  // Commander takes the exit code of `whiteboard help` from process.exitCode: whatever the process
  // set before (a test runner after a failed test) must not make this run's help an error.
  const exitCodeBefore = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync([...line.words], { from: 'user' });
    return 0;
  } catch (error) {
    // Commander has already printed its own one-line message (or the help, or the version).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (deps.signal?.aborted) {
      // Silent, as Ctrl-C is the user's own doing, but for what may already have happened.
      if (error instanceof CliError && error.note !== undefined) {
        deps.stderr.write(`note: ${sanitizeInline(error.note, 1000)}\n`);
      }
      return interruptedExitCode(deps.signal.reason);
    }
    // The options as parsed (a command failed after parsing), not a scan of argv: in
    // `--text=--verbose` the text is "--verbose".
    const parsed = program.commands.map((command) => command.opts<{ verbose?: boolean; color?: boolean }>());
    const message = error instanceof CliError ? describeError(error) : `unexpected failure: ${String(error)}`;
    const verbose = parsed.some((options) => options.verbose === true);
    const errStyles = await loadStyles(
      colorLevel({
        stream: deps.stderr,
        env: deps.env,
        wanted: !parsed.some((options) => options.color === false),
      }),
    );
    deps.stderr.write(`${errStyles.error('error:')} ${sanitizeInline(message, 1000)}\n`);
    if (error instanceof CliError && error.note !== undefined) {
      deps.stderr.write(`${errStyles.warning('note:')} ${sanitizeInline(error.note, 1000)}\n`);
    }
    if (verbose && error instanceof Error && typeof error.stack === 'string') {
      // Mapped to the TypeScript sources: the bundle is minified (its map is read only now).
      deps.stderr.write(`${errStyles.dim(printableStack(sourceMappedStack(error.stack), error.message))}\n`);
    }
    return error instanceof CliError ? error.exitCode : 1;
  } finally {
    // Only what this run cleared: a code set meanwhile (another test failing) stays.
    process.exitCode ??= exitCodeBefore;
  }
};

/**
 * A stack trace for the terminal. Its head (`Name: message`) may quote the server, line breaks and
 * all, and is put on one line, so that a server cannot start a line of its own that looks like the
 * CLI's `error:` or `note:`; the frames below it keep their lines. The head is found by the
 * message it holds, not by where the first frame seems to start: the message may hold "\n    at "
 * itself. Where the message is not found as it is, all of it goes on one line.
 */
const printableStack = (stack: string, message: string): string => {
  if (message === '') {
    const firstLine = stack.indexOf('\n');
    return firstLine === -1
      ? sanitizeInline(stack, 1000)
      : `${sanitizeInline(stack.slice(0, firstLine), 1000)}${sanitizeText(stack.slice(firstLine))}`;
  }
  const at = stack.indexOf(message);
  if (at === -1) return sanitizeInline(stack, 4000);
  const headEnd = at + message.length;
  return `${sanitizeInline(stack.slice(0, headEnd), 1000)}${sanitizeText(stack.slice(headEnd))}`;
};

/** A request path under a base URL that already ended in /messages (or /boards/<b>/messages). */
const PASTED_MESSAGES_PATH = /\/messages\/(?:boards\/[^/?#]+\/)?messages(?:[?#]|$)/;
/** The same with a board's path pasted: /boards/<board>/messages, the board in group 1. */
const PASTED_BOARD_PATH = /\/boards\/([A-Za-z0-9_-]+)\/messages\/(?:boards\/[^/?#]+\/)?messages(?:[?#]|$)/;

/**
 * The answers without a `code` that the whiteboard API gives: API Gateway's own (payload too large,
 * throttled, the function failed or timed out), whose body is `{"message": ...}`. Any other answer
 * without one (a redirect, 401, 403, 405, API Gateway's 404 for a route it does not have, a proxy's
 * HTML error page) comes from something else than this API.
 */
const GATEWAY_OWN_ANSWERS = new Set([413, 429, 500, 502, 503, 504]);

const describeError = (error: CliError): string => {
  if (!(error instanceof ApiError)) return error.message;
  const tried = triedTimes(error.attempts);
  if (error.code !== undefined || (GATEWAY_OWN_ANSWERS.has(error.status) && error.apiShaped)) {
    // A failure on the server's side names where: which deployment, for whoever reads the report.
    const where = error.status >= 500 ? ` from ${error.url}` : '';
    return `${error.message}${where}${tried}`;
  }
  const redirect = error.location === undefined ? '' : `, which redirects to ${error.location}`;
  // The URL of the README's curl examples, pasted whole: whiteboard adds the path itself.
  const pastedBoard = PASTED_BOARD_PATH.exec(error.url)?.[1];
  const pasted =
    pastedBoard !== undefined
      ? ` (the URL ends in /boards/${pastedBoard}/messages, which whiteboard adds itself: leave that out and give --board ${pastedBoard})`
      : PASTED_MESSAGES_PATH.test(error.url)
        ? ' (the URL ends in /messages, which whiteboard adds itself: leave it out)'
        : '';
  return `${error.message} from ${error.url}${redirect}; ${error.wrongApiHint ?? 'is the URL the whiteboard API?'}${pasted}${tried}`;
};
