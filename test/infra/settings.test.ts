import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSettings, SettingsError, stackName } from '../../infra/settings.ts';

const read = (context: Record<string, unknown> = {}, env: Record<string, string> = {}) =>
  readSettings({ context: (key) => context[key], env });

describe('deployment settings', () => {
  it('defaults to a disposable dev stage with every origin allowed and no alarm e-mail', () => {
    assert.deepEqual(read(), {
      stage: 'dev',
      isDevStage: true,
      corsOrigins: ['*'],
      // The defaults the README's Settings table states.
      throttle: { rateLimit: 50, burstLimit: 100 },
      alarmEmail: undefined,
      logRetentionDays: 30,
    });
    assert.equal(stackName('dev'), 'Whiteboard-dev');
  });

  it('reads every setting from the environment', () => {
    assert.deepEqual(
      read(
        {},
        {
          WHITEBOARD_STAGE: 'prod',
          WHITEBOARD_CORS_ORIGINS: 'https://a.example.com, https://b.example.com:8443',
          WHITEBOARD_THROTTLE_RATE_LIMIT: '200',
          WHITEBOARD_THROTTLE_BURST_LIMIT: '400',
          WHITEBOARD_ALARM_EMAIL: 'ops@example.com',
          WHITEBOARD_LOG_RETENTION_DAYS: '90',
        },
      ),
      {
        stage: 'prod',
        isDevStage: false,
        corsOrigins: ['https://a.example.com', 'https://b.example.com:8443'],
        throttle: { rateLimit: 200, burstLimit: 400 },
        alarmEmail: 'ops@example.com',
        logRetentionDays: 90,
      },
    );
  });

  it('prefers CDK context (-c key=value, or values from cdk.json) over the environment', () => {
    const settings = read(
      { stage: 'staging', logRetentionDays: 14, corsOrigins: ['https://a.example.com'] },
      { WHITEBOARD_STAGE: 'prod', WHITEBOARD_LOG_RETENTION_DAYS: '90' },
    );
    assert.equal(settings.stage, 'staging');
    assert.equal(settings.logRetentionDays, 14);
    assert.deepEqual(settings.corsOrigins, ['https://a.example.com']);
  });

  it('treats dev and dev-* stages as disposable, any other as kept', () => {
    assert.equal(read({ stage: 'dev-alice' }).isDevStage, true);
    assert.equal(read({ stage: 'devops' }).isDevStage, false);
    assert.equal(read({ stage: 'staging' }).isDevStage, false);
  });

  it('rejects bad values with a message that names the setting and the fix', () => {
    const rejects = (context: Record<string, unknown>, pattern: RegExp) =>
      assert.throws(
        () => read(context),
        (error: unknown) => error instanceof SettingsError && pattern.test(error.message),
      );
    rejects({ stage: 'Prod' }, /context "stage".*WHITEBOARD_STAGE.*lower-case/);
    rejects({ stage: 'a_b' }, /stage/);
    rejects({ corsOrigins: 'https://a.example.com/path' }, /corsOrigins.*is not an origin/);
    rejects({ throttleRateLimit: '0' }, /throttleRateLimit.*whole number from 1 to 10000/);
    rejects({ throttleBurstLimit: '5001' }, /throttleBurstLimit.*1 to 5000/);
    rejects({ throttleRateLimit: '1.5' }, /throttleRateLimit/);
    rejects({ alarmEmail: 'ops' }, /alarmEmail.*e-mail address/);
    rejects({ logRetentionDays: '10' }, /logRetentionDays.*must be one of 1, 3, 5, 7, 14, 30,/);
    rejects({ throttleRateLimit: '10001' }, /throttleRateLimit.*1 to 10000/);
    rejects({ stage: 'a'.repeat(21) }, /context "stage".*1-20 lower-case/);
  });

  it('takes the largest values each setting allows', () => {
    const largest = read({
      stage: `a${'b-1'.repeat(6)}x`,
      throttleRateLimit: '10000',
      throttleBurstLimit: '5000',
      logRetentionDays: '3653',
    });
    assert.equal(largest.stage.length, 20);
    assert.deepEqual(largest.throttle, { rateLimit: 10_000, burstLimit: 5_000 });
    assert.equal(largest.logRetentionDays, 3653);
  });

  it('takes an empty value as unset', () => {
    assert.equal(read({}, { WHITEBOARD_STAGE: '', WHITEBOARD_ALARM_EMAIL: ' ' }).stage, 'dev');
    assert.equal(read({}, { WHITEBOARD_ALARM_EMAIL: ' ' }).alarmEmail, undefined);
    // As a CI job's variable defined but left empty gives: the defaults, not a failed deploy.
    const blank = read(
      {},
      {
        WHITEBOARD_THROTTLE_RATE_LIMIT: '',
        WHITEBOARD_THROTTLE_BURST_LIMIT: ' ',
        WHITEBOARD_LOG_RETENTION_DAYS: '',
      },
    );
    assert.deepEqual(blank.throttle, { rateLimit: 50, burstLimit: 100 });
    assert.equal(blank.logRetentionDays, 30);
  });
});
