import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Calls of one operation held back together (`DynamoDbRelay.holdTogether`). */
export interface HeldCalls {
  /** How many calls have been held so far. */
  readonly held: number;
  /** Whether `count` calls were held at once and then passed on together. */
  readonly passedTogether: boolean;
  /** Passes on what is held now and holds no more: for a test's `finally`. */
  end(): void;
}

/**
 * A DynamoDB endpoint for the local stack that relays every call to the real engine unchanged
 * (its body, and its headers, the signed Host among them) and can hold calls back. Holding the
 * real handlers' DynamoDB calls keeps their invocations running, with no hook in the handlers and
 * no timed wait, until as many as a test needs are running at once.
 */
export interface DynamoDbRelay {
  /** http://127.0.0.1:PORT, to give the stack as its DynamoDB endpoint. */
  readonly endpoint: string;
  /**
   * Holds the next calls of `operation` (`Query`, say: the `X-Amz-Target` after the dot) until
   * `count` of them wait, then passes them all on. Other calls pass at once.
   */
  holdTogether(operation: string, count: number): HeldCalls;
  close(): Promise<void>;
}

export const startDynamoDbRelay = async (engineEndpoint: string): Promise<DynamoDbRelay> => {
  const engine = new URL(engineEndpoint);
  const agent = new Agent({ keepAlive: true });
  interface Call {
    readonly incoming: IncomingMessage;
    readonly body: Buffer;
    readonly outgoing: ServerResponse;
  }
  const pass = ({ incoming, body, outgoing }: Call) => {
    // Its caller is gone (its invocation was ended while the call was held).
    if (outgoing.destroyed) return;
    const toEngine = request(
      {
        host: engine.hostname,
        port: engine.port,
        method: incoming.method,
        path: incoming.url,
        // The Host header as signed, too.
        headers: incoming.headers,
        agent,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    // The client sees what a broken connection to DynamoDB looks like, and may retry.
    toEngine.on('error', (error) => outgoing.destroy(error));
    toEngine.end(body);
  };

  let holding: { operation: string; count: number; calls: Call[]; passedTogether: boolean } | undefined;
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const call = { incoming, body: Buffer.concat(chunks), outgoing };
      const target = String(incoming.headers['x-amz-target'] ?? '');
      const hold = holding;
      if (!hold || target.slice(target.indexOf('.') + 1) !== hold.operation) return pass(call);
      hold.calls.push(call);
      if (hold.calls.length < hold.count) return;
      holding = undefined;
      hold.passedTogether = true;
      for (const held of hold.calls) pass(held);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    holdTogether(operation, count) {
      if (holding) throw new Error(`already holding ${holding.operation} calls`);
      const hold = { operation, count, calls: [] as Call[], passedTogether: false };
      holding = hold;
      return {
        get held() {
          return hold.calls.length;
        },
        get passedTogether() {
          return hold.passedTogether;
        },
        end() {
          if (holding !== hold) return;
          holding = undefined;
          for (const held of hold.calls) pass(held);
        },
      };
    },
    async close() {
      holding = undefined;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
};
