/**
 * A stand-in for `cls-hooked/context` built on AsyncLocalStorage, which the Lambda bundles use in
 * its place (the `alias` in backend/bundling.ts). aws-xray-sdk-core, under Powertools Tracer,
 * keeps the current X-Ray segment in a cls-hooked namespace. cls-hooked tracks it with
 * `async_hooks.createHook`, whose hooks run in JavaScript on every promise and callback of the
 * process; Node's documentation asks to migrate away from it: "We do not recommend using the
 * createHook, AsyncHook, and executionAsyncResource APIs as they have usability issues, safety
 * risks, and performance implications. Async context tracking use cases are better served by the
 * stable AsyncLocalStorage API" (https://nodejs.org/api/async_hooks.html). Reimplementing the
 * cls-hooked part of the X-Ray SDK's API on AsyncLocalStorage is the path its maintainers describe
 * (https://github.com/aws/aws-xray-sdk-node/issues/338). Measured in paired cold starts: a traced
 * cold start about 4% faster, and a warm traced invocation using less CPU
 * (docs/performance-history.md, "Cold starts").
 *
 * It keeps cls-hooked's semantics where aws-xray-sdk-core relies on them
 * (test/unit/bundle-shims.test.ts runs the same cases against both):
 * - `run` gives the callback, and all the asynchronous work it starts, a new context that inherits
 *   from the active one through its prototype; `set` there is not seen outside.
 * - `enter` outside any `run` makes a context active for everything that is not in a `run`: in
 *   Lambda the SDK enters the facade segment's context at init this way
 *   (aws-xray-sdk-core/dist/lib/env/aws_lambda.js), and each invocation's handler, which the runtime
 *   calls from outside, finds it. cls-hooked has the same effect because its active context is a
 *   global that its hooks only swap for work started inside a `run`.
 * - `set` without an active context throws cls-hooked's error; `get` returns undefined.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type Context = Record<PropertyKey, unknown>;

/** Where cls-hooked records, on an error thrown inside a context, the context (fromException). */
export const ERROR_SYMBOL = 'error@context';

const tagged = (error: unknown, context: Context): unknown => {
  if (error !== null && typeof error === 'object') (error as Context)[ERROR_SYMBOL] = context;
  return error;
};

export class Namespace {
  readonly #storage = new AsyncLocalStorage<Context>();
  /** Contexts entered outside any `run`, innermost last. */
  readonly #entered: Context[] = [];
  /** The stores that `enter` inside a `run` replaced, for `exit` to restore. */
  readonly #replaced: Context[] = [];

  constructor(readonly name: string) {}

  get active(): Context | undefined {
    return this.#storage.getStore() ?? this.#entered.at(-1);
  }

  set<T>(key: PropertyKey, value: T): T {
    const context = this.active;
    if (!context) throw new Error('No context available. ns.run() or ns.bind() must be called first.');
    context[key] = value;
    return value;
  }

  get(key: PropertyKey): unknown {
    return this.active?.[key];
  }

  createContext(): Context {
    return Object.create(this.active ?? Object.prototype) as Context;
  }

  run(fn: (context: Context) => void): Context {
    const context = this.createContext();
    this.#storage.run(context, () => {
      try {
        fn(context);
      } catch (error) {
        throw tagged(error, context);
      }
    });
    return context;
  }

  runAndReturn<T>(fn: (context: Context) => T): T {
    let value: T | undefined;
    this.run((context) => {
      value = fn(context);
    });
    return value as T;
  }

  runPromise<T>(fn: (context: Context) => Promise<T>): Promise<T> {
    const context = this.createContext();
    return this.#storage.run(context, () => {
      const promise = fn(context);
      if (typeof promise?.then !== 'function') throw new Error('fn must return a promise.');
      return promise.catch((error: unknown) => {
        throw tagged(error, context);
      });
    });
  }

  bind<A extends unknown[], R>(fn: (...args: A) => R, context?: Context): (...args: A) => R {
    const bound = context ?? this.active ?? this.createContext();
    const storage = this.#storage;
    return function (this: unknown, ...args: A): R {
      return storage.run(bound, () => {
        try {
          return fn.apply(this, args);
        } catch (error) {
          throw tagged(error, bound);
        }
      });
    };
  }

  /**
   * Inside a `run`, the context becomes the store for the rest of that asynchronous flow
   * (AsyncLocalStorage's enterWith). Outside, it becomes the context of everything not in a `run`.
   */
  enter(context: Context): void {
    const store = this.#storage.getStore();
    if (store === undefined) {
      this.#entered.push(context);
    } else {
      this.#replaced.push(store);
      this.#storage.enterWith(context);
    }
  }

  /** Leaves what `enter` entered, in the same synchronous flow, as cls-hooked requires. */
  exit(context: Context): void {
    if (this.#storage.getStore() === context) {
      this.#storage.enterWith(this.#replaced.pop() as Context);
      return;
    }
    const index = this.#entered.lastIndexOf(context);
    if (index >= 0) this.#entered.splice(index, 1);
  }

  /** cls-hooked patches the emitter's listeners; nothing in these bundles calls it. */
  bindEmitter(): never {
    throw new Error('bindEmitter is not supported by the AsyncLocalStorage stand-in for cls-hooked');
  }

  fromException(error: unknown): Context | undefined {
    return (error as Context | undefined)?.[ERROR_SYMBOL] as Context | undefined;
  }
}

const namespaces = new Map<string, Namespace>();

export const getNamespace = (name: string): Namespace | undefined => namespaces.get(name);

export const createNamespace = (name: string): Namespace => {
  if (!name) throw new Error('namespace must be given a name.');
  const namespace = new Namespace(name);
  namespaces.set(name, namespace);
  return namespace;
};

export const destroyNamespace = (name: string): void => {
  namespaces.delete(name);
};

export const reset = (): void => {
  namespaces.clear();
};
