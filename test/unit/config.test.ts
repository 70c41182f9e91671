import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readConfig } from '../../backend/config.ts';

describe('readConfig (backend/config.ts)', () => {
  it('takes the table name and the endpoint without the blanks around them', () => {
    assert.deepEqual(
      readConfig({ TABLE_NAME: ' messages-dev\n', DYNAMODB_ENDPOINT: ' http://127.0.0.1:8000 ' }),
      {
        tableName: 'messages-dev',
        dynamoDbEndpoint: 'http://127.0.0.1:8000',
      },
    );
  });

  it('takes a blank DYNAMODB_ENDPOINT as none: DynamoDB itself', () => {
    assert.equal(readConfig({ TABLE_NAME: 't', DYNAMODB_ENDPOINT: '  ' }).dynamoDbEndpoint, undefined);
    assert.equal(readConfig({ TABLE_NAME: 't' }).dynamoDbEndpoint, undefined);
  });

  // At init, so that the function fails once with the fix, not every request with a 500.
  for (const [label, env] of [
    ['missing', {}],
    ['empty', { TABLE_NAME: '' }],
    ['blank', { TABLE_NAME: ' \t' }],
  ] as const) {
    it(`refuses a ${label} TABLE_NAME, saying how to set it`, () => {
      assert.throws(() => readConfig(env), {
        message:
          'TABLE_NAME environment variable is not set: set it to the messages table name (the CDK stack and npm start do)',
      });
    });
  }
});
