/**
 * The pieces of undici the CLI uses, loaded on first request.
 *
 * undici's index pulls in fetch, WebSocket, caches, mocks and more: about 500 KB that would be
 * parsed and evaluated on every start, roughly doubling `whiteboard read` wall time against
 * `node -e ''`. The Agent and `request` alone are what a JSON client needs. undici has no
 * `exports` map, so these paths are reachable; they are the same modules the index re-exports,
 * so a `MockAgent` from the package works with them. undici is pinned in package.json.
 */
import type { Agent, Dispatcher, ProxyAgent } from 'undici';

export interface UndiciParts {
  readonly Agent: typeof Agent;
  readonly request: (
    this: Dispatcher,
    options: Dispatcher.RequestOptions,
  ) => Promise<Dispatcher.ResponseData>;
}

let parts: Promise<UndiciParts> | undefined;

export const loadUndici = (): Promise<UndiciParts> => {
  parts ??= Promise.all([
    import('undici/lib/dispatcher/agent.js'),
    import('undici/lib/api/api-request.js'),
  ]).then(([agent, request]) => ({ Agent: agent.default, request: request.default }));
  return parts;
};

export interface ProxyParts {
  readonly ProxyAgent: typeof ProxyAgent;
  readonly request: UndiciParts['request'];
}

/**
 * undici whole, for requests through a proxy (cli/proxy.ts): its ProxyAgent opens a tunnel with
 * `Dispatcher#connect`, which only the package's index puts on the prototype, and its `request`
 * goes with it. The CLI bundle leaves the index out and loads it from node_modules
 * (scripts/build.mjs), so only a run that goes through a proxy pays for it.
 */
export const loadProxyUndici = async (): Promise<ProxyParts> => {
  const { ProxyAgent, Dispatcher } = await import('undici');
  return { ProxyAgent, request: Dispatcher.prototype.request as UndiciParts['request'] };
};
