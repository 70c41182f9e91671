import { CURSOR_PATTERN, isMessageId, MAX_LIMIT, type Message } from '../api.ts';
import { ApiError, type CliError, NetworkError, ResponseError } from '../errors.ts';
import { formatMessage, safeJson, sanitizeInline } from '../output.ts';
import { type CommandContext, type ReadOptions, suggestedRead } from '../program.ts';

/**
 * --follow polls with `?since=` (see FOLLOW_LOOKBACK_MS): 1 s after something new, doubling while
 * the board is quiet, up to 16 s. A person sees a reply within a second during a conversation, and
 * an idle terminal costs a request every 16 s rather than every second.
 */
export interface FollowTiming {
  readonly minMs: number;
  readonly maxMs: number;
}

export const DEFAULT_FOLLOW_TIMING: FollowTiming = { minMs: 1000, maxMs: 16_000 };

/**
 * How far behind the newest message it printed --follow keeps asking. A message's id (a ULID, time
 * first) is made before the message is stored, so a message can appear after a newer one: as late
 * as the post function's timeout (5 s, backend/http/routes.ts) after its id was made, and later
 * still to an eventually consistent read, which "may not reflect the results of a recently
 * completed write operation" until "after a short time" (DynamoDB Developer Guide, "DynamoDB read
 * consistency"). Polls ask for everything newer than this window and print what they have not.
 */
export const FOLLOW_LOOKBACK_MS = 10_000;

/**
 * The most pages (of 100) one poll reads back through. More than that arriving between two polls
 * (1-16 s apart) is more than a person can read as it scrolls by; the newest are printed, with a
 * note that older ones were left out. Without a bound, an API (or something posing as one) that
 * kept answering with another cursor would fill memory without printing anything.
 */
export const FOLLOW_MAX_PAGES = 20;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The smallest ULID whose time is `ms` before the time of `id` (its first 10 characters, base 32,
 * milliseconds: https://github.com/ulid/spec); `id` itself if it is not a ULID. Not the `ulid`
 * package's decodeTime/encodeTime: importing it loads node:crypto when the CLI starts.
 */
const ulidBefore = (id: string, ms: number): string => {
  if (!isMessageId(id)) return id;
  let time = 0;
  for (const char of id.slice(0, 10)) time = time * 32 + CROCKFORD.indexOf(char);
  let rest = Math.max(0, time - ms);
  let encoded = '';
  for (let i = 0; i < 10; i++) {
    encoded = `${CROCKFORD[rest % 32]}${encoded}`;
    rest = Math.floor(rest / 32);
  }
  return `${encoded}${'0'.repeat(16)}`;
};

export const runRead = async (
  context: CommandContext,
  options: ReadOptions,
  timing: FollowTiming = DEFAULT_FOLLOW_TIMING,
): Promise<void> => {
  try {
    const { raw, page } = await context.api.read(options.board, {
      limit: options.limit,
      cursor: options.cursor,
    });
    if (!options.follow) {
      if (options.json) context.out(`${safeJson(raw, 2)}\n`);
      else printPage(context, options, page.messages, page.nextCursor);
      return;
    }
    // Oldest first, like `tail -f`: new messages then appear at the bottom, where the eye is.
    const initial = [...page.messages].reverse();
    const seen = await alreadyThere(context, options.board, initial, page.nextCursor !== null);
    if (!options.json) {
      context.deps.stderr.write(
        `${context.errStyles.dim(`Following board ${options.board} at ${context.baseUrl}; Ctrl-C to stop.`)}\n`,
      );
    }
    printStream(context, options, initial);
    await follow(context, options, initial, seen, timing);
  } finally {
    await context.client.close();
  }
};

const printPage = (
  context: CommandContext,
  options: ReadOptions,
  messages: readonly Message[],
  nextCursor: string | null,
): void => {
  const { out, styles, width, deps } = context;
  if (messages.length === 0) {
    const board = sanitizeInline(options.board, 64);
    // An empty page after a cursor: the messages it followed were the oldest.
    out(
      `${styles.dim(options.cursor ? `No older messages on board ${board}.` : `No messages on board ${board} yet.`)}\n`,
    );
    return;
  }
  const now = deps.now();
  const columns = width();
  out(messages.map((message) => formatMessage(message, styles, columns, now)).join('\n'));
  if (nextCursor !== null) {
    const count = messages.length === 1 ? '1 message' : `${messages.length} messages`;
    const shown = options.cursor
      ? `Showing ${count} older than the last page.`
      : `Showing the ${messages.length === 1 ? 'newest message' : `${messages.length} newest`}.`;
    const larger =
      (options.limit ?? 0) < MAX_LIMIT ? ` More at once with --limit <n> (up to ${MAX_LIMIT}).` : '';
    // The cursor comes from the server: printed as a command only if it is one the API could have
    // written, never as characters a terminal would act on.
    const older = CURSOR_PATTERN.test(nextCursor)
      ? ` Older ones:\n  ${suggestedRead(context, options.board, `${options.limit === undefined ? '' : ` --limit ${options.limit}`} --cursor ${nextCursor}`)}`
      : ' Older ones: nextCursor in --json.';
    out(`\n${styles.dim(`${shown}${larger}${older}`)}\n`);
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
    out(options.json ? `${safeJson(message)}\n` : `${formatMessage(message, styles, width(), now)}\n`);
  }
};

interface Newer {
  /** Oldest first. */
  readonly messages: Message[];
  /** Older ones are left: more arrived than FOLLOW_MAX_PAGES hold. */
  readonly cut: boolean;
}

/**
 * Every message newer than `since` (all of the board without it: it was empty when following
 * began), oldest first. `since` answers with the newest messages after it, so while pages come
 * back with a cursor the older rest is fetched with it, up to FOLLOW_MAX_PAGES pages.
 */
const fetchNewer = async (
  context: CommandContext,
  board: string,
  since: string | undefined,
): Promise<Newer> => {
  const found: Message[] = [];
  const cursors = new Set<string>();
  let cursor: string | undefined;
  do {
    const result = await context.api.read(board, { limit: MAX_LIMIT, since, cursor });
    found.push(...result.page.messages);
    cursor = result.page.nextCursor ?? undefined;
    if (cursor !== undefined && cursors.has(cursor)) {
      throw new ResponseError(`the answer repeats a "nextCursor"; ${context.wrongApiHint}`);
    }
    if (cursor !== undefined) cursors.add(cursor);
  } while (cursor !== undefined && cursors.size < FOLLOW_MAX_PAGES);
  // Ids are ULIDs: their string order is their time order. Keyed by id, an overlap between pages
  // cannot print a message twice.
  const byId = new Map(
    found.filter((message) => since === undefined || message.id > since).map((m) => [m.id, m]),
  );
  return {
    messages: [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    cut: cursor !== undefined,
  };
};

/**
 * The ids of what is on the board within the look-back window of the newest message printed: the
 * first poll asks for that window, and what --limit left out of it is old, not new. Only ids older
 * than the first page's oldest count: the page held the newest there were, so one above its oldest
 * that it did not hold was stored after it (a late, out-of-order message), for the first poll to
 * print. When the page already reaches past the window (or holds the whole board), it is all there
 * is.
 */
const alreadyThere = async (
  context: CommandContext,
  board: string,
  initial: readonly Message[],
  more: boolean,
): Promise<Set<string>> => {
  const seen = new Set(initial.map((message) => message.id));
  const newest = initial.at(-1)?.id;
  const oldest = initial[0]?.id;
  if (newest === undefined || oldest === undefined || !more) return seen;
  const floor = ulidBefore(newest, FOLLOW_LOOKBACK_MS);
  if (oldest <= floor) return seen;
  // Cut short, it holds the newest of the window: the first poll, asking for the same window, gets
  // those again and no older ones either.
  for (const message of (await fetchNewer(context, board, floor)).messages) {
    if (message.id < oldest) seen.add(message.id);
  }
  return seen;
};

/**
 * The most ids --follow remembers as printed: two polls' worth of the most it reads. The look-back
 * window holds that many only after a burst, or from an API whose ids do not move on in time.
 */
const MAX_REMEMBERED = 2 * FOLLOW_MAX_PAGES * MAX_LIMIT;

/**
 * Forgets the printed ids at or below `floor`, which fall out of the look-back window and will not
 * be asked for again, and beyond MAX_REMEMBERED the oldest others: ids that keep the same time (an
 * API posing as this one) would otherwise never leave the window, and memory would grow.
 */
export const forgetPrinted = (printed: Set<string>, floor: string): void => {
  for (const id of printed) if (id <= floor) printed.delete(id);
  if (printed.size <= MAX_REMEMBERED) return;
  const oldestFirst = [...printed].sort();
  for (const id of oldestFirst.slice(0, printed.size - MAX_REMEMBERED)) printed.delete(id);
};

/** Failures worth waiting out while following: the network, throttling, a server having a bad moment. */
const isTransient = (error: unknown): error is CliError =>
  error instanceof NetworkError ||
  (error instanceof ApiError && (error.status === 429 || error.status >= 500));

const follow = async (
  context: CommandContext,
  options: ReadOptions,
  initial: readonly Message[],
  seen: ReadonlySet<string>,
  timing: FollowTiming,
): Promise<void> => {
  const { deps, errStyles } = context;
  // A function, not a narrowed property read: the signal flips while we await.
  const stopped = (): boolean => deps.signal?.aborted === true;
  // What was printed (or was there before following began) within the lookback window, so that
  // asking again does not print it.
  const printed = new Set(seen);
  let newest = initial.at(-1)?.id;
  let interval = timing.minMs;
  let failing = false;
  while (!stopped()) {
    await deps.sleep(interval, deps.signal);
    if (stopped()) return;
    const since = newest === undefined ? undefined : ulidBefore(newest, FOLLOW_LOOKBACK_MS);
    let fresh: Message[];
    let gap: boolean;
    try {
      const newer = await fetchNewer(context, options.board, since);
      fresh = newer.messages.filter((message) => !printed.has(message.id));
      // A real gap only when the pages read did not reach back to the newest message printed
      // before: after a burst the window behind it stays full of what was printed, and is cut at
      // every poll.
      const oldestRead = newer.messages[0]?.id;
      gap = newer.cut && (newest === undefined || (oldestRead !== undefined && oldestRead > newest));
    } catch (error) {
      if (stopped()) return;
      if (!isTransient(error)) throw error;
      if (!failing) {
        deps.stderr.write(
          `${errStyles.warning('warning:')} ${sanitizeInline(error.message)}; still trying\n`,
        );
        failing = true;
        // Said once: the next polls' notes (a long Retry-After wait each) would say it again.
        context.holdNotes(true);
      }
      interval = timing.maxMs;
      continue;
    }
    if (failing) {
      deps.stderr.write(`${errStyles.dim('reconnected')}\n`);
      failing = false;
      context.holdNotes(false);
    }
    if (fresh.length === 0) {
      interval = Math.min(timing.maxMs, interval * 2);
      continue;
    }
    if (gap) {
      // Said before them, where the gap is: on stderr, so that --json's lines stay JSON.
      deps.stderr.write(
        `${errStyles.warning('note:')} more than ${FOLLOW_MAX_PAGES * MAX_LIMIT} messages arrived since the last poll; the older ones are left out\n`,
      );
    }
    printStream(context, options, fresh);
    for (const message of fresh) printed.add(message.id);
    const latest = fresh.at(-1)?.id as string;
    if (newest === undefined || latest > newest) newest = latest;
    forgetPrinted(printed, ulidBefore(newest, FOLLOW_LOOKBACK_MS));
    interval = timing.minMs;
  }
};
