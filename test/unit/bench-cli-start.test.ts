/**
 * Figure 4's rounds (bench/cli-start.ts): the built CLI (dist/cli, as `npm ci` builds it, and as
 * test/cli/e2e.test.ts runs it) and the one-request script beside it, for scale, ask the API for the
 * same page, so that the script measures the same request without the CLI; and a script that fails
 * fails the measurement rather than being timed.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { measureCliStart } from '../../bench/cli-start.ts';

const page = JSON.stringify({
  messages: [
    {
      id: '01HZZZZZZZZZZZZZZZZZZZZZZ1',
      board: 'team',
      author: 'ann',
      text: 'hi',
      createdAt: '2026-11-29T08:00:00.000Z',
    },
  ],
  nextCursor: null,
});

describe('the CLI start rounds', () => {
  const paths: string[] = [];
  let server: Server;
  let url: string;

  before(async () => {
    // Answers only the board's page: a request anywhere else is a 404, which fails that command. On
    // /boards/cli-only/messages it answers only the CLI (which names itself in User-Agent; the
    // script sends none).
    server = createServer((request, response) => {
      paths.push(request.url ?? '');
      const cliOnly =
        request.url === '/boards/cli-only/messages' &&
        request.headers['user-agent']?.startsWith('whiteboard');
      if (request.method === 'GET' && (request.url === '/boards/team/messages' || cliOnly)) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(page);
      } else {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
      }
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((done) => server.close(() => done())));

  it('time the CLI and the one node:http request on the same page, each against node -e', async () => {
    paths.length = 0;
    const result = await measureCliStart({ url, board: 'team', runs: 2, warmup: 0 });
    // Two rounds of the CLI and of the script: four requests, all for the board's page.
    assert.deepEqual(paths, Array(4).fill('/boards/team/messages'));
    for (const value of [
      result.cliMs,
      result.nodeMs,
      result.ratio,
      result.bareClientMs,
      result.bareClientRatio,
    ]) {
      assert.ok(Number.isFinite(value) && value > 0, `${value} is a time or a ratio`);
    }
    assert.equal(result.runs, 2);
  });

  it('fail, naming the command, when the CLI fails rather than time it', async () => {
    await assert.rejects(
      measureCliStart({ url, board: 'other', runs: 1, warmup: 0 }),
      /whiteboard\.cjs read .* exited with/,
    );
  });

  it('fail, naming the script, when the one-request script fails', async () => {
    await assert.rejects(
      measureCliStart({ url, board: 'cli-only', runs: 1, warmup: 0 }),
      /one-request\.cjs .*exited with 1/,
    );
  });
});
