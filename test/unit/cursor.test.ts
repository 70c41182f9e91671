import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCursor, encodeCursor } from '../../backend/domain/cursor.ts';
import { ValidationError } from '../../backend/domain/errors.ts';

const ID = '01J0Z3NDEKTSV4RRFFQ69G5FAV';
const NOT_OURS = /cursor is not a valid page cursor: pass nextCursor from the previous page unchanged/;

const base64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

const assertInvalidCursor = (board: string, cursor: string, message: RegExp = NOT_OURS): void => {
  assert.throws(
    () => decodeCursor(board, cursor),
    (error: unknown) => {
      assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
      assert.equal(error.code, 'INVALID_CURSOR');
      assert.match(error.message, message);
      return true;
    },
  );
};

describe('page cursor', () => {
  it('round-trips: decoding a cursor of a board returns the id it was made from', () => {
    assert.equal(decodeCursor('default', encodeCursor('default', ID)), ID);
    assert.equal(decodeCursor('Team_B-2', encodeCursor('Team_B-2', ID)), ID);
  });

  it('round-trips on a board with the longest allowed name', () => {
    const board = 'b'.repeat(64);
    assert.equal(decodeCursor(board, encodeCursor(board, ID)), ID);
  });

  it('is URL-safe: only base64url characters, no padding', () => {
    for (const board of ['default', 'a', 'ab', 'abc', '-_-', 'z'.repeat(64)]) {
      assert.match(encodeCursor(board, ID), /^[A-Za-z0-9_-]+$/);
    }
  });

  it('differs between boards and between ids', () => {
    assert.notEqual(encodeCursor('a', ID), encodeCursor('b', ID));
    assert.notEqual(encodeCursor('a', ID), encodeCursor('a', '01J0Z3NDEKTSV4RRFFQ69G5FAW'));
  });

  it('rejects a cursor from another board, naming both boards', () => {
    assertInvalidCursor(
      'default',
      encodeCursor('team-a', ID),
      /cursor belongs to board "team-a", not "default"/,
    );
  });

  it('rejects a cursor whose board differs only in letter case', () => {
    assertInvalidCursor('team', encodeCursor('Team', ID), /belongs to board "Team"/);
  });

  for (const [label, cursor] of [
    ['an empty cursor', ''],
    ['garbage with punctuation', 'not a cursor!'],
    ['standard base64 with "+" and "/"', 'ab+/cd'],
    ['base64 padding', `${encodeCursor('default', ID)}=`],
    ['percent-encoding left in', 'eyJiIjoiZGVmYXVsdCJ9%3D'],
    ['base64url that is not JSON', base64url('not json at all')],
    ['a single base64url character', 'a'],
    ['a cursor longer than 512 characters', 'A'.repeat(513)],
  ] as const) {
    it(`rejects ${label} with INVALID_CURSOR`, () => {
      assertInvalidCursor('default', cursor);
    });
  }

  it('rejects a cursor whose JSON was cut short', () => {
    const json = Buffer.from(encodeCursor('default', ID), 'base64url').toString('utf8');
    assertInvalidCursor('default', base64url(json.slice(0, -1)));
  });

  it('takes a cursor of 512 characters and refuses one of 513, even when its JSON is valid', () => {
    // 384 bytes of JSON are 512 base64url characters; one more character, too few bits for a
    // byte, decodes to the same JSON, so only the length refuses it.
    const unpadded = JSON.stringify({ b: 'default', k: ID, pad: '' });
    const cursor = base64url(JSON.stringify({ b: 'default', k: ID, pad: 'p'.repeat(384 - unpadded.length) }));
    assert.equal(cursor.length, 512);
    assert.equal(decodeCursor('default', cursor), ID);
    assertInvalidCursor('default', `${cursor}A`);
  });

  for (const [label, json] of [
    ['null', 'null'],
    ['an array', JSON.stringify(['default', ID])],
    ['a string', JSON.stringify(ID)],
    ['a number', '42'],
    ['an object without the id', JSON.stringify({ b: 'default' })],
    ['an object without the board', JSON.stringify({ k: ID })],
    ['a numeric id', JSON.stringify({ b: 'default', k: 42 })],
    ['a numeric board', JSON.stringify({ b: 7, k: ID })],
    ['a lower-case id', JSON.stringify({ b: 'default', k: ID.toLowerCase() })],
    ['an id of 25 characters', JSON.stringify({ b: 'default', k: ID.slice(1) })],
    [
      'an id with a letter outside Crockford base32',
      JSON.stringify({ b: 'default', k: `${ID.slice(0, -1)}U` }),
    ],
    ['an id that is a timestamp', JSON.stringify({ b: 'default', k: '2024-06-17T15:52:39.080Z' })],
  ] as const) {
    it(`rejects a base64url cursor holding ${label} with INVALID_CURSOR`, () => {
      assertInvalidCursor('default', base64url(json));
    });
  }

  it('checks the id format before the board, so a malformed cursor never echoes its board', () => {
    assertInvalidCursor('default', base64url(JSON.stringify({ b: 'elsewhere', k: 'nope' })), NOT_OURS);
  });
});
