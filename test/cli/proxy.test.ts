import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../cli/errors.ts';
import { classifyFailure, describeNetworkFailure, failureCode } from '../../cli/network-failure.ts';
import { bypassesProxy, proxyFor } from '../../cli/proxy.ts';

const via = (url: string, env: Record<string, string>) => proxyFor(new URL(url), env);

describe('which proxy the CLI goes through', () => {
  it('takes HTTPS_PROXY for an https:// API, HTTP_PROXY without it, and HTTP_PROXY for http://', () => {
    const env = { HTTPS_PROXY: 'http://secure:3128', HTTP_PROXY: 'http://plain:3128' };
    assert.deepEqual(via('https://api.example.com', env), {
      uri: 'http://secure:3128/',
      origin: 'http://secure:3128',
      variable: 'HTTPS_PROXY',
    });
    assert.equal(via('https://api.example.com', { HTTP_PROXY: 'http://plain:3128' })?.variable, 'HTTP_PROXY');
    assert.equal(via('http://api.example.com', env)?.variable, 'HTTP_PROXY');
    assert.equal(via('http://api.example.com', { HTTPS_PROXY: 'http://secure:3128' }), undefined);
  });

  it('prefers the lower-case names, skips blank ones, and reads a bare host:port as http://', () => {
    assert.equal(
      via('https://api.example.com', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' })
        ?.origin,
      'http://lower:1',
    );
    assert.equal(
      via('https://api.example.com', { https_proxy: '  ', HTTPS_PROXY: 'http://upper:2' })?.origin,
      'http://upper:2',
    );
    assert.equal(
      via('https://api.example.com', { HTTPS_PROXY: 'proxy.corp:8080' })?.origin,
      'http://proxy.corp:8080',
    );
  });

  it('keeps credentials for the proxy, and leaves them out of its name in messages', () => {
    const proxy = via('https://api.example.com', { HTTPS_PROXY: 'http://me:s%40cret@proxy.corp:8080' });
    assert.equal(proxy?.uri, 'http://me:s%40cret@proxy.corp:8080/');
    assert.equal(proxy?.origin, 'http://proxy.corp:8080');
  });

  it('never proxies a loopback API: the local stack', () => {
    const env = { HTTP_PROXY: 'http://proxy:3128', HTTPS_PROXY: 'http://proxy:3128' };
    for (const url of [
      'http://127.0.0.1:3000',
      'http://127.5.0.1',
      'http://localhost:3000',
      'https://[::1]:3000',
    ]) {
      assert.equal(via(url, env), undefined, url);
    }
    assert.notEqual(via('http://10.0.0.1:3000', env), undefined);
  });

  it('goes direct to the hosts NO_PROXY lists: the host, the hosts under it, on its port if it names one', () => {
    const cases: Array<[string, string, number, boolean]> = [
      ['*', 'api.example.com', 443, true],
      ['example.com', 'example.com', 443, true],
      ['example.com', 'api.example.com', 443, true],
      ['.example.com', 'api.example.com', 443, true],
      ['*.example.com', 'api.example.com', 443, true],
      ['example.com', 'badexample.com', 443, false],
      ['example.com:8443', 'api.example.com', 443, false],
      ['example.com:8443', 'api.example.com', 8443, true],
      ['other.org, example.com', 'api.example.com', 443, true],
      ['other.org example.com', 'api.example.com', 443, true],
      ['', 'api.example.com', 443, false],
      ['10.0.0.7', '10.0.0.7', 80, true],
      // IPv6, as URL writes the host (in brackets): bare in the list, or in brackets with a port.
      ['2001:db8::1', '[2001:db8::1]', 443, true],
      ['[2001:db8::1]:8443', '[2001:db8::1]', 8443, true],
      ['[2001:db8::1]:8443', '[2001:db8::1]', 443, false],
    ];
    for (const [list, host, port, expected] of cases) {
      assert.equal(bypassesProxy(list, host, port), expected, `${JSON.stringify(list)} ${host}:${port}`);
    }
    const env = { HTTPS_PROXY: 'http://proxy:3128', no_proxy: '.amazonaws.com', NO_PROXY: 'ignored.example' };
    assert.equal(via('https://abc.execute-api.eu-west-1.amazonaws.com', env), undefined);
    assert.notEqual(via('https://ignored.example', env), undefined);
  });

  it('refuses a proxy setting it cannot use, naming the variable (a usage error)', () => {
    assert.throws(
      () => via('https://api.example.com', { HTTPS_PROXY: 'http://[bad' }),
      (error: unknown) =>
        error instanceof UsageError && /^HTTPS_PROXY is not a proxy URL/.test(error.message),
    );
    // Quoted without its credentials.
    assert.throws(
      () => via('https://api.example.com', { HTTPS_PROXY: 'http://me:s3cret@proxy:port' }),
      (error: unknown) =>
        error instanceof UsageError &&
        error.message.endsWith(': http://proxy:port') &&
        !error.message.includes('s3cret'),
    );
    assert.throws(
      () => via('https://api.example.com', { HTTPS_PROXY: 'socks5://proxy:1080' }),
      (error: unknown) =>
        error instanceof UsageError && /^HTTPS_PROXY must be an http:\/\/ or https:\/\//.test(error.message),
    );
  });
});

describe('a failure through a proxy, as the CLI says it', () => {
  const context = {
    baseUrl: 'https://api.example.com',
    hostname: 'api.example.com',
    timeoutMs: 5000,
    unreachableHint: 'is the API deployed?',
    proxy: { origin: 'http://proxy.corp:3128', variable: 'HTTPS_PROXY' },
  };
  const failure = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

  it('names the proxy when its CONNECT is refused, with a word on credentials for a 407', () => {
    assert.equal(
      describeNetworkFailure(
        failure('Proxy response (403) !== 200 when HTTP Tunneling', 'UND_ERR_ABORTED'),
        1,
        context,
      ),
      'the proxy http://proxy.corp:3128 (HTTPS_PROXY) refused the request to https://api.example.com: it answered 403',
    );
    assert.match(
      describeNetworkFailure(failure('Proxy response (407) !== 200 when HTTP Tunneling'), 1, context),
      /it answered 407; it asks for credentials: http:\/\/user:password@host:port in HTTPS_PROXY$/,
    );
  });

  it('says a 502, 503 or 504 to its CONNECT is the proxy not reaching the API: nothing sent, worth another try', () => {
    const error = failure('Proxy response (502) !== 200 when HTTP Tunneling', 'UND_ERR_ABORTED');
    assert.equal(
      describeNetworkFailure(error, 3, context),
      'the proxy http://proxy.corp:3128 (HTTPS_PROXY) could not reach https://api.example.com: it answered 502 (tried 3 times)',
    );
    assert.deepEqual(classifyFailure(failureCode(error)), { mayHaveArrived: false, transient: true });
    // A refusal is not worth another try, and sent nothing either.
    const refused = failure('Proxy response (403) !== 200 when HTTP Tunneling', 'UND_ERR_ABORTED');
    assert.deepEqual(classifyFailure(failureCode(refused)), { mayHaveArrived: false, transient: false });
  });

  it('says a connection that could not be made is one to the proxy, and adds the proxy to other failures', () => {
    assert.equal(
      describeNetworkFailure(failure('connect ECONNREFUSED', 'ECONNREFUSED'), 1, context),
      'cannot reach the proxy http://proxy.corp:3128 (HTTPS_PROXY): connection refused',
    );
    assert.equal(
      describeNetworkFailure(failure('getaddrinfo ENOTFOUND', 'ENOTFOUND'), 1, context),
      'cannot reach the proxy http://proxy.corp:3128 (HTTPS_PROXY): host proxy.corp not found',
    );
    assert.equal(
      describeNetworkFailure(failure('other side closed', 'UND_ERR_SOCKET'), 1, context),
      'https://api.example.com closed the connection before answering (through the proxy http://proxy.corp:3128 (HTTPS_PROXY))',
    );
  });
});
