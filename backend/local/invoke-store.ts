/**
 * The InvokeStore of the local stack's runtime worker: where each invocation's request id and X-Ray
 * trace header are kept while the environments of a thread run theirs side by side.
 *
 * Lambda's Node.js runtime keeps them in the InvokeStore of `@aws/lambda-invoke-store`, on
 * `globalThis.awslambda`, when an environment runs invocations concurrently (AWS docs, "Node.js
 * runtime for Lambda Managed Instances"); Powertools (commons' `getXrayTraceDataFromEnv`) and
 * aws-xray-sdk-core read the header there before `_X_AMZN_TRACE_ID`, which environments sharing a
 * thread's `process.env` cannot each hold. That store is an AsyncLocalStorage. On Node.js 20 and 22
 * AsyncLocalStorage rides on async_hooks, and once one is in use every promise of the thread runs
 * Node's async_hooks bookkeeping as it is created and as its reactions run: measured, a tenth of
 * the local stack's throughput (docs/performance-history.md, "The InvokeStore's
 * AsyncLocalStorage"). From Node.js 24 on it is built on AsyncContextFrame, and costs about nothing
 * (Node.js docs, command-line options, `--no-async-context-frame`).
 *
 * This store keeps the context on promises through V8's promise hooks alone (Node.js docs, v8,
 * "Promise hooks"): a promise created while an invocation runs carries its context, and the context
 * is back while the promise's reactions run (an `await` resuming, a `then` callback). Every
 * continuation of an async handler is such a reaction, so each invocation reads its own header
 * after any `await`, as with AsyncLocalStorage: on Node.js 20 for about what no store costs, on 24
 * for what its AsyncLocalStorage costs (the history's "The InvokeStore on promise hooks"). One
 * store on every Node.js, so that each follows the same callbacks. What it does not follow, where
 * AsyncLocalStorage does: a callback that a timer, an event or `process.nextTick` calls outside any
 * promise runs with no context, and Powertools then reads `_X_AMZN_TRACE_ID`, the header of the
 * invocation that started last.
 */
import { promiseHooks } from 'node:v8';
import { InvokeStoreBase } from '@aws/lambda-invoke-store';

/** One invocation's values, keyed as InvokeStoreBase.PROTECTED_KEYS and by the function's code. */
export type InvokeContext = Record<string | symbol, unknown>;

const contextKey = Symbol('whiteboard.invokeContext');

type Carrier = { [contextKey]?: InvokeContext };

export class PromiseInvokeStore extends InvokeStoreBase {
  #current: InvokeContext | undefined;
  /** The contexts to return to, one for each `run` or promise reaction under way. */
  readonly #outer: (InvokeContext | undefined)[] = [];
  readonly #stopHooks: () => void;

  constructor() {
    super();
    // @types/node types the stopper as `Function`.
    this.#stopHooks = promiseHooks.createHook({
      init: (promise) => {
        if (this.#current !== undefined) (promise as Carrier)[contextKey] = this.#current;
      },
      before: (promise) => {
        this.#outer.push(this.#current);
        this.#current = (promise as Carrier)[contextKey];
      },
      after: () => {
        this.#current = this.#outer.pop();
      },
    }) as () => void;
  }

  /** Stops following promises: for a test that made a store of its own. */
  close(): void {
    this.#stopHooks();
  }

  getContext(): InvokeContext | undefined {
    return this.#current;
  }

  hasContext(): boolean {
    return this.#current !== undefined;
  }

  get<T = unknown>(key: string | symbol): T | undefined {
    return this.#current?.[key] as T | undefined;
  }

  /** As InvokeStoreMulti's: a key of the function's own, in the invocation under way. */
  set<T = unknown>(key: string | symbol, value: T): void {
    if (this.isProtectedKey(key)) {
      throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    }
    if (this.#current === undefined) throw new Error('No context available');
    this.#current[key] = value;
  }

  run<T>(context: InvokeContext, fn: () => T): T {
    this.#outer.push(this.#current);
    this.#current = context;
    try {
      return fn();
    } finally {
      this.#current = this.#outer.pop();
    }
  }
}

/**
 * Puts a PromiseInvokeStore where Lambda's runtime puts its InvokeStore, `globalThis.awslambda`,
 * where Powertools looks for it and where `InvokeStore.getInstanceAsync` finds it for code that
 * asks the package.
 */
export const installInvokeStore = (): PromiseInvokeStore => {
  const store = new PromiseInvokeStore();
  const global = globalThis as { awslambda?: { InvokeStore?: InvokeStoreBase } };
  global.awslambda ??= {};
  global.awslambda.InvokeStore = store;
  return store;
};
