/**
 * Prints what the local stack and its functions log, readably: a Powertools JSON line becomes
 * `time function LEVEL message key=value...`, an EMF line a short `metrics` line. Lines are
 * batched and written at most every FLUSH_MS (sooner once BUFFER_LIMIT characters wait), never
 * per line: a write to a terminal or a pipe is a system call that also wakes its reader, and under
 * load one such write per request cost the stack more CPU than formatting the lines (measured:
 * npm run bench, load).
 */
import { Chalk, type ChalkInstance } from 'chalk';
// The CLI's rule for text that comes from elsewhere: no control character reaches the terminal.
import { colorLevel, inlineSafe, sanitizeText } from '../../cli/output.ts';
import type { GatewayRecord } from './gateway-server.ts';

export interface LogPrinterOptions {
  readonly write?: (text: string) => void;
  /** Default `stdoutInColor()` (chalk does not honour NO_COLOR by itself). */
  readonly color?: boolean;
  /** Print nothing (tests, benchmarks). */
  readonly quiet?: boolean;
  /** Also print the keys that are the same on every line (function name, cold start...). */
  readonly verbose?: boolean;
}

// Keys every Powertools line carries; shown only with --verbose.
const ROUTINE_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'function_name',
  'function_arn',
  'function_memory_size',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
  'correlation_id',
]);

const FLUSH_MS = 50;
const BUFFER_LIMIT = 64 * 1024;

/**
 * A value as `key=value` shows it. What a function logs can hold a request's text, and JSON leaves
 * some characters that a terminal acts on (C1 controls, bidi controls) as they are, so every value
 * goes through inlineSafe, as do the message and a line that is not JSON.
 */
const formatValue = (value: unknown): string =>
  inlineSafe(
    typeof value === 'string'
      ? /\s/.test(value)
        ? JSON.stringify(value)
        : value
      : // An EMF line without its metric's value has `undefined` here, which JSON.stringify returns as is.
        String(JSON.stringify(value)),
  );

/** Whether the stack's output is coloured: by the CLI's rules (on a terminal, NO_COLOR, FORCE_COLOR). */
export const stdoutInColor = (): boolean =>
  colorLevel({
    stream: { isTTY: process.stdout.isTTY === true, write: () => undefined },
    env: process.env,
    wanted: true,
  }) > 0;

export const createLogPrinter = (options: LogPrinterOptions = {}) => {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const color = options.color ?? stdoutInColor();
  const c: ChalkInstance = new Chalk({ level: color ? 1 : 0 });
  let buffer: string[] = [];
  let buffered = 0;
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0) return;
    const text = `${buffer.join('\n')}\n`;
    buffer = [];
    buffered = 0;
    write(text);
  };

  const print = (line: string) => {
    if (options.quiet) return;
    buffer.push(line);
    buffered += line.length + 1;
    if (buffered >= BUFFER_LIMIT) flush();
    else timer ??= setTimeout(flush, FLUSH_MS);
  };

  const time = () => c.dim(new Date().toISOString().slice(11, 23));
  const levelColor = (level: string) =>
    level === 'ERROR' || level === 'CRITICAL'
      ? c.red(level)
      : level === 'WARN'
        ? c.yellow(level)
        : c.green(level);

  const formatFunctionLine = (fn: string, line: string): string => {
    if (line.startsWith('{')) {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry._aws && typeof entry._aws === 'object') {
          const aws = entry._aws as { CloudWatchMetrics?: Array<{ Metrics?: Array<{ Name: string }> }> };
          const names = (aws.CloudWatchMetrics ?? []).flatMap((set) =>
            (set.Metrics ?? []).map((m) => m.Name),
          );
          return `${time()} ${c.cyan(fn)} ${c.magenta('metrics')} ${names.map((name) => `${inlineSafe(name)}=${formatValue(entry[name])}`).join(' ')}`;
        }
        const level = inlineSafe(String(entry.level ?? 'INFO'));
        const extras = Object.entries(entry)
          .filter(([key]) => options.verbose || !ROUTINE_KEYS.has(key))
          .map(([key, value]) => `${c.dim(`${inlineSafe(key)}=`)}${formatValue(value)}`);
        return `${time()} ${c.cyan(fn)} ${levelColor(level)} ${inlineSafe(String(entry.message ?? ''))} ${extras.join(' ')}`.trimEnd();
      } catch {
        // Not JSON after all: print it as it is.
      }
    }
    return `${time()} ${c.cyan(fn)} ${inlineSafe(line)}`;
  };

  return {
    functionLog: (fn: string, line: string) => print(formatFunctionLine(fn, line)),
    coldStart: (fn: string, initMs: number) =>
      print(`${time()} ${c.cyan(fn)} ${c.blue('cold start')} ${c.dim(`init ${initMs.toFixed(0)} ms`)}`),
    /** The gateway's line for a request it answered: `GET /messages 200 3.1 ms (why)`. */
    request: ({ method, url, status, durationMs, note }: GatewayRecord) =>
      print(
        `${time()} ${c.yellow('gateway')} ${method} ${url} ${status} ${durationMs.toFixed(1)} ms` +
          // A note can quote the function's error message, which can quote the request.
          (note === undefined ? '' : ` (${inlineSafe(note)})`),
      ),
    /** What the gateway says outside of an answer: a client gone, an internal error. */
    // Its own lines break where they say so (an internal error's stack): kept, all else made safe.
    gateway: (text: string) => print(`${time()} ${c.yellow('gateway')} ${sanitizeText(text)}`),
    /** Writes what is buffered now (before exit). */
    flush,
  };
};

export type LogPrinter = ReturnType<typeof createLogPrinter>;
