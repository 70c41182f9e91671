import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedHost } from '../../backend/local/allowed-hosts.ts';

describe('allowedHost: the Host names the local stack answers', () => {
  const onLoopback = allowedHost('127.0.0.1');

  it('answers IP addresses, localhost and the names under it, with or without a port', () => {
    for (const host of [
      '127.0.0.1',
      '127.0.0.1:3000',
      '192.168.1.20:3000',
      '[::1]',
      '[::1]:3000',
      'localhost',
      'localhost:3000',
      'LocalHost.:3000',
      'app.localhost:3000',
    ]) {
      assert.equal(onLoopback(host), true, host);
    }
  });

  it('refuses other names, those a page could make resolve to this machine', () => {
    for (const host of [
      'rebind.example',
      'rebind.example:3000',
      'localhost.example',
      'notlocalhost',
      '127.0.0.1.nip.io',
      '[::1',
      '',
    ]) {
      assert.equal(onLoopback(host), false, host);
    }
  });

  it('answers the names it was told to allow, a leading dot for a domain and the names under it', () => {
    const allowing = allowedHost('127.0.0.1', ['proxy.test.', '.tunnel.test']);
    for (const host of [
      'proxy.test',
      'PROXY.test:8080',
      'tunnel.test',
      'a.tunnel.test',
      'a.b.tunnel.test:443',
    ]) {
      assert.equal(allowing(host), true, host);
    }
    for (const host of ['a.proxy.test', 'xproxy.test', 'xtunnel.test', 'tunnel.test.evil.example']) {
      assert.equal(allowing(host), false, host);
    }
  });

  it('answers the name the stack was told to listen on', () => {
    const named = allowedHost('whiteboard.lan');
    assert.equal(named('whiteboard.lan:3000'), true);
    assert.equal(named('WHITEBOARD.LAN'), true);
    assert.equal(named('other.lan:3000'), false);
  });
});
