import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createLogRing,
  LogRingReader,
  LogRingWriter,
  type LogStream,
} from '../../backend/local/log-channel.ts';

/** A writer and a reader on one small ring; the writer's drain requests are served at once. */
const smallRing = (capacityBytes: number) => {
  const ring = createLogRing(capacityBytes);
  const reader = new LogRingReader(ring);
  const records: { stream: LogStream; text: string }[] = [];
  const drain = () => reader.drain((stream, text) => records.push({ stream, text }));
  const writer = new LogRingWriter(ring, drain);
  return { writer, records, drain };
};

describe('log ring', () => {
  it('carries writes in order with their stream, the ring refilled many times over', () => {
    const { writer, records, drain } = smallRing(64);
    const writes = Array.from({ length: 50 }, (_, i) => ({
      stream: (i % 3 === 0 ? 'stderr' : 'stdout') as LogStream,
      text: `line ${i} ${'é'.repeat(i % 7)}\n`,
    }));
    for (const { stream, text } of writes) writer.write(stream, text);
    drain();
    assert.deepEqual(records, writes);
  });

  it('carries an empty write', () => {
    const { writer, records, drain } = smallRing(64);
    writer.write('stdout', '');
    drain();
    assert.deepEqual(records, [{ stream: 'stdout', text: '' }]);
  });

  it('splits a write longer than the ring into pieces that join back to it, emoji whole', () => {
    // 64 bytes hold 19 characters of 3-byte UTF-8 per piece: the emoji's high surrogate is the
    // 19th character, where a cut by length alone would fall between its two halves.
    const text = `${'x'.repeat(18)}😀 and ${'ü'.repeat(40)}🎉🎉🎉 done\n`;
    const { writer, records, drain } = smallRing(64);
    writer.write('stdout', text);
    drain();
    assert.ok(records.length > 1, 'the write went in pieces');
    assert.equal(records.map((record) => record.text).join(''), text);
    for (const { text: piece } of records) assert.doesNotMatch(piece, /\uFFFD/);
  });
});
