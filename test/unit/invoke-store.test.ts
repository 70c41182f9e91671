import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import { installInvokeStore } from '../../backend/local/invoke-store.ts';

const { REQUEST_ID, X_RAY_TRACE_ID } = InvokeStoreBase.PROTECTED_KEYS;

// Installed as the runtime worker installs it: where Powertools and the package look.
const store = installInvokeStore();
after(() => store.close());

const invocation = (n: number) => ({ [REQUEST_ID]: `request-${n}`, [X_RAY_TRACE_ID]: `Root=1-0000000${n}` });

/** What the store says for the invocation, after each of several kinds of wait. */
const readsAcrossWaits = async (n: number, release: Promise<void>) => {
  const reads: (string | undefined)[] = [store.getXRayTraceId()];
  await release;
  reads.push(store.getXRayTraceId());
  await sleep(5 * (3 - n));
  reads.push(store.getXRayTraceId());
  await Promise.all([sleep(1), Promise.resolve()]);
  reads.push(store.getXRayTraceId());
  reads.push(await Promise.resolve().then(() => store.getXRayTraceId()));
  // A thenable that is not a promise, as some libraries return.
  // biome-ignore lint/suspicious/noThenProperty: the thenable is what is tested
  await { then: (resolve: (value: unknown) => void) => setImmediate(resolve) };
  reads.push(store.getXRayTraceId());
  for await (const _ of (async function* () {
    yield await sleep(1);
  })()) {
    reads.push(store.getXRayTraceId());
  }
  return { reads, requestId: store.getRequestId() };
};

describe("the local runtime's InvokeStore", () => {
  it('is where Powertools and the package look for it', async () => {
    assert.equal((globalThis as { awslambda?: { InvokeStore?: unknown } }).awslambda?.InvokeStore, store);
    assert.equal(await InvokeStore.getInstanceAsync(), store);
  });

  it("keeps each invocation's own context across awaits while invocations interleave", async () => {
    let releaseAll = () => {};
    const release = new Promise<void>((resolve) => {
      releaseAll = resolve;
    });
    const running = [1, 2, 3].map((n) => store.run(invocation(n), () => readsAcrossWaits(n, release)));
    // All three started, and each is now waiting; they resume in turn, in another order.
    releaseAll();
    const results = await Promise.all(running);
    results.forEach(({ reads, requestId }, i) => {
      assert.deepEqual(reads, Array(reads.length).fill(`Root=1-0000000${i + 1}`), `invocation ${i + 1}`);
      assert.equal(requestId, `request-${i + 1}`);
    });
    assert.equal(results[0]?.reads.length, 7);
  });

  it('gives the caller its own context back, when run returns and when the invocation ends', async () => {
    assert.equal(store.hasContext(), false);
    const outer = store.run(invocation(1), async () => {
      const inner = store.run(invocation(2), async () => {
        await sleep(1);
        return store.getXRayTraceId();
      });
      assert.equal(store.getXRayTraceId(), 'Root=1-00000001', 'after the inner run returned');
      const innerRead = await inner;
      return [innerRead, store.getXRayTraceId()];
    });
    assert.equal(store.hasContext(), false, 'after the outer run returned');
    assert.deepEqual(await outer, ['Root=1-00000002', 'Root=1-00000001']);
    assert.equal(store.getContext(), undefined, 'after awaiting the invocation');
    assert.equal(store.getRequestId(), '-');
  });

  it("keeps a key that the function's code sets in its own invocation", async () => {
    const key = Symbol('mine');
    const seen = await Promise.all(
      [1, 2].map((n) =>
        store.run(invocation(n), async () => {
          store.set(key, n);
          await sleep(3 - n);
          return store.get(key);
        }),
      ),
    );
    assert.deepEqual(seen, [1, 2]);
  });

  it('refuses to set a protected key, or any key outside an invocation', async () => {
    assert.throws(() => store.set('mine', 1), /No context available/);
    await store.run(invocation(1), async () => {
      assert.throws(() => store.set(X_RAY_TRACE_ID, 'Root=1-other'), /protected Lambda context field/);
      assert.equal(store.getXRayTraceId(), 'Root=1-00000001');
    });
  });
});
