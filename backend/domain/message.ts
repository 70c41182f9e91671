import { monotonicFactory } from 'ulid';

/** A message as stored and as the API returns it. */
export interface Message {
  /** ULID: 26 Crockford base32 characters, time-ordered, unique. */
  readonly id: string;
  readonly board: string;
  readonly author: string;
  readonly text: string;
  /** ISO 8601, UTC, millisecond precision. */
  readonly createdAt: string;
}

/**
 * The id maker of one execution environment: ULIDs (the time, then 80 random bits), monotonic, so
 * that ids made in the same millisecond rise in the order they were made, as a board is ordered by
 * id (a random ULID would order them at random). The service gives it the time, kept from going
 * back (message-service.ts).
 */
export const messageIdMaker = (): ((time: number) => string) => monotonicFactory(pooledRandom());

/**
 * ulid's random numbers, from the system's CSPRNG 256 bytes at a time, each byte used once. ulid's
 * own source asks `crypto.getRandomValues` for one byte at a time, 16 calls for an id: 70 µs an id
 * on the 2-core machines this was measured on, where a call took 4.5 µs, and 9% of the POST
 * function's thread in a CPU profile of the local stack under load. Drawn at the first id, not at
 * import, and from node:crypto, which the SDK loads anyway, rather than the global Web Crypto
 * object, whose first use loads Node's Web Crypto (1.5-2.5 ms here) into a cold start; and not by
 * an `import`, which would load node:crypto into every start of the CLI (cli/api.ts imports this
 * module).
 */
const pooledRandom = (): (() => number) => {
  const pool = new Uint8Array(256);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      process.getBuiltinModule('node:crypto').randomFillSync(pool);
      next = 0;
    }
    // A byte over 256: [0, 1), as ulid takes it (it uses the top 5 bits).
    return (pool[next++] ?? 0) / 256;
  };
};

/** Every field of a message: a Record of them, so the compiler holds the list to `Message`. */
const messageFields: Record<keyof Message, true> = {
  id: true,
  board: true,
  author: true,
  text: true,
  createdAt: true,
};
export const MESSAGE_FIELDS = Object.keys(messageFields) as readonly (keyof Message)[];

/** Whether two messages are the same in every field (a write found already stored, for one). */
export const sameMessage = (a: Message, b: Message): boolean =>
  MESSAGE_FIELDS.every((field) => a[field] === b[field]);

/** One page of a board, newest first. */
export interface MessagePage {
  readonly messages: readonly Message[];
  /** Opaque; pass it back as `cursor` for the next (older) page. Null on the last page. */
  readonly nextCursor: string | null;
}

export const DEFAULT_BOARD = 'default';
