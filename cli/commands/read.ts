import { MAX_LIMIT, type Message } from '../api.ts';
import { ApiError, type CliError, NetworkError } from '../errors.ts';
import { formatMessage, safeJson, sanitizeInline } from '../output.ts';
import type { CommandContext, ReadOptions } from '../program.ts';

/**
 * --follow polls with `?since=<newest id>`: 1 s after something new, doubling while the board is
 * quiet, up to 16 s. A person sees a reply within a second during a conversation, and an idle
 * terminal costs a request every 16 s rather than every second.
 */
export interface FollowTiming {
  readonly minMs: number;
  readonly maxMs: number;
}

export const DEFAULT_FOLLOW_TIMING: FollowTiming = { minMs: 1000, maxMs: 16_000 };

/** Pages fetched per poll when more than a page arrived between two polls. */
const MAX_PAGES_PER_POLL = 10;

export const runRead = async (
  context: CommandContext,
  options: ReadOptions,
  timing: FollowTiming = DEFAULT_FOLLOW_TIMING,
): Promise<void> => {
  try {
    const { raw, page } = await context.api.read(options.board, { limit: options.limit });
    if (!options.follow) {
      if (options.json) context.out(`${safeJson(raw, 2)}\n`);
      else printPage(context, options, page.messages, page.nextCursor !== null);
      return;
    }
    // Oldest first, like `tail -f`: new messages then appear at the bottom, where the eye is.
    const initial = [...page.messages].reverse();
    if (!options.json) {
      context.deps.stderr.write(
        context.errStyles.dim(`Following board ${options.board} at ${context.baseUrl}; Ctrl-C to stop.\n`),
      );
    }
    printStream(context, options, initial);
    await follow(context, options, initial.at(-1)?.id, timing);
  } finally {
    await context.client.close();
  }
};

const printPage = (
  { out, styles, width, deps }: CommandContext,
  options: ReadOptions,
  messages: readonly Message[],
  more: boolean,
): void => {
  if (messages.length === 0) {
    out(`${styles.dim(`No messages on board ${sanitizeInline(options.board, 64)} yet.`)}\n`);
    return;
  }
  const now = deps.now();
  out(messages.map((message) => formatMessage(message, styles, width, now)).join('\n'));
  if (more && (options.limit ?? 0) < MAX_LIMIT) {
    out(
      `\n${styles.dim(`Showing the ${messages.length} newest. More with --limit <n> (up to ${MAX_LIMIT}).`)}\n`,
    );
  }
};

/** Messages in the order given: JSON Lines for --json, else the human form with a blank line between. */
const printStream = (
  { out, styles, width, deps }: CommandContext,
  options: ReadOptions,
  messages: readonly Message[],
) => {
  const now = deps.now();
  for (const message of messages) {
    out(options.json ? `${safeJson(message)}\n` : `${formatMessage(message, styles, width, now)}\n`);
  }
};

/**
 * Everything newer than `since`, oldest first. `since` returns the newest messages after it, so
 * when a full page comes back the older rest is fetched with the cursor.
 */
const fetchNewer = async (
  context: CommandContext,
  board: string,
  since: string | undefined,
): Promise<Message[]> => {
  const found: Message[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
    const result = await context.api.read(board, { limit: MAX_LIMIT, since, cursor });
    found.push(...result.page.messages);
    // With no `since` (the board was empty), the newest page is all there is to show.
    if (result.page.nextCursor === null || since === undefined) break;
    cursor = result.page.nextCursor;
  }
  // Ids are ULIDs: their string order is their time order. Keyed by id, an overlap between pages
  // cannot print a message twice.
  const byId = new Map(
    found.filter((message) => since === undefined || message.id > since).map((m) => [m.id, m]),
  );
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
};

/** Failures worth waiting out while following: the network, throttling, a server having a bad moment. */
const isTransient = (error: unknown): error is CliError =>
  error instanceof NetworkError ||
  (error instanceof ApiError && (error.status === 429 || error.status >= 500));

const follow = async (
  context: CommandContext,
  options: ReadOptions,
  newestId: string | undefined,
  timing: FollowTiming,
): Promise<void> => {
  const { deps, errStyles } = context;
  // A function, not a narrowed property read: the signal flips while we await.
  const stopped = (): boolean => deps.signal?.aborted === true;
  let since = newestId;
  let interval = timing.minMs;
  let failing = false;
  while (!stopped()) {
    await deps.sleep(interval, deps.signal);
    if (stopped()) return;
    let fresh: Message[];
    try {
      fresh = await fetchNewer(context, options.board, since);
    } catch (error) {
      if (stopped()) return;
      if (!isTransient(error)) throw error;
      if (!failing) {
        deps.stderr.write(
          `${errStyles.warning('warning:')} ${sanitizeInline(error.message)}; still trying\n`,
        );
        failing = true;
      }
      interval = timing.maxMs;
      continue;
    }
    if (failing) {
      deps.stderr.write(`${errStyles.dim('reconnected')}\n`);
      failing = false;
    }
    if (fresh.length === 0) {
      interval = Math.min(timing.maxMs, interval * 2);
      continue;
    }
    printStream(context, options, fresh);
    since = fresh.at(-1)?.id;
    interval = timing.minMs;
  }
};
