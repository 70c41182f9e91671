/**
 * Entry point of the CLI bundle (dist/cli/main.cjs, loaded by the bin dist/cli/whiteboard.cjs,
 * which is built from cli/launcher.ts; see scripts/build.mjs). It wires the process's argv,
 * environment, streams, signals and clock into `runCli` (program.ts) as `CliDeps`, and turns the
 * result into the exit code, so that the commands can be run and tested without a process. The
 * other uses of `process` are where a library or Node leaves no choice: commander's exit code
 * (`runCli`), Node's own HTTP parser (node-http-parser.ts), a stack trace's source map
 * (backend/source-mapped-stack.ts).
 */
import { readFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import packageJson from '../package.json' with { type: 'json' };
import { interruptedExitCode, outputFailure, StoppedBySignal, UsageError } from './errors.ts';
import type { OutputStream } from './output.ts';
import { runCli } from './program.ts';

// The streams written to, which `leave` waits for.
const written = new Set<NodeJS.WriteStream>();
const write = (stream: NodeJS.WriteStream, text: string) => {
  written.add(stream);
  stream.write(text);
};

// Ends the process once what was written is out, with process.exit rather than letting Node.js
// dispose of the V8 heap and the environment first: about 2 ms of every run
// (docs/performance-history.md). A write's callback runs once what was written before it is out,
// where a pipe is asynchronous (macOS).
const leave = async (code: number | string): Promise<never> => {
  await Promise.all(
    [...written].map((stream) => new Promise<unknown>((resolve) => stream.write('', resolve))),
  );
  process.exit(code);
};

// First Ctrl-C: stop gracefully (--follow ends with exit 0, a request in flight is abandoned,
// with a note when it was a post). A second one: leave now. SIGTERM, as `timeout`, CI runners and
// `docker stop` send it, counts the same, but for the exit code it gives: 143 where Ctrl-C gives
// 130 (errors.ts, interruptedExitCode).
const interrupt = new AbortController();
const onInterrupt = (signal: NodeJS.Signals) => {
  if (interrupt.signal.aborted) process.exit(interruptedExitCode(new StoppedBySignal(signal)));
  // The terminal has echoed ^C; a shell starts its prompt on a new line only after a program that
  // a signal killed, and this one ends on its own.
  if (signal === 'SIGINT' && isatty(2)) write(process.stderr, '\n');
  interrupt.abort(new StoppedBySignal(signal));
};
process.on('SIGINT', onInterrupt);
process.on('SIGTERM', onInterrupt);

// NO_COLOR counts only when it is not empty (https://no-color.org); Node's getColorDepth counts it
// whenever it is set, so an empty one is left out of what it reads.
const colorEnv: NodeJS.ProcessEnv =
  process.env.NO_COLOR === '' ? { ...process.env, NO_COLOR: undefined } : process.env;

// process.stdout and process.stderr are made on first use, and making one costs start-up time (a
// pipe or a terminal handle): stderr is only made when something is written to it.
const streamOf = (fd: 1 | 2, stream: () => NodeJS.WriteStream): OutputStream => {
  const isTTY = isatty(fd);
  return {
    write: (text) => write(stream(), text),
    isTTY,
    get columns() {
      return isTTY ? stream().columns : undefined;
    },
    get colorDepth() {
      return isTTY ? stream().getColorDepth(colorEnv) : 1;
    },
  };
};

const readStdin = async (maxBytes: number): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  // Ctrl-C while typing a message: stop reading, and do not post what was typed so far.
  const stop = () => process.stdin.destroy();
  interrupt.signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of process.stdin) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      chunks.push(buffer);
      size += buffer.length;
      // Enough to know it is too long; the command says so.
      if (size > maxBytes) break;
    }
  } finally {
    interrupt.signal.removeEventListener('abort', stop);
  }
  if (interrupt.signal.aborted) throw interrupt.signal.reason;
  const bytes = Buffer.concat(chunks);
  // Over the limit it was cut anywhere, perhaps inside a character: the command says it is too long.
  if (size > maxBytes) return bytes.toString('utf8');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Posted as it is, each byte that is not UTF-8 would become U+FFFD: the text would be changed.
    throw new UsageError(
      'standard input is not UTF-8 text; convert it first (for example with iconv -t UTF-8)',
    );
  }
};

const readTextFile = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

// What the command did before its output failed (see CliDeps.setDone), e.g. "posted <id>".
let done: string | undefined;

// `whiteboard read | head -1` closes the pipe early: that is the reader's choice, not an error.
// Any other failure to write the output (a full disk) is one line on stderr, as every error is.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  written.delete(process.stdout);
  if (error.code !== 'EPIPE') write(process.stderr, `error: ${outputFailure(done, error.message)}\n`);
  void leave(error.code === 'EPIPE' ? (process.exitCode ?? 0) : 1);
});

// No top-level await: the bundle is CommonJS, so the launcher can compile it with a code cache.
void runCli(process.argv.slice(2), {
  stdout: streamOf(1, () => process.stdout),
  stderr: streamOf(2, () => process.stderr),
  env: process.env,
  readTextFile,
  readStdin,
  // isatty(0) rather than process.stdin.isTTY: creating the stdin stream costs start-up time.
  stdinIsTTY: isatty(0),
  now: Date.now,
  sleep,
  random: Math.random,
  // The global Web Crypto object loads node:crypto on first use: only posts pay for it.
  newIdempotencyKey: () => crypto.randomUUID(),
  signal: interrupt.signal,
  version: packageJson.version,
  setDone: (what) => {
    done = what;
  },
}).then(leave);
