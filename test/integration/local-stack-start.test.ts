/**
 * A start of the local stack that fails part way: the DynamoDB engine starts while the functions
 * build (stack.ts), so when the build fails, the engine it started meanwhile must be stopped, and
 * the error must be the build's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineChoice } from '../../backend/local/dynamodb-engine.ts';
import { processAlive } from '../../backend/local/process-alive.ts';
import { startLocalStack } from '../../backend/local/stack.ts';
import { childProcessesOf, connectOutcome, listeningPortsOf } from '../helpers/listening.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface ListeningEngine {
  readonly port: number;
  /** DynamoDB Local's JVM; undefined for dynalite, which runs in this process. */
  readonly pid: number | undefined;
}

/**
 * The engine, once it listens: a port this process did not listen on before (dynalite), or one
 * a child process listens on (DynamoDB Local's JVM; the engine's other children listen on none).
 */
const engineListening = async (portsBefore: ReadonlySet<number>): Promise<ListeningEngine> => {
  for (const started = Date.now(); Date.now() - started < 60_000; await sleep(50)) {
    const own = listeningPortsOf(process.pid).find((port) => !portsBefore.has(port));
    if (own !== undefined) return { port: own, pid: undefined };
    for (const pid of childProcessesOf(process.pid)) {
      const port = listeningPortsOf(pid)[0];
      if (port !== undefined) return { port, pid };
    }
  }
  throw new Error('no DynamoDB engine listened within 60 s');
};

describe('a start of the local stack whose build fails', () => {
  it('stops the engine started alongside, and fails with the build error', async () => {
    const portsBefore = new Set(listeningPortsOf(process.pid));
    const buildError = new Error(
      'Build failed with 1 error:\nbackend/handlers/read-messages.ts:1:7: ERROR: Expected ";"',
    );
    let engine: ListeningEngine | undefined;
    const start = startLocalStack({
      port: 0,
      inMemory: true,
      engine: (process.env.WHITEBOARD_TEST_ENGINE ?? 'auto') as EngineChoice,
      quiet: true,
      // It fails once the engine listens, before the engine answers: as a real build fails, in
      // less time than DynamoDB Local takes to start.
      build: async () => {
        engine = await engineListening(portsBefore);
        throw buildError;
      },
    });
    try {
      await assert.rejects(start, (error) => {
        assert.equal(error, buildError, "the build's own error, not one of the engine's");
        return true;
      });
      assert.ok(engine, 'the engine had started');
      assert.equal(await connectOutcome(engine.port), 'ECONNREFUSED', 'the engine still listens');
      if (engine.pid !== undefined) {
        assert.equal(processAlive(engine.pid), false, `DynamoDB Local (pid ${engine.pid}) still runs`);
      }
    } finally {
      // The JVM of a failed check is this test's to end; its exit hook would, later.
      if (engine?.pid !== undefined && processAlive(engine.pid)) process.kill(engine.pid, 'SIGKILL');
    }
  });
});
