/**
 * Which network failures may have reached the server (a POST may have been stored: never sent
 * again, and the user is told to check) and which are worth another try. A code in the wrong
 * group either posts a message twice or gives up on a request that never left.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyFailure, codeOf, type FailureClass } from '../../cli/network-failure.ts';

describe('classifyFailure', () => {
  const cases: (readonly [string, string | undefined, FailureClass])[] = [
    // No connection was made, so nothing was sent; another try may connect.
    ...[
      'ECONNREFUSED',
      'EAI_AGAIN',
      'EHOSTUNREACH',
      'EHOSTDOWN',
      'ENETUNREACH',
      'ENETDOWN',
      'EADDRNOTAVAIL',
      'UND_ERR_CONNECT_TIMEOUT',
    ].map((code) => ['never connected', code, { mayHaveArrived: false, transient: true }] as const),
    // Connected and sent, then the connection broke or the answer was late: maybe processed.
    ...[
      'ECONNRESET',
      'EPIPE',
      'ETIMEDOUT',
      'UND_ERR_SOCKET',
      'UND_ERR_CLOSED',
      'UND_ERR_HEADERS_TIMEOUT',
      'UND_ERR_BODY_TIMEOUT',
      'ATTEMPT_TIMEOUT',
    ].map((code) => ['sent, then broken', code, { mayHaveArrived: true, transient: true }] as const),
    // Nothing sent, and another try fails the same way.
    ['unknown host', 'ENOTFOUND', { mayHaveArrived: false, transient: false }],
    ['TLS', 'ERR_TLS_CERT_ALTNAME_INVALID', { mayHaveArrived: false, transient: false }],
    ['TLS', 'ERR_SSL_WRONG_VERSION_NUMBER', { mayHaveArrived: false, transient: false }],
    ['TLS', 'SELF_SIGNED_CERT_IN_CHAIN', { mayHaveArrived: false, transient: false }],
    ['incomplete build', 'WHITEBOARD_INCOMPLETE_BUILD', { mayHaveArrived: false, transient: false }],
    // Sent, and the parser's bytes will not compile on another try either.
    ['broken build', 'WHITEBOARD_BROKEN_BUILD', { mayHaveArrived: true, transient: false }],
    // What cannot be placed may have arrived, and is not tried again.
    ['a broken answer', 'HPE_INVALID_CONSTANT', { mayHaveArrived: true, transient: false }],
    ['an unknown code', 'EWHATEVER', { mayHaveArrived: true, transient: false }],
    ['no code', undefined, { mayHaveArrived: true, transient: false }],
  ];
  for (const [why, code, expected] of cases) {
    it(`${code ?? 'no code'} (${why}): ${expected.mayHaveArrived ? 'may have arrived' : 'never arrived'}, ${expected.transient ? 'retried' : 'not retried'}`, () => {
      assert.deepEqual(classifyFailure(code), expected);
    });
  }
});

describe('codeOf', () => {
  it('finds the code through the causes and aggregate errors Node and undici wrap it in', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    assert.equal(codeOf(refused), 'ECONNREFUSED');
    assert.equal(codeOf(new Error('fetch failed', { cause: refused })), 'ECONNREFUSED');
    assert.equal(codeOf(new AggregateError([refused, new Error('other')])), 'ECONNREFUSED');
    assert.equal(codeOf(new Error('no code')), undefined);
    assert.equal(codeOf('a string'), undefined);
  });
});
