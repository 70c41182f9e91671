/**
 * Limits set elsewhere from the functions' timeouts (backend/http/routes.ts): a timeout lowered
 * there must not leave them wrong without a word.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Retry } from '@smithy/core/retry';
import { CALL_LIMITS } from '../../backend/adapters/dynamodb-client.ts';
import { functions } from '../../backend/http/routes.ts';
import { FOLLOW_LOOKBACK_MS } from '../../cli/commands/read.ts';

// The standard retry mode waits before a first retry a random fraction of its base delay
// (@smithy/core, DefaultRetryBackoffStrategy: random x base x 2^0), whose base is larger after a
// throttling error than after a transient one (a timeout is one): StandardRetryStrategy.
const RETRY_BACKOFF_MAX_MS = Math.max(Retry.delay(), Retry.throttlingDelay());

describe('limits that follow from the functions timeouts', () => {
  for (const definition of Object.values(functions)) {
    it(`lets every DynamoDB call of ${definition.id}, retry included, end before its timeout`, () => {
      const { maxAttempts, connectionTimeout, requestTimeout } = CALL_LIMITS;
      const longestMs =
        maxAttempts * (connectionTimeout + requestTimeout) + (maxAttempts - 1) * RETRY_BACKOFF_MAX_MS;
      assert.ok(
        longestMs < definition.timeout * 1000,
        `${longestMs} ms of DynamoDB calls against a ${definition.timeout} s timeout`,
      );
    });
  }

  for (const definition of Object.values(functions)) {
    // "Maximum integration timeout: 30 seconds" (API Gateway Developer Guide, "Quotas for
    // configuring and running an HTTP API"): a function that ran longer would be cut off by the API
    // in AWS while the local gateway, which waits for the function, still answered.
    it(`gives ${definition.id} a timeout within the HTTP API's 30 s integration timeout`, () => {
      assert.ok(definition.timeout <= 30, `${definition.timeout} s`);
    });
  }

  it('has --follow look back at least as long as a post can take to be stored', () => {
    assert.ok(FOLLOW_LOOKBACK_MS >= functions.postMessage.timeout * 1000);
  });
});
