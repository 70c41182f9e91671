import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_API_URL, OUTPUTS_FILE, resolveApiUrl } from '../../cli/config.ts';
import { UsageError } from '../../cli/errors.ts';

const outputs = (stacks: Record<string, unknown>) => JSON.stringify(stacks);
const files =
  (content: Record<string, string>) =>
  (path: string): string | undefined =>
    content[path];
const DEPLOYED = outputs({
  'Whiteboard-dev': {
    ApiUrl: 'https://dev.execute-api.eu-west-1.amazonaws.com/',
    DashboardUrl: 'https://console.aws.amazon.com/cloudwatch/home#dashboards:name=Whiteboard-dev',
    TableName: 'Whiteboard-dev-Messages',
  },
});

describe('resolveApiUrl', () => {
  it('prefers --url over WHITEBOARD_URL and the outputs file', () => {
    const resolved = resolveApiUrl({
      flag: 'http://flag.test:8080',
      env: { WHITEBOARD_URL: 'http://env.test' },
      readTextFile: files({ [OUTPUTS_FILE]: DEPLOYED }),
    });
    assert.deepEqual(resolved, {
      url: 'http://flag.test:8080',
      source: 'flag',
      origin: '--url',
      wrongApiHint: 'is --url http://flag.test:8080 the whiteboard API?',
    });
  });

  it('prefers WHITEBOARD_URL over the outputs file', () => {
    const resolved = resolveApiUrl({
      flag: undefined,
      env: { WHITEBOARD_URL: 'http://env.test/' },
      readTextFile: files({ [OUTPUTS_FILE]: DEPLOYED }),
    });
    assert.equal(resolved.url, 'http://env.test');
    assert.equal(resolved.source, 'env');
  });

  it('ignores an empty WHITEBOARD_URL', () => {
    const resolved = resolveApiUrl({ flag: undefined, env: { WHITEBOARD_URL: '' }, readTextFile: files({}) });
    assert.equal(resolved.url, DEFAULT_API_URL);
  });

  it('takes the ApiUrl of the deployed stack, without the trailing slash', () => {
    const resolved = resolveApiUrl({
      flag: undefined,
      env: {},
      readTextFile: files({ [OUTPUTS_FILE]: DEPLOYED }),
    });
    assert.equal(resolved.url, 'https://dev.execute-api.eu-west-1.amazonaws.com');
    assert.equal(resolved.source, 'outputs');
    assert.match(resolved.origin, /Whiteboard-dev/);
  });

  it('keeps a stage path in the URL', () => {
    const resolved = resolveApiUrl({ flag: 'https://api.test/prod/', env: {}, readTextFile: files({}) });
    assert.equal(resolved.url, 'https://api.test/prod');
  });

  it('reads a cdk-outputs.json that starts with a byte order mark, as some editors save it', () => {
    const outputs = `\ufeff${JSON.stringify({ 'Whiteboard-dev': { ApiUrl: 'https://dev.test/' } })}`;
    const resolved = resolveApiUrl({
      flag: undefined,
      env: {},
      readTextFile: files({ [OUTPUTS_FILE]: outputs }),
    });
    assert.equal(resolved.url, 'https://dev.test');
  });

  it('falls back to the local stack', () => {
    const resolved = resolveApiUrl({ flag: undefined, env: {}, readTextFile: files({}) });
    assert.deepEqual(resolved, {
      url: 'http://127.0.0.1:3000',
      source: 'default',
      origin: 'the default: the local stack',
      wrongApiHint: 'is http://127.0.0.1:3000, the default URL, the local whiteboard API? (or pass --url)',
    });
  });

  it('stops with a usage error when cdk-outputs.json cannot be read', () => {
    const unreadable = (): never => {
      throw Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR' });
    };
    assert.throws(() => resolveApiUrl({ flag: undefined, env: {}, readTextFile: unreadable }), {
      name: 'UsageError',
      message:
        'cannot read cdk-outputs.json (EISDIR: illegal operation on a directory, read); fix or delete it, or pass --url',
    });
  });

  it('picks the first stack by name when several have an ApiUrl, and names the others', () => {
    const text = outputs({
      'Whiteboard-prod': { ApiUrl: 'https://prod.test' },
      Other: { BucketName: 'x' },
      'Whiteboard-dev': { ApiUrl: 'https://dev.test' },
    });
    const resolved = resolveApiUrl({
      flag: undefined,
      env: {},
      readTextFile: files({ [OUTPUTS_FILE]: text }),
    });
    assert.equal(resolved.url, 'https://dev.test');
    assert.equal(
      resolved.origin,
      `ApiUrl of stack Whiteboard-dev in ${OUTPUTS_FILE}; also found Whiteboard-prod`,
    );
  });

  const rejects = (name: string, input: Parameters<typeof resolveApiUrl>[0], message: RegExp) =>
    it(name, () => {
      assert.throws(
        () => resolveApiUrl(input),
        (error: unknown) => {
          assert.ok(error instanceof UsageError);
          assert.match(error.message, message);
          return true;
        },
      );
    });

  rejects(
    'rejects an outputs file that is not JSON',
    { flag: undefined, env: {}, readTextFile: files({ [OUTPUTS_FILE]: '{"Whiteboard-dev": ' }) },
    /cdk-outputs\.json is not valid JSON .*fix or delete cdk-outputs\.json, or pass --url/,
  );
  rejects(
    'rejects an outputs file that is not an object of stacks',
    { flag: undefined, env: {}, readTextFile: files({ [OUTPUTS_FILE]: '["https://x.test"]' }) },
    /must hold a JSON object of stacks/,
  );
  rejects(
    'rejects an outputs file without any ApiUrl',
    { flag: undefined, env: {}, readTextFile: files({ [OUTPUTS_FILE]: outputs({ 'Whiteboard-dev': {} }) }) },
    /has no stack with an ApiUrl output/,
  );
  rejects(
    'rejects an ApiUrl that is not a string',
    { flag: undefined, env: {}, readTextFile: files({ [OUTPUTS_FILE]: outputs({ S: { ApiUrl: 42 } }) }) },
    /ApiUrl of stack S is not a string/,
  );
  rejects(
    'rejects an ApiUrl that is not a URL, saying what to do about the file',
    { flag: undefined, env: {}, readTextFile: files({ [OUTPUTS_FILE]: outputs({ S: { ApiUrl: '' } }) }) },
    /^ApiUrl of stack S in cdk-outputs\.json "" is not a URL; .*; fix or delete cdk-outputs\.json, or pass --url$/,
  );
  rejects(
    'rejects a --url that is not a URL',
    { flag: 'localhost:3000', env: {}, readTextFile: files({}) },
    /--url "localhost:3000" must start with http/,
  );
  rejects(
    'rejects a --url that does not parse',
    { flag: 'http://', env: {}, readTextFile: files({}) },
    /is not a URL/,
  );
  rejects(
    'rejects a WHITEBOARD_URL with another scheme',
    { flag: undefined, env: { WHITEBOARD_URL: 'ftp://x.test' }, readTextFile: files({}) },
    /WHITEBOARD_URL "ftp:\/\/x\.test" must start with http:\/\/ or https:\/\//,
  );
  rejects(
    'rejects a URL with a user name and password, without repeating them',
    { flag: 'https://ann:s3cret@x.test', env: {}, readTextFile: files({}) },
    /^--url must not hold a user name or password: the whiteboard API takes none$/,
  );
  rejects(
    'rejects a URL with a query',
    { flag: 'http://x.test/?a=1', env: {}, readTextFile: files({}) },
    /must not have a query/,
  );
});
