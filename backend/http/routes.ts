/**
 * The one definition of the API: its functions, their routes, and CORS.
 *
 * The CDK stack (infra/) and the local emulator (backend/local/) both read this file, so the
 * API that runs on 127.0.0.1 and the one deployed to AWS cannot drift apart.
 */

/** How a function may touch the messages table: least privilege, granted by infra/. */
export type TableAccess = 'query' | 'put';

export interface FunctionDefinition {
  /** PascalCase, stable: CDK construct ids derive from it (renaming one replaces the function). */
  readonly id: string;
  /** Entry file, relative to the repository root. */
  readonly entry: string;
  /** Exported handler name in `entry`. */
  readonly handler: string;
  readonly description: string;
  readonly memorySize: number;
  /** Seconds; API Gateway's own integration timeout is 30 s at most. */
  readonly timeout: number;
  readonly tableAccess: TableAccess;
  /** Extra environment, on top of what every function gets (see `commonEnvironment`). */
  readonly environment: Readonly<Record<string, string>>;
}

export type HttpMethod = 'GET' | 'POST';

export interface RouteDefinition {
  readonly method: HttpMethod;
  /** API Gateway route path syntax: `{name}` is a path parameter. */
  readonly path: string;
  readonly function: FunctionId;
}

export const functions = {
  readMessages: {
    id: 'ReadMessages',
    entry: 'backend/handlers/read-messages.ts',
    handler: 'handler',
    description: 'Reads the newest messages of a board',
    memorySize: 256,
    timeout: 5,
    tableAccess: 'query',
    environment: {},
  },
  postMessage: {
    id: 'PostMessage',
    entry: 'backend/handlers/post-message.ts',
    handler: 'handler',
    description: 'Posts a message to a board',
    memorySize: 256,
    timeout: 5,
    tableAccess: 'put',
    environment: {},
  },
} as const satisfies Record<string, FunctionDefinition>;

export type FunctionId = keyof typeof functions;

export const routes: readonly RouteDefinition[] = [
  { method: 'GET', path: '/messages', function: 'readMessages' },
  { method: 'POST', path: '/messages', function: 'postMessage' },
  { method: 'GET', path: '/boards/{board}/messages', function: 'readMessages' },
  { method: 'POST', path: '/boards/{board}/messages', function: 'postMessage' },
];

/** `GET /messages`: the route key as API Gateway writes it in `routeKey`. */
export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;

/**
 * Environment every function gets, in AWS and locally. The table name is added by whoever knows
 * it, and in AWS the metrics namespace is the stage's own (infra/constructs/whiteboard-function.ts).
 */
export const commonEnvironment = {
  POWERTOOLS_SERVICE_NAME: 'whiteboard',
  POWERTOOLS_METRICS_NAMESPACE: 'Whiteboard',
  POWERTOOLS_LOG_LEVEL: 'INFO',
} as const;

export interface CorsSettings {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly (HttpMethod | 'OPTIONS')[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

/**
 * CORS as API Gateway answers it for an HTTP API (the function never sees a preflight).
 * `origins` comes from `corsOrigins` in infra/settings.ts, and from `--cors-origins` or the same
 * variable, WHITEBOARD_CORS_ORIGINS, in the local stack.
 */
export const corsSettings = (origins: readonly string[] = ['*']): CorsSettings => ({
  allowOrigins: origins,
  // The routes' own methods, so that a route with a new one is open to browsers too.
  allowMethods: [...new Set(routes.map((route) => route.method)), 'OPTIONS'],
  allowHeaders: ['content-type', 'authorization', 'idempotency-key'],
  // Not a CORS-safelisted response header (Fetch standard), so a page could not read it otherwise:
  // a 503 SERVICE_BUSY says with it when to come back (backend/http/error-response.ts).
  exposeHeaders: ['retry-after'],
  maxAgeSeconds: 600,
});

/** Parses a comma-separated origin list; empty or missing means every origin (`*`). */
export const parseCorsOrigins = (value: string | undefined): string[] => {
  const origins = (value ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  return origins.length > 0 ? origins : ['*'];
};

/**
 * The first of `origins` that is not an origin API Gateway's CORS configuration takes (scheme,
 * host and optional port, no path; or `*`), if any: refused before anything starts or deploys.
 */
export const notAnOrigin = (origins: readonly string[]): string | undefined =>
  origins.find((origin) => origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin));

/** What to give instead of something `notAnOrigin` found. */
export const ORIGINS_HINT = 'use scheme://host[:port] with no path, comma-separated, or *';
