import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as shim from '../../backend/bundle-shims/cls-hooked-context.ts';
import { lambdaBundling } from '../../backend/bundling.ts';

const require = createRequire(import.meta.url);
// What aws-xray-sdk-core itself requires, resolved from where it is installed.
const fromXray = createRequire(require.resolve('aws-xray-sdk-core'));

interface Namespace {
  run(fn: (context: object) => void): object;
  runAndReturn<T>(fn: (context: object) => T): T;
  runPromise<T>(fn: (context: object) => Promise<T>): Promise<T>;
  bind<A extends unknown[], R>(fn: (...args: A) => R, context?: object): (...args: A) => R;
  set<T>(key: string, value: T): T;
  get(key: string): unknown;
  createContext(): object;
  enter(context: object): void;
  exit(context: object): void;
  fromException(error: unknown): object | undefined;
}
interface ClsContext {
  createNamespace(name: string): Namespace;
  getNamespace(name: string): Namespace | undefined;
  destroyNamespace(name: string): void;
}

// The same cases run against cls-hooked and against the stand-in that the Lambda bundles use in
// its place, so they show the stand-in behaves as cls-hooked does where aws-xray-sdk-core relies on
// it (aws-xray-sdk-core/dist/lib: context_utils.js, capture.js, env/aws_lambda.js).
const implementations: Record<string, ClsContext> = {
  'cls-hooked': fromXray('cls-hooked/context') as ClsContext,
  'AsyncLocalStorage stand-in': shim as unknown as ClsContext,
};

let namespaces = 0;
for (const [name, cls] of Object.entries(implementations)) {
  describe(`cls-hooked/context semantics: ${name}`, () => {
    const namespace = (): Namespace => cls.createNamespace(`test-${++namespaces}`);

    it('gives each run, and the asynchronous work it starts, a context of its own', async () => {
      const ns = namespace();
      const flow = (segment: string) =>
        new Promise<unknown[]>((resolve) => {
          ns.run(() => {
            ns.set('segment', segment);
            const seen: unknown[] = [];
            void (async () => {
              await sleep(5);
              seen.push(ns.get('segment'));
              await new Promise((next) => setImmediate(next));
              seen.push(ns.get('segment'));
              setTimeout(() => {
                seen.push(ns.get('segment'));
                resolve(seen);
              }, 1);
            })();
          });
        });
      const [a, b] = await Promise.all([flow('a'), flow('b')]);
      assert.deepEqual(a, ['a', 'a', 'a']);
      assert.deepEqual(b, ['b', 'b', 'b']);
      assert.equal(ns.get('segment'), undefined, 'nothing outside the runs');
    });

    it('inherits the active context in a nested run, and keeps what the nested run sets inside it', () => {
      const ns = namespace();
      const seen = ns.runAndReturn(() => {
        ns.set('segment', 'handler');
        ns.set('annotation', 'cold');
        const inner = ns.runAndReturn(() => {
          const inherited = [ns.get('segment'), ns.get('annotation')];
          ns.set('segment', 'dynamodb');
          return [...inherited, ns.get('segment')];
        });
        return [...inner, ns.get('segment')];
      });
      assert.deepEqual(seen, ['handler', 'cold', 'dynamodb', 'handler']);
    });

    it('enters and exits a context within one synchronous flow', () => {
      const ns = namespace();
      const seen = ns.runAndReturn(() => {
        ns.set('segment', 'outer');
        const other = ns.createContext();
        ns.enter(other);
        ns.set('segment', 'entered');
        const inside = ns.get('segment');
        ns.exit(other);
        return [inside, ns.get('segment')];
      });
      assert.deepEqual(seen, ['entered', 'outer']);
    });

    it('throws on set, and gives undefined on get, where no context is active', () => {
      const ns = namespace();
      assert.equal(ns.get('segment'), undefined);
      assert.throws(() => ns.set('segment', 'x'), {
        message: 'No context available. ns.run() or ns.bind() must be called first.',
      });
    });

    it('keeps a context entered outside any run for later work, as the SDK does with the Lambda facade segment', async () => {
      const ns = namespace();
      // The runtime's loop awaits the next event from before init, then calls the handler.
      let nextEvent = (): void => {};
      const invoked = new Promise<void>((resolve) => {
        nextEvent = resolve;
      }).then(() =>
        ns.runAndReturn(() => {
          const parent = ns.get('segment');
          ns.set('segment', 'handler');
          return [parent, ns.get('segment')];
        }),
      );
      const facade = ns.createContext();
      ns.enter(facade);
      ns.set('segment', 'facade');
      nextEvent();
      assert.deepEqual(await invoked, ['facade', 'handler']);
      await sleep(1);
      assert.equal(ns.get('segment'), 'facade', 'the invocation did not replace it');
    });

    it('binds a function to the context active where it was bound', async () => {
      const ns = namespace();
      const bound = ns.runAndReturn(() => {
        ns.set('segment', 'bound here');
        return ns.bind(() => ns.get('segment'));
      });
      await sleep(1);
      assert.equal(bound(), 'bound here');
      assert.equal(ns.get('segment'), undefined);
    });

    it('marks an error thrown in a run with its context, and runPromise keeps the context across awaits', async () => {
      const ns = namespace();
      let thrown: unknown;
      try {
        ns.run(() => {
          ns.set('segment', 'failing');
          throw new Error('boom');
        });
      } catch (error) {
        thrown = error;
      }
      assert.equal((ns.fromException(thrown) as { segment?: string } | undefined)?.segment, 'failing');
      const value = await ns.runPromise(async () => {
        ns.set('segment', 'promised');
        await sleep(1);
        return ns.get('segment');
      });
      assert.equal(value, 'promised');
    });

    it('finds a namespace by name until it is destroyed', () => {
      const named = `test-${++namespaces}`;
      const ns = cls.createNamespace(named);
      assert.equal(cls.getNamespace(named), ns);
      cls.destroyNamespace(named);
      assert.ok(!cls.getNamespace(named), 'destroyed');
    });
  });
}

describe('semver stand-in', () => {
  const stand = require('../../backend/bundle-shims/semver.cjs') as {
    gte: (a: string, b: string) => boolean;
  };
  const semver = fromXray('semver') as { gte: (a: string, b: string) => boolean };

  it('is built on the semver that aws-xray-sdk-core resolves, and answers gte as it does', () => {
    assert.equal(
      require.resolve('../../node_modules/semver/functions/gte.js'),
      fromXray.resolve('semver/functions/gte.js'),
    );
    for (const [a, b] of [
      ['2.1155.0', '2.7.15'],
      ['2.7.15', '2.7.15'],
      ['2.7.14', '2.7.15'],
      ['3.0.0-beta.1', '3.0.0'],
    ] as const) {
      assert.equal(stand.gte(a, b), semver.gte(a, b), `gte(${a}, ${b})`);
    }
  });
});

describe('built-ins given to the bundles as CommonJS', () => {
  for (const name of ['http', 'fs', 'process']) {
    it(`node-${name}.cjs is node:${name} itself, and the bundles' alias maps both spellings to it`, () => {
      const stand = `../../backend/bundle-shims/node-${name}.cjs`;
      assert.equal(require(stand), require(`node:${name}`));
      assert.equal(lambdaBundling.alias[`node:${name}`], require.resolve(stand));
      assert.equal(lambdaBundling.alias[name], require.resolve(stand));
    });
  }

  it('leaves the built-ins under those names as they are (an alias also maps the paths under it)', () => {
    assert.equal(lambdaBundling.alias['node:fs/promises'], 'node:fs/promises');
    assert.equal(lambdaBundling.alias['fs/promises'], 'node:fs/promises');
  });
});
