/**
 * What a function writes to stdout and stderr, carried from its execution environment (a worker
 * thread) to the main thread in shared memory: a ring of bytes that the worker appends to and the
 * main thread reads when the invocation's result arrives, when the environment stops, and every
 * few milliseconds in between (so a long invocation's lines still appear as they are written).
 *
 * Why not a message per write: each message wakes the main thread and costs a round of message
 * machinery on both threads; with two lines per request (Powertools' log line and its EMF line)
 * that was two extra wake-ups per request under load, measured in `npm run bench` (figure 1).
 * Why not batch the lines into the result message: a line written just before a handler hangs or
 * crashes would be lost with its environment, and that is the line one needs. Shared memory
 * outlives the worker: the main thread reads it after a runaway environment is stopped.
 *
 * One writer (the worker), one reader (the main thread). Records are a 4-byte little-endian
 * header, `byteLength << 1 | stream` (1 = stderr), then the UTF-8 text. A write that does not fit
 * waits, as a write to a full pipe does: the writer asks the main thread to read (a message, on
 * which the reader drains the ring) and sleeps until it has. Everything goes through the ring, so
 * lines keep their order; a write bigger than the ring goes in pieces (lines are re-assembled on
 * the main thread anyway, since one write need not be one line).
 */

export type LogStream = 'stdout' | 'stderr';

/** Header: write position, read position (byte offsets in the data area). */
const CONTROL_BYTES = 8;
const WRITE = 0;
const READ = 1;
const HEADER_BYTES = 4;

/** Enough for every line an invocation writes between two reads, at any sane log volume. */
export const DEFAULT_LOG_RING_BYTES = 256 * 1024;

export const createLogRing = (capacityBytes = DEFAULT_LOG_RING_BYTES): SharedArrayBuffer =>
  new SharedArrayBuffer(CONTROL_BYTES + capacityBytes);

interface Ring {
  readonly control: Int32Array;
  readonly data: Uint8Array;
  readonly capacity: number;
}

const view = (buffer: SharedArrayBuffer): Ring => {
  const capacity = buffer.byteLength - CONTROL_BYTES;
  return { control: new Int32Array(buffer, 0, 2), data: new Uint8Array(buffer, CONTROL_BYTES), capacity };
};

/** Copies `bytes` into the ring at `at`, wrapping at the end; returns the position after them. */
const copyIn = (ring: Ring, at: number, bytes: Uint8Array): number => {
  const first = Math.min(bytes.length, ring.capacity - at);
  ring.data.set(bytes.subarray(0, first), at);
  if (first < bytes.length) ring.data.set(bytes.subarray(first), 0);
  return (at + bytes.length) % ring.capacity;
};

/** Copies `length` bytes out of the ring from `at`, wrapping at the end. */
const copyOut = (ring: Ring, at: number, length: number): Buffer => {
  const first = Math.min(length, ring.capacity - at);
  if (first === length) return Buffer.from(ring.data.subarray(at, at + length));
  return Buffer.concat([ring.data.subarray(at, at + first), ring.data.subarray(0, length - first)]);
};

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** How long a writer sleeps on a full ring before it looks again and asks again. */
const FULL_WAIT_MS = 100;

/** The worker's end. */
export class LogRingWriter {
  readonly #ring: Ring;
  readonly #requestDrain: () => void;
  /** The longest text that fits even as 3-byte UTF-8 (one byte stays free, see `#free`). */
  readonly #maxChars: number;
  readonly #header = new Uint8Array(HEADER_BYTES);
  readonly #headerView = new DataView(this.#header.buffer);

  /** `requestDrain` asks the main thread to read the ring (a message to it). */
  constructor(buffer: SharedArrayBuffer, requestDrain: () => void) {
    this.#ring = view(buffer);
    this.#requestDrain = requestDrain;
    this.#maxChars = Math.floor((this.#ring.capacity - 1 - HEADER_BYTES) / 3);
  }

  /**
   * Appends one write; waits while the ring is too full for it. A write too long for the ring goes
   * in pieces, never cut inside a surrogate pair: each piece is decoded on its own, and half an
   * emoji would come out as two U+FFFD.
   */
  write(stream: LogStream, text: string): void {
    let start = 0;
    do {
      let end = Math.min(text.length, start + this.#maxChars);
      if (end < text.length && end - start > 1 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
      this.#append(stream, Buffer.from(text.slice(start, end), 'utf8'));
      start = end;
    } while (start < text.length);
  }

  /** Free bytes; one always stays free, so a full ring is not mistaken for an empty one. */
  #free(): number {
    const { control, capacity } = this.#ring;
    const used = (Atomics.load(control, WRITE) - Atomics.load(control, READ) + capacity) % capacity;
    return capacity - 1 - used;
  }

  #append(stream: LogStream, bytes: Buffer) {
    const ring = this.#ring;
    if (HEADER_BYTES + bytes.length > this.#free()) {
      this.#requestDrain();
      while (HEADER_BYTES + bytes.length > this.#free()) {
        const read = Atomics.load(ring.control, READ);
        if (Atomics.wait(ring.control, READ, read, FULL_WAIT_MS) === 'timed-out') this.#requestDrain();
      }
    }
    this.#headerView.setUint32(0, (bytes.length << 1) | (stream === 'stderr' ? 1 : 0), true);
    const write = Atomics.load(ring.control, WRITE);
    const afterHeader = copyIn(ring, write, this.#header);
    // Publishing the new write position after the bytes makes them visible to the reader together.
    Atomics.store(ring.control, WRITE, copyIn(ring, afterHeader, bytes));
  }
}

/** The main thread's end. */
export class LogRingReader {
  readonly #ring: Ring;

  constructor(buffer: SharedArrayBuffer) {
    this.#ring = view(buffer);
  }

  /** Hands every complete record written so far to `onWrite`, oldest first. */
  drain(onWrite: (stream: LogStream, text: string) => void): void {
    const ring = this.#ring;
    const write = Atomics.load(ring.control, WRITE);
    let read = Atomics.load(ring.control, READ);
    while (read !== write) {
      const header = copyOut(ring, read, HEADER_BYTES).readUInt32LE(0);
      const length = header >>> 1;
      const textAt = (read + HEADER_BYTES) % ring.capacity;
      onWrite(header & 1 ? 'stderr' : 'stdout', copyOut(ring, textAt, length).toString('utf8'));
      read = (textAt + length) % ring.capacity;
    }
    Atomics.store(ring.control, READ, read);
    // A writer may be waiting for room.
    Atomics.notify(ring.control, READ);
  }
}
