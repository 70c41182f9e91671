/**
 * Captures what Powertools writes while a call runs. Powertools Logger and Metrics print through a
 * `Console` bound to process.stdout / process.stderr (outside POWERTOOLS_DEV), so replacing the
 * streams' `write` for the duration of the call sees every log line and EMF blob. Only string
 * chunks are captured; anything else (the test runner's own protocol) passes through.
 */
export interface Captured<T> {
  readonly result: T;
  /** Every JSON line written to stdout or stderr, parsed, in order. */
  readonly records: Record<string, unknown>[];
  /** Lines that are not JSON (e.g. Metrics' console warnings). */
  readonly text: string[];
}

export const captureOutput = async <T>(call: () => Promise<T>): Promise<Captured<T>> => {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write);
  for (const [index, stream] of streams.entries()) {
    const original = originals[index] as typeof stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string') {
        chunks.push(chunk);
        return true;
      }
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
  }
  let result: T;
  try {
    result = await call();
  } finally {
    for (const [index, stream] of streams.entries()) {
      stream.write = originals[index] as typeof stream.write;
    }
  }
  const records: Record<string, unknown>[] = [];
  const text: string[] = [];
  for (const line of chunks.join('').split('\n')) {
    if (line.trim().length === 0) continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      text.push(line);
    }
  }
  return { result, records, text };
};
