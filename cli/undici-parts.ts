/**
 * The pieces of undici the CLI uses, loaded on first request.
 *
 * undici's index pulls in fetch, WebSocket, caches, mocks and more: about 500 KB that would be
 * parsed and evaluated on every start, roughly doubling `whiteboard read` wall time against
 * `node -e ''`. The Agent and `request` alone are what a JSON client needs. undici has no
 * `exports` map, so these paths are reachable; they are the same modules the index re-exports,
 * so a `MockAgent` from the package works with them. undici is pinned in package.json.
 */
import type { Agent, Dispatcher } from 'undici';

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
