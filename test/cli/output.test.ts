import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStyles } from '../../cli/colors.ts';
import {
  colorLevel,
  displayWidth,
  formatMessage,
  loadStyles,
  PLAIN_STYLES,
  relativeTime,
  safeJson,
  sanitizeInline,
  sanitizeText,
  terminalWidth,
  wrap,
} from '../../cli/output.ts';
import { recordingStream, terminalActive, withoutColors } from './helpers.ts';

describe('sanitizeText', () => {
  it('shows escape sequences as visible symbols instead of sending them', () => {
    const attack = 'a\u001b[2J\u001b]0;pwned\u0007b\u0008c';
    const safe = sanitizeText(attack);
    assert.deepEqual(terminalActive(safe), []);
    assert.equal(safe, 'a\u241b[2J\u241b]0;pwned\u2407b\u2408c');
  });

  it('neutralises the C1 CSI and bidirectional overrides', () => {
    const safe = sanitizeText('x\u009b31m \u202eevil\u202c \u2066y\u2069');
    assert.deepEqual(terminalActive(safe), []);
    assert.equal(safe, 'x\ufffd31m \ufffdevil\ufffd \ufffdy\ufffd');
  });

  it('keeps the right-to-left and left-to-right marks, which a right-to-left name is written with', () => {
    assert.equal(sanitizeInline('\u05e9\u05e8\u05d4\u200f'), '\u05e9\u05e8\u05d4\u200f');
    assert.equal(sanitizeText('a\u200eb\u061c'), 'a\u200eb\u061c');
  });

  it('keeps line breaks, turning CR LF, lone CR and U+2028 into LF, and expands tabs', () => {
    assert.equal(sanitizeText('one\r\ntwo\rthree\u2028four\tend'), 'one\ntwo\nthree\nfour    end');
  });
});

describe('sanitizeInline', () => {
  it('puts everything on one line', () => {
    assert.equal(sanitizeInline('line one\nline two\r\n\tthree'), 'line one line two three');
  });

  it('cuts long text with an ellipsis', () => {
    assert.equal(sanitizeInline('abcdefghij', 5), 'abcd…');
  });

  it('neutralises escape sequences', () => {
    assert.deepEqual(terminalActive(sanitizeInline('\u001b[31mred\u009b0m\u202e')), []);
  });
});

describe('safeJson', () => {
  it('escapes C1, DEL, bidi and line separator characters and still parses to the same value', () => {
    const value = { text: 'a\u009b2Jb\u007f\u202ec\u2028d\u001b', n: 1 };
    const json = safeJson(value, 2);
    assert.deepEqual(terminalActive(json), []);
    assert.doesNotMatch(json, /\u2028/u);
    assert.match(json, /\\u009b/);
    assert.deepEqual(JSON.parse(json), value);
  });
});

describe('colorLevel', () => {
  const tty = recordingStream({ isTTY: true, colorDepth: 8 });

  it('colours a TTY at its colour depth', () => {
    assert.equal(colorLevel({ stream: tty, env: {}, wanted: true }), 2);
    assert.equal(
      colorLevel({ stream: recordingStream({ isTTY: true, colorDepth: 24 }), env: {}, wanted: true }),
      3,
    );
  });

  it('is off when NO_COLOR is set to anything non-empty', () => {
    assert.equal(colorLevel({ stream: tty, env: { NO_COLOR: '1' }, wanted: true }), 0);
    assert.equal(colorLevel({ stream: tty, env: { NO_COLOR: '' }, wanted: true }), 2);
  });

  it('is off for --no-color / --json and for a stream that is not a terminal', () => {
    assert.equal(colorLevel({ stream: tty, env: {}, wanted: false }), 0);
    assert.equal(
      colorLevel({ stream: recordingStream({ isTTY: false, colorDepth: 24 }), env: {}, wanted: true }),
      0,
    );
  });

  it('follows FORCE_COLOR, on a terminal or not, before NO_COLOR but never against --no-color / --json', () => {
    const pipe = recordingStream({ isTTY: false });
    const level = (FORCE_COLOR: string, stream = pipe, wanted = true, NO_COLOR?: string) =>
      colorLevel({ stream, env: { FORCE_COLOR, ...(NO_COLOR === undefined ? {} : { NO_COLOR }) }, wanted });
    assert.deepEqual(
      ['0', 'false', '1', '2', '3', '9', 'true', ''].map((value) => level(value)),
      [0, 0, 1, 2, 3, 3, 1, 1],
    );
    assert.equal(level('0', tty), 0);
    assert.equal(level('3', tty, true, '1'), 3);
    assert.equal(level('3', pipe, false), 0);
    // Unreadable: as if unset.
    assert.equal(level('yes'), 0);
    assert.equal(level('yes', tty), 2);
  });

  it('is off for a terminal that has no colours', () => {
    assert.equal(
      colorLevel({ stream: recordingStream({ isTTY: true, colorDepth: 1 }), env: {}, wanted: true }),
      0,
    );
  });
});

describe('relativeTime', () => {
  const now = Date.parse('2025-05-01T12:00:00Z');
  const cases: [number, string][] = [
    [0, 'just now'],
    [9_000, 'just now'],
    [42_000, '42 s ago'],
    [150_000, '2 min ago'],
    [3 * 3600_000 + 1000, '3 h ago'],
    [26 * 3600_000, '1 day ago'],
    [50 * 24 * 3600_000, '50 days ago'],
    [-20_000, 'just now'],
    [-5 * 60_000, 'in 5 min'],
  ];
  for (const [age, expected] of cases) {
    it(`says "${expected}" for a message ${age / 1000} s old`, () => {
      assert.equal(relativeTime(now - age, now), expected);
    });
  }
});

describe('wrap', () => {
  it('breaks at spaces so no line is wider than the width', () => {
    const lines = wrap('the quick brown fox jumps over the lazy dog', 10);
    assert.deepEqual(lines, ['the quick', 'brown fox', 'jumps over', 'the lazy', 'dog']);
  });

  it("keeps the text's own line breaks and blank lines", () => {
    assert.deepEqual(wrap('one\n\ntwo', 20), ['one', '', 'two']);
  });

  it('splits a word longer than a line', () => {
    assert.deepEqual(wrap('abcdefghijkl', 5), ['abcde', 'fghij', 'kl']);
  });

  it('counts wide characters as two columns', () => {
    assert.equal(displayWidth('日本語'), 6);
    assert.equal(displayWidth('e\u0301'), 1);
    assert.deepEqual(wrap('日本語日本語', 6), ['日本語', '日本語']);
  });

  it('counts emoji shown as emoji as two columns, wherever Unicode puts them', () => {
    // Faces, transport, newer symbols, dingbats and miscellaneous symbols: two columns each.
    for (const emoji of ['😀', '🚀', '🫠', '✅', '⭐', '⚡']) assert.equal(displayWidth(emoji), 2, emoji);
    // Symbols shown as text unless asked otherwise, and a flag: its two letters, one column each.
    assert.equal(displayWidth('©❤'), 2);
    assert.equal(displayWidth('🇫🇷'), 2);
    assert.deepEqual(wrap('🚀'.repeat(12), 20), ['🚀'.repeat(10), '🚀'.repeat(2)]);
  });

  it('counts an emoji sequence as the two columns it shows in, and never splits one', () => {
    const family = '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}\u200d\u{1f466}';
    const thumbsUpMedium = '\u{1f44d}\u{1f3fd}';
    const keycapOne = '1\ufe0f\u20e3';
    const rainbowFlag = '\u{1f3f3}\ufe0f\u200d\u{1f308}';
    const scotland = '\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}';
    for (const emoji of [family, thumbsUpMedium, keycapOne, rainbowFlag, scotland, '\u2764\ufe0f']) {
      assert.equal(displayWidth(emoji), 2, emoji);
    }
    // The heart without U+FE0F shows as text, one column; two flags, two columns each.
    assert.equal(displayWidth('\u2764'), 1);
    assert.equal(displayWidth('\u{1f1eb}\u{1f1f7}\u{1f1e9}\u{1f1ea}'), 4);
    assert.deepEqual(wrap(family.repeat(5), 6), [family.repeat(3), family.repeat(2)]);
    assert.deepEqual(wrap(`ab${thumbsUpMedium}`, 3), ['ab', thumbsUpMedium]);
    assert.deepEqual(wrap('e\u0301'.repeat(4), 3), ['e\u0301'.repeat(3), 'e\u0301']);
  });

  it('joins with a zero-width joiner only pictographs, not letters (Sinhala, Devanagari)', () => {
    const sri = '\u0dc1\u0dca\u200d\u0dbb\u0dd3';
    assert.equal(displayWidth(sri), 2);
    assert.equal(displayWidth('\u0915\u094d\u200d\u0937'), 2);
    assert.equal(displayWidth('a\u200db'), 2);
    // A joiner with no pictograph after it joins nothing more: the space keeps its column.
    assert.equal(displayWidth('\u{1f468}\u200d x'), 4);
    assert.deepEqual(wrap(sri.repeat(6), 6).map(displayWidth), [6, 6]);
  });

  it('counts a Hangul syllable written as jamo (NFD) as the two columns it shows in, and never splits one', () => {
    const hangeul = '\ud55c\uae00'.normalize('NFD');
    assert.equal(hangeul, '\u1112\u1161\u11ab\u1100\u1173\u11af');
    assert.equal(displayWidth(hangeul), displayWidth('\ud55c\uae00'));
    assert.equal(displayWidth(hangeul), 4);
    // Two syllables, four columns, a line; none cut between its jamo.
    assert.deepEqual(wrap(hangeul.repeat(3), 5), [hangeul, hangeul, hangeul]);
    // On a line narrower than a syllable, each syllable takes a line of its own, whole.
    assert.deepEqual(wrap(hangeul, 1), ['\u1112\u1161\u11ab', '\u1100\u1173\u11af']);
  });

  it("keeps a paragraph's indentation", () => {
    assert.deepEqual(wrap('  indented code', 40), ['  indented code']);
  });
});

describe('terminalWidth', () => {
  it("uses the terminal's columns, else COLUMNS, else 80", () => {
    assert.equal(terminalWidth(recordingStream({ isTTY: true, columns: 120 }), { COLUMNS: '50' }), 120);
    assert.equal(terminalWidth(recordingStream({ isTTY: false }), { COLUMNS: '50' }), 50);
    assert.equal(terminalWidth(recordingStream({ isTTY: false }), { COLUMNS: 'wide' }), 80);
  });
});

describe('formatMessage', () => {
  const now = Date.parse('2025-05-01T12:00:00Z');
  const message = {
    id: '01JTEST0000000000000000001',
    author: 'ann',
    text: 'hello there, this line is long enough to wrap',
    createdAt: '2025-05-01T11:58:00.000Z',
  };

  it('shows the author, the relative time and the text indented and wrapped', () => {
    const out = formatMessage(message, createStyles(0), 24, now);
    assert.equal(out, 'ann  2 min ago\n  hello there, this line\n  is long enough to wrap\n');
  });

  it('keeps indent and text within a narrow terminal of 20 columns', () => {
    const lines = formatMessage(message, createStyles(0), 20, now).split('\n');
    assert.ok(lines.length > 3, 'the text is wrapped');
    for (const line of lines) assert.ok(line.length <= 20, `${JSON.stringify(line)} is wider than 20`);
  });

  it('colours only with a colour level', () => {
    assert.equal(formatMessage(message, createStyles(0), 80, now).includes('\u001b'), false);
    assert.equal(formatMessage(message, createStyles(1), 80, now).includes('\u001b['), true);
  });

  it('gets plain styles without chalk at level 0, and chalk styles above it', async () => {
    assert.equal(await loadStyles(0), PLAIN_STYLES);
    assert.equal(
      formatMessage(message, PLAIN_STYLES, 80, now),
      formatMessage(message, createStyles(0), 80, now),
    );
    assert.equal(
      formatMessage(message, await loadStyles(2), 80, now),
      formatMessage(message, createStyles(2), 80, now),
    );
  });

  it('prints no escape from the message itself, even with colour on', () => {
    const attack = { ...message, author: 'eve\u001b]0;owned\u0007', text: '\u001b[2J\u001b[Hgone\u009b1m' };
    const out = formatMessage(attack, createStyles(1), 80, now);
    // Only the styles' own SGR sequences remain once they are removed.
    const withoutOwnStyles = withoutColors(out);
    assert.notEqual(withoutOwnStyles, out);
    assert.deepEqual(terminalActive(withoutOwnStyles), []);
    assert.match(withoutOwnStyles, /␛\[2J/u);
  });
});
