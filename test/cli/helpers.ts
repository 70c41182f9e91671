/**
 * Builders for CLI tests: deps whose streams record what was written, a fake sleep that records
 * the waits instead of waiting, and an undici MockAgent that refuses real network.
 */
import { MockAgent } from 'undici';
import type { CliDeps } from '../../cli/program.ts';

export const API = 'http://api.test';
export const NOW = Date.parse('2025-05-01T12:00:00.000Z');

export interface RecordingStream {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly columns?: number;
  readonly colorDepth?: number;
  /** Everything written so far. */
  readonly text: string;
}

export const recordingStream = (
  tty: { isTTY?: boolean; columns?: number; colorDepth?: number } = {},
): RecordingStream => {
  let text = '';
  return {
    write: (chunk) => {
      text += chunk;
    },
    isTTY: tty.isTTY ?? false,
    ...(tty.columns === undefined ? {} : { columns: tty.columns }),
    ...(tty.colorDepth === undefined ? {} : { colorDepth: tty.colorDepth }),
    get text() {
      return text;
    },
  };
};

export interface TestDeps extends CliDeps {
  readonly stdout: RecordingStream;
  readonly stderr: RecordingStream;
  readonly agent: MockAgent;
  /** Every wait asked of `sleep`, in ms. */
  readonly sleeps: number[];
  readonly controller: AbortController;
}

export interface TestDepsOptions {
  readonly stdout?: RecordingStream;
  readonly stderr?: RecordingStream;
  readonly env?: Record<string, string | undefined>;
  readonly files?: Record<string, string>;
  readonly stdin?: string;
  /** Whether standard input is a terminal (someone typing): false unless told. */
  readonly stdinIsTTY?: boolean;
  /** Called on each sleep with the number of sleeps so far (1-based); may abort the run. */
  readonly onSleep?: (count: number, controller: AbortController) => void;
  readonly idempotencyKeys?: readonly string[];
}

export const createTestDeps = (options: TestDepsOptions = {}): TestDeps => {
  const agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  const sleeps: number[] = [];
  const controller = new AbortController();
  let keys = 0;
  return {
    stdout: options.stdout ?? recordingStream(),
    stderr: options.stderr ?? recordingStream(),
    // The API URL comes from WHITEBOARD_URL unless a test is about URL resolution.
    env: options.env ?? { WHITEBOARD_URL: API },
    readTextFile: (path) => options.files?.[path],
    readStdin: async () => options.stdin ?? '',
    stdinIsTTY: options.stdinIsTTY ?? false,
    now: () => NOW,
    sleep: async (ms) => {
      sleeps.push(ms);
      options.onSleep?.(sleeps.length, controller);
    },
    random: () => 0,
    newIdempotencyKey: () => options.idempotencyKeys?.[keys++] ?? `key-${++keys}`,
    signal: controller.signal,
    dispatcher: agent,
    version: '9.9.9-test',
    agent,
    sleeps,
    controller,
  };
};

export interface TestMessage {
  id: string;
  board: string;
  author: string;
  text: string;
  createdAt: string;
}

/** A message as the API stores it; ids are ULID-shaped and sort in `n` order. */
export const message = (n: number, fields: Partial<TestMessage> = {}): TestMessage => ({
  id: `01JTEST0000000000000000${String(n).padStart(3, '0')}`,
  board: 'default',
  author: `author${n}`,
  text: `text number ${n}`,
  createdAt: new Date(NOW - 120_000).toISOString(),
  ...fields,
});

export const JSON_HEADERS = { headers: { 'content-type': 'application/json' } };

/** Paths (with query) the mock API was asked for, in order. */
export const requestedPaths = (agent: MockAgent): string[] =>
  (agent.getCallHistory()?.calls() ?? []).map((call) => {
    const query = new URLSearchParams(call.searchParams).toString();
    return `${call.method} ${call.path}${query === '' ? '' : `?${query}`}`;
  });

/**
 * Characters in `text` that a terminal could act on: C0 controls other than line feed, DEL, C1
 * controls (U+009B is CSI) and bidirectional controls. Empty when the text is safe to print.
 */
export const terminalActive = (text: string): string[] =>
  [...text].filter((char) => {
    const code = char.codePointAt(0) ?? 0;
    return (
      (code < 0x20 && code !== 0x0a) ||
      (code >= 0x7f && code <= 0x9f) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069)
    );
  });

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ESC is the point
const SGR = /\u001b\[[0-9;]*m/gu;

/** `text` without the colour sequences our own styles add (Select Graphic Rendition only). */
export const withoutColors = (text: string): string => text.replace(SGR, '');
