import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../backend/domain/errors.ts';
import {
  escapeControls,
  isMessageId,
  limits,
  parseLimit,
  parseSince,
  validateBoard,
  validateNewMessage,
} from '../../backend/domain/validation.ts';

/** Asserts that `call` throws a ValidationError with `code` (a 400), and a message matching `message`. */
const assertInvalid = (call: () => unknown, code: string, message?: RegExp): void => {
  assert.throws(call, (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
};

const EMOJI = '\u{1F600}'; // one code point, two UTF-16 units, four UTF-8 bytes
const FAMILY = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}'; // one grapheme, five code points

describe('validateNewMessage: body shape', () => {
  it('accepts an object with a string author and text and returns exactly those two fields', () => {
    const input = validateNewMessage({ author: 'Ada', text: 'Hello, board' });
    assert.deepEqual(input, { author: 'Ada', text: 'Hello, board' });
  });

  for (const [label, body, got] of [
    ['null', null, 'null'],
    ['an array', [{ author: 'Ada', text: 'hi' }], 'an array'],
    ['a string', 'author=Ada&text=hi', 'a string'],
    ['a number', 42, 'a number'],
    ['a boolean', true, 'a boolean'],
  ] as const) {
    it(`rejects a body that is ${label} with INVALID_BODY`, () => {
      assertInvalid(() => validateNewMessage(body), 'INVALID_BODY', new RegExp(`JSON object, got ${got}`));
    });
  }

  it('rejects an unknown field and names it', () => {
    assertInvalid(
      () => validateNewMessage({ author: 'Ada', text: 'hi', board: 'other' }),
      'INVALID_BODY',
      /unknown field "board"/,
    );
  });

  it('rejects several unknown fields and names each of them', () => {
    assertInvalid(
      () => validateNewMessage({ author: 'Ada', text: 'hi', id: 'x', createdAt: 'y' }),
      'INVALID_BODY',
      /unknown fields "id", "createdAt"/,
    );
  });

  it('names five unknown fields at most, each cut to 40 characters, and counts the rest', () => {
    const body: Record<string, string> = { author: 'Ada', text: 'hi', ['k'.repeat(30_000)]: 'x' };
    for (let i = 0; i < 3000; i++) body[`f${i}`] = 'x';
    assertInvalid(
      () => validateNewMessage(body),
      'INVALID_BODY',
      new RegExp(
        `^unknown fields "${'k'.repeat(40)}", "f0", "f1", "f2", "f3" and 2996 more; only "author" and "text" are accepted$`,
      ),
    );
  });

  it('cuts a quoted value by characters, never inside an emoji', () => {
    const key = `${'x'.repeat(39)}\u{1F600}tail`;
    assertInvalid(
      () => validateNewMessage({ author: 'Ada', text: 'hi', [key]: 1 }),
      'INVALID_BODY',
      new RegExp(`^unknown field "${'x'.repeat(39)}\u{1F600}";`, 'u'),
    );
    assertInvalid(() => parseLimit(`${'9'.repeat(39)}\u{1F600}`), 'INVALID_LIMIT', /9\u{1F600}"$/u);
  });

  it('rejects a "__proto__" key from parsed JSON as an unknown field', () => {
    const body: unknown = JSON.parse('{"author":"Ada","text":"hi","__proto__":{"admin":true}}');
    assertInvalid(() => validateNewMessage(body), 'INVALID_BODY', /"__proto__"/);
  });

  it('rejects an empty object, reporting the missing author first', () => {
    assertInvalid(() => validateNewMessage({}), 'INVALID_AUTHOR', /^author is required$/);
  });

  it('rejects a missing author', () => {
    assertInvalid(() => validateNewMessage({ text: 'hi' }), 'INVALID_AUTHOR', /author is required/);
  });

  it('rejects a missing text', () => {
    assertInvalid(() => validateNewMessage({ author: 'Ada' }), 'INVALID_TEXT', /text is required/);
  });

  it('treats an explicitly undefined field as missing', () => {
    assertInvalid(() => validateNewMessage({ author: 'Ada', text: undefined }), 'INVALID_TEXT', /required/);
  });

  for (const [label, value, got] of [
    ['a number', 42, 'a number'],
    ['a boolean', false, 'a boolean'],
    ['null', null, 'null'],
    ['an array', ['Ada'], 'an array'],
    ['an object', { name: 'Ada' }, 'an object'],
  ] as const) {
    it(`rejects an author that is ${label}`, () => {
      assertInvalid(
        () => validateNewMessage({ author: value, text: 'hi' }),
        'INVALID_AUTHOR',
        new RegExp(`author must be a string, got ${got}`),
      );
    });

    it(`rejects a text that is ${label}`, () => {
      assertInvalid(
        () => validateNewMessage({ author: 'Ada', text: value }),
        'INVALID_TEXT',
        new RegExp(`text must be a string, got ${got}`),
      );
    });
  }
});

describe('validateNewMessage: author', () => {
  it('accepts an author of exactly 64 characters', () => {
    const author = 'a'.repeat(64);
    assert.equal(validateNewMessage({ author, text: 'hi' }).author, author);
  });

  it('rejects an author of 65 characters, saying how long it is and what is allowed', () => {
    assertInvalid(
      () => validateNewMessage({ author: 'a'.repeat(65), text: 'hi' }),
      'INVALID_AUTHOR',
      /author is 65 characters; at most 64 are allowed/,
    );
  });

  it('counts an emoji as one character: 64 emoji are accepted', () => {
    const author = EMOJI.repeat(64);
    assert.equal(author.length, 128);
    assert.equal(validateNewMessage({ author, text: 'hi' }).author, author);
  });

  it('rejects 65 emoji as 65 characters', () => {
    assertInvalid(
      () => validateNewMessage({ author: EMOJI.repeat(65), text: 'hi' }),
      'INVALID_AUTHOR',
      /author is 65 characters/,
    );
  });

  it('trims surrounding whitespace before storing and before counting', () => {
    const author = 'b'.repeat(64);
    assert.equal(validateNewMessage({ author: `   ${author}\u00a0 `, text: 'hi' }).author, author);
    assert.equal(validateNewMessage({ author: '  Ada Lovelace  ', text: 'hi' }).author, 'Ada Lovelace');
  });

  it('rejects an empty author', () => {
    assertInvalid(
      () => validateNewMessage({ author: '', text: 'hi' }),
      'INVALID_AUTHOR',
      /author must not be empty/,
    );
  });

  it('rejects an author of only whitespace', () => {
    assertInvalid(
      () => validateNewMessage({ author: ' \t\u3000 ', text: 'hi' }),
      'INVALID_AUTHOR',
      /author must not be empty/,
    );
  });

  for (const [label, char] of [
    ['a tab', '\t'],
    ['a line feed', '\n'],
    ['a carriage return', '\r'],
  ] as const) {
    it(`rejects ${label} inside the author`, () => {
      assertInvalid(
        () => validateNewMessage({ author: `Ada${char}Lovelace`, text: 'hi' }),
        'INVALID_AUTHOR',
        /author must not contain control characters/,
      );
    });
  }

  for (const [label, char] of [
    ['NUL (U+0000)', '\u0000'],
    ['U+0001', '\u0001'],
    ['ESC (U+001B)', '\u001b'],
    ['U+001F', '\u001f'],
    ['DEL (U+007F)', '\u007f'],
    ['U+0080 (first C1)', '\u0080'],
    ['NEL (U+0085)', '\u0085'],
    ['U+009F (last C1)', '\u009f'],
  ] as const) {
    it(`rejects ${label} in the author, even at its end`, () => {
      assertInvalid(
        () => validateNewMessage({ author: `Ada${char}`, text: 'hi' }),
        'INVALID_AUTHOR',
        /control characters/,
      );
    });
  }

  for (const [label, char] of [
    ['a line separator (U+2028)', '\u2028'],
    ['a paragraph separator (U+2029)', '\u2029'],
  ] as const) {
    it(`rejects ${label} inside the author: an author is one line`, () => {
      assertInvalid(
        () => validateNewMessage({ author: `Ada${char}Lovelace`, text: 'hi' }),
        'INVALID_AUTHOR',
        /author must not contain control characters, line breaks or bidirectional overrides/,
      );
    });
  }

  for (const [label, char] of [
    ['a left-to-right embedding (U+202A)', '\u202a'],
    ['a right-to-left embedding (U+202B)', '\u202b'],
    ['a pop directional formatting (U+202C)', '\u202c'],
    ['a left-to-right override (U+202D)', '\u202d'],
    ['a right-to-left override (U+202E)', '\u202e'],
    ['a left-to-right isolate (U+2066)', '\u2066'],
    ['a right-to-left isolate (U+2067)', '\u2067'],
    ['a first-strong isolate (U+2068)', '\u2068'],
    ['a pop directional isolate (U+2069)', '\u2069'],
  ] as const) {
    it(`rejects ${label} in the author, which would reorder what is shown after it, and writes it out in an error`, () => {
      assertInvalid(
        () => validateNewMessage({ author: `Ada${char}Lovelace`, text: 'hi' }),
        'INVALID_AUTHOR',
        /bidirectional overrides/,
      );
      assert.equal(escapeControls(`a${char}b`), `a\\u${(char.codePointAt(0) ?? 0).toString(16)}b`);
    });
  }

  it('keeps a right-to-left author, with its marks, and bidi controls in the text', () => {
    const message = validateNewMessage({ author: 'שרה\u200f', text: 'a \u202eb\u202c c' });
    assert.equal(message.author, 'שרה\u200f');
    assert.equal(message.text, 'a \u202eb\u202c c');
  });

  for (const [label, value] of [
    ['zero-width spaces and word joiners', '\u200b\u2060\u200b'],
    ['a Hangul filler', '\u3164'],
    ['soft hyphens between spaces', ' \u00ad \u00ad '],
    ['a Mongolian vowel separator', '\u180e'],
    ['blank Braille patterns', '\u2800\u2800'],
    ['combining marks with nothing to mark', '\u0301\u0308 \u0327'],
  ] as const) {
    it(`rejects an author or a text of only ${label}: it would show as nothing`, () => {
      assertInvalid(
        () => validateNewMessage({ author: value, text: 'hi' }),
        'INVALID_AUTHOR',
        /author must not be empty \(it holds only invisible characters\)/,
      );
      assertInvalid(
        () => validateNewMessage({ author: 'Ada', text: value }),
        'INVALID_TEXT',
        /text must not be empty/,
      );
    });
  }

  it('accepts invisible characters beside visible ones (a zero-width joiner in an emoji)', () => {
    const author = 'Ada \u{1F469}\u200d\u{1F4BB}';
    assert.equal(validateNewMessage({ author, text: 'hi\u200b' }).author, author);
  });

  it('accepts combining marks on a letter, and a Braille pattern beside other characters', () => {
    const author = 'Zoe\u0308 Ame\u0301lie';
    assert.equal(validateNewMessage({ author, text: '\u2800\u2801 braille' }).author, author);
  });

  it('accepts characters just outside the control ranges (space, "~", NBSP) and non-Latin letters', () => {
    const author = 'Ada ~\u00a0Åsa 李 Zoë';
    assert.equal(validateNewMessage({ author, text: 'hi' }).author, author);
  });
});

describe('validateNewMessage: text', () => {
  it('accepts a text of exactly 2000 characters', () => {
    const text = 'x'.repeat(2000);
    assert.equal(validateNewMessage({ author: 'Ada', text }).text, text);
  });

  it('rejects a text longer than 2000 characters', () => {
    assertInvalid(
      () => validateNewMessage({ author: 'Ada', text: 'x'.repeat(2001) }),
      'INVALID_TEXT',
      /text is 2001 characters; at most 2000 are allowed/,
    );
  });

  it('counts characters as code points: 2000 emoji (4000 UTF-16 units) are accepted', () => {
    const text = EMOJI.repeat(2000);
    assert.equal(validateNewMessage({ author: 'Ada', text }).text, text);
  });

  it('rejects 2001 emoji', () => {
    assertInvalid(
      () => validateNewMessage({ author: 'Ada', text: EMOJI.repeat(2001) }),
      'INVALID_TEXT',
      /text is 2001 characters/,
    );
  });

  it('counts a ZWJ emoji sequence by its code points, not as one grapheme', () => {
    assert.equal(validateNewMessage({ author: 'Ada', text: FAMILY.repeat(400) }).text, FAMILY.repeat(400));
    assertInvalid(
      () => validateNewMessage({ author: 'Ada', text: FAMILY.repeat(401) }),
      'INVALID_TEXT',
      /text is 2005 characters/,
    );
  });

  it('measures the length after trimming: 2000 characters with surrounding whitespace are accepted', () => {
    const text = 'y'.repeat(2000);
    assert.equal(validateNewMessage({ author: 'Ada', text: `\n\t  ${text}  \r\n` }).text, text);
  });

  it('rejects an empty text', () => {
    assertInvalid(() => validateNewMessage({ author: 'Ada', text: '' }), 'INVALID_TEXT', /must not be empty/);
  });

  it('rejects a text of only whitespace and newlines', () => {
    assertInvalid(
      () => validateNewMessage({ author: 'Ada', text: ' \n\t\r\n ' }),
      'INVALID_TEXT',
      /must not be empty/,
    );
  });

  it('keeps tabs, line feeds, carriage returns and line separators inside the text', () => {
    const text = 'line one\n\tindented\r\nline three\u2028line four';
    assert.equal(validateNewMessage({ author: 'Ada', text }).text, text);
  });

  for (const [label, char] of [
    ['NUL (U+0000)', '\u0000'],
    ['BEL (U+0007)', '\u0007'],
    ['backspace (U+0008)', '\u0008'],
    ['vertical tab (U+000B)', '\u000b'],
    ['form feed (U+000C)', '\u000c'],
    ['U+000E', '\u000e'],
    ['ESC (U+001B)', '\u001b'],
    ['U+001F', '\u001f'],
    ['DEL (U+007F)', '\u007f'],
    ['U+0080', '\u0080'],
    ['NEL (U+0085)', '\u0085'],
    ['U+009F', '\u009f'],
  ] as const) {
    it(`rejects ${label} inside the text`, () => {
      assertInvalid(
        () => validateNewMessage({ author: 'Ada', text: `before${char}after` }),
        'INVALID_TEXT',
        /text must not contain control characters/,
      );
    });
  }

  it('validates the author before the text', () => {
    assertInvalid(() => validateNewMessage({ author: '', text: '' }), 'INVALID_AUTHOR');
  });
});

describe('parseLimit', () => {
  it('defaults to the 3 most recent messages when limit is absent', () => {
    assert.equal(parseLimit(undefined), 3);
    assert.equal(limits.pageDefault, 3);
  });

  it('accepts the smallest page, 1', () => {
    assert.equal(parseLimit('1'), 1);
  });

  it('accepts the largest page, 100', () => {
    assert.equal(parseLimit('100'), 100);
  });

  it('returns the number for a value in between', () => {
    assert.equal(parseLimit('42'), 42);
  });

  it('reads leading zeros as the CLI does, however many digits they make', () => {
    assert.equal(parseLimit('03'), 3);
    assert.equal(parseLimit('0100'), 100);
    assert.equal(parseLimit('0000000042'), 42);
  });

  for (const [label, raw] of [
    ['0', '0'],
    ['101', '101'],
    ['1000', '1000'],
    ['"0101"', '0101'],
    ['"00"', '00'],
    ['"abc"', 'abc'],
    ['"1.5"', '1.5'],
    ['repeated keys joined as "1,2"', '1,2'],
    ['"-1"', '-1'],
    ['" 5" (leading space)', ' 5'],
    ['"5 " (trailing space)', '5 '],
    ['"+5"', '+5'],
    ['"1e2"', '1e2'],
    ['"0x10"', '0x10'],
    ['an empty value (?limit=)', ''],
    ['a full-width digit', '\uff15'],
  ] as const) {
    it(`rejects a limit of ${label} with INVALID_LIMIT`, () => {
      assertInvalid(() => parseLimit(raw), 'INVALID_LIMIT', /limit must be a whole number from 1 to 100/);
    });
  }

  it('quotes the rejected value, cut to 40 characters', () => {
    assert.throws(
      () => parseLimit('9'.repeat(500)),
      (error: unknown) =>
        error instanceof ValidationError && error.message.endsWith(`got "${'9'.repeat(40)}"`),
    );
  });
});

describe('parseSince', () => {
  const id = '01J0000000000000000000000A';

  it('returns undefined when since is absent', () => {
    assert.equal(parseSince(undefined), undefined);
  });

  it('returns a valid message id unchanged', () => {
    assert.equal(parseSince(id), id);
    assert.equal(parseSince('7ZZZZZZZZZZZZZZZZZZZZZZZZZ'), '7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
  });

  it('reads an id in lower case as the id it is, in the upper case of stored ids', () => {
    assert.equal(parseSince(id.toLowerCase()), id);
  });

  for (const [label, raw] of [
    ['an empty value', ''],
    ['25 characters', id.slice(1)],
    ['27 characters', `${id}0`],
    ['a value over the largest ULID (7ZZ...)', '8ZZZZZZZZZZZZZZZZZZZZZZZZZ'],
    ['the letter I, not in Crockford base32', '01J000000000000000000000I0'],
    ['the letter L', '01J000000000000000000000L0'],
    ['the letter O', '01J000000000000000000000O0'],
    ['the letter U', '01J000000000000000000000U0'],
    ['a timestamp', '2024-06-17T15:52:39.080Z'],
    ['a UUID', '2b4257df-30cb-ee69-6ef2-cf2800000000'],
    ['surrounding spaces', ` ${id} `],
    // Letters that Unicode upper-cases into ULID letters: long s (U+017F) into S, sharp s into SS,
    // the ligature ff (U+FB00) into FF.
    ['a long s in place of an s', `${id.slice(0, 25)}\u017f`],
    ['a sharp s in place of two s', `${id.slice(0, 24)}\u00df`],
    ['the ligature ff in place of two f', `${id.slice(0, 24)}\ufb00`],
  ] as const) {
    it(`rejects since with ${label} with INVALID_SINCE`, () => {
      assertInvalid(() => parseSince(raw), 'INVALID_SINCE', /since must be a message id/);
    });
  }

  it('quotes at most 40 characters of a rejected value', () => {
    assert.throws(
      () => parseSince('x'.repeat(5000)),
      (error: unknown) =>
        error instanceof ValidationError && error.message.endsWith(`got "${'x'.repeat(40)}"`),
    );
  });

  it('agrees with isMessageId, which takes ids as stored: upper case', () => {
    assert.equal(isMessageId(id), true);
    assert.equal(isMessageId(id.toLowerCase()), false);
    assert.equal(isMessageId('8ZZZZZZZZZZZZZZZZZZZZZZZZZ'), false);
  });
});

describe('validateBoard', () => {
  for (const board of ['default', 'a', 'Team_Board-2', '0', '-', '_', 'z'.repeat(64)]) {
    it(`accepts the board name ${JSON.stringify(board.length > 10 ? `${board.slice(0, 8)}… (${board.length})` : board)}`, () => {
      assert.equal(validateBoard(board), board);
    });
  }

  for (const [label, board] of [
    ['an empty name', ''],
    ['65 characters', 'z'.repeat(65)],
    ['a space', 'team board'],
    ['a dot', 'team.board'],
    ['a slash', 'team/board'],
    ['a percent-encoded slash', 'team%2Fboard'],
    ['a non-ASCII letter', 'tëam'],
    ['an emoji', `team${EMOJI}`],
    ['a trailing newline', 'team\n'],
    ['a NUL', 'team\u0000'],
  ] as const) {
    it(`rejects a board name with ${label} with INVALID_BOARD`, () => {
      assertInvalid(() => validateBoard(board), 'INVALID_BOARD', /use 1-64 letters, digits, "_" or "-"/);
    });
  }

  it('quotes at most 80 characters of a rejected board name', () => {
    assert.throws(
      () => validateBoard('b'.repeat(1000)),
      (error: unknown) =>
        error instanceof ValidationError && error.message.startsWith(`board "${'b'.repeat(80)}" is`),
    );
  });
});

describe('validateNewMessage: Unicode well-formedness', () => {
  it('rejects a text holding a lone surrogate', () => {
    assert.throws(
      () => validateNewMessage({ author: 'ann', text: 'broken \ud800 text' }),
      (error: unknown) => error instanceof ValidationError && error.code === 'INVALID_TEXT',
    );
  });

  it('rejects an author holding a lone surrogate, and says so', () => {
    assertInvalid(
      () => validateNewMessage({ author: 'ann\udc00', text: 'hi' }),
      'INVALID_AUTHOR',
      /^author must be valid Unicode \(it holds a lone surrogate\)$/,
    );
  });
});
