/**
 * Matches a request to a route of backend/http/routes.ts as API Gateway does for an HTTP API:
 * exact method and path, `{name}` matches one path segment, `{name+}` the rest of the path. No
 * match is API Gateway's own 404 `{"message":"Not Found"}` (AWS docs, "Working with routes for
 * HTTP APIs"); a path that exists under another method is also 404, not 405.
 */
import { type RouteDefinition, routeKey } from '../http/routes.ts';

export interface RouteMatch {
  readonly route: RouteDefinition;
  readonly routeKey: string;
  readonly pathParameters: Record<string, string> | undefined;
}

interface CompiledRoute {
  readonly route: RouteDefinition;
  readonly routeKey: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const compile = (route: RouteDefinition): CompiledRoute => {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
      if (!param) return escapeRegExp(segment);
      names.push(param[1] as string);
      return param[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { route, routeKey: routeKey(route), pattern: new RegExp(`^${source}$`), names };
};

/** Percent-decoded, or as it is when it is not valid percent-encoding (`%E0%A4%A`). */
export const decode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

export const createRouteMatcher = (routes: readonly RouteDefinition[]) => {
  const compiled = routes.map(compile);
  return (method: string, path: string): RouteMatch | undefined => {
    for (const candidate of compiled) {
      if (candidate.route.method !== method) continue;
      const match = candidate.pattern.exec(path);
      if (!match) continue;
      const pathParameters =
        candidate.names.length === 0
          ? undefined
          : Object.fromEntries(candidate.names.map((name, i) => [name, decode(match[i + 1] as string)]));
      return { route: candidate.route, routeKey: candidate.routeKey, pathParameters };
    }
    return undefined;
  };
};
