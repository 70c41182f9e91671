import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MINIMUM_NODE, unsupportedNode } from '../../backend/supported-node.ts';
import { OLDER_NODE_ENV, runScript } from '../helpers/run-script.ts';

describe('the Node.js versions the commands run on', () => {
  it("are package.json's engines", () => {
    const { engines } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      engines: { node: string };
    };
    assert.equal(engines.node, `>=${MINIMUM_NODE}`);
  });

  for (const version of ['20.18.0', '20.18.1', '20.19.5', '21.0.0', '22.12.0', '24.21.0', '100.0.0']) {
    it(`take ${version}`, () => {
      assert.equal(unsupportedNode(version), undefined);
    });
  }

  for (const version of ['20.17.0', '20.17.99', '19.9.0', '18.20.4', '16.0.0', '0.10.48']) {
    it(`refuse ${version}, naming it, this node and the oldest it takes`, () => {
      assert.equal(
        unsupportedNode(version),
        `Node.js ${version} (${process.execPath}) is older than whiteboard supports: it needs 20.18.0 ` +
          'or newer. Install a newer one (https://nodejs.org), then run the command again',
      );
    });
  }

  it('read a pre-release as npm does: before its release (20.18.0-rc.1 refused, 20.18.1-rc.1 taken)', () => {
    assert.match(unsupportedNode('20.18.0-rc.1') ?? '', /^Node\.js 20\.18\.0-rc\.1 /);
    assert.match(unsupportedNode('20.17.1-nightly20240901') ?? '', /^Node\.js 20\.17\.1-nightly/);
    assert.equal(unsupportedNode('20.18.1-rc.1'), undefined);
    assert.equal(unsupportedNode('22.0.0-nightly20240101'), undefined);
  });

  it('read a version without its patch number as .0 (20.18 taken, 20.17 refused)', () => {
    assert.equal(unsupportedNode('20.18'), undefined);
    assert.match(unsupportedNode('20.17') ?? '', /^Node\.js 20\.17 /);
  });

  it('are checked by npm test before any test runs (exit 1, one line)', async () => {
    const ended = await runScript('scripts/test.ts', ['test/unit/cursor.test.ts'], OLDER_NODE_ENV);
    assert.equal(ended.code, 1, ended.stderr);
    assert.match(
      ended.stderr,
      /^npm test: Node\.js 18\.20\.4 \(.+\) is older than whiteboard supports: [^\n]+\n$/,
    );
    assert.equal(ended.stdout, '');
  });
});
