/**
 * The floor of the load benchmark: a bare node:http server that makes the same lib-dynamodb call
 * per request as the handlers (a Query of the 3 newest messages; a conditional PutItem), with the
 * same document client settings (backend/adapters/dynamodb-client.ts), on the same engine, and
 * nothing else: no event, no worker, no routing, no validation, no Powertools, no logs.
 *
 * Run by bench/load.ts: `node --import tsx bench/floor/floor-server.ts` with TABLE_NAME,
 * DYNAMODB_ENDPOINT and local credentials in the environment; prints its URL when ready, and ends
 * when its parent does.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDocumentClient } from '../../backend/adapters/dynamodb-client.ts';
import { messageIdMaker } from '../../backend/domain/message.ts';
import { watchParent } from '../../backend/local/process-alive.ts';
import { bareMessage, FLOOR_HEADERS, newestMessagesQuery, putMessageCommand } from './floor-call.ts';

const tableName = process.env.TABLE_NAME ?? '';
const client = createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
const newId = messageIdMaker();

const server = createServer((req, res) => {
  const fail = (error: unknown) => {
    process.stderr.write(`floor: ${(error as Error).message}\n`);
    res.writeHead(500, FLOOR_HEADERS).end('{"message":"Internal Server Error"}');
  };
  if (req.method === 'GET') {
    req.resume();
    client.send(newestMessagesQuery(tableName, 'default')).then((result) => {
      res
        .writeHead(200, FLOOR_HEADERS)
        .end(JSON.stringify({ messages: result.Items ?? [], nextCursor: null }));
    }, fail);
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const message = bareMessage(newId, 'default', Buffer.concat(chunks).toString('utf8'));
    client.send(putMessageCommand(tableName, message)).then(() => {
      res.writeHead(201, FLOOR_HEADERS).end(JSON.stringify(message));
    }, fail);
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`floor ready at http://127.0.0.1:${port}\n`);
});
const stop = () => {
  server.close();
  server.closeAllConnections();
  client.destroy();
};
process.on('SIGTERM', stop);
// The bench stops this server; should the bench be killed first, nothing else would.
watchParent(() => {
  stop();
  process.exit(0);
});
