/**
 * CORS as an HTTP API with a CORS configuration answers it (AWS docs, "Configuring CORS for an
 * HTTP API"): API Gateway answers preflight `OPTIONS` requests itself, whatever the routes, and
 * adds the configured CORS headers to the integration's responses (errors included).
 */
import type { CorsSettings } from '../http/routes.ts';

export const isPreflight = (
  method: string,
  headers: Record<string, string | string[] | undefined>,
): boolean =>
  method === 'OPTIONS' &&
  headers.origin !== undefined &&
  headers['access-control-request-method'] !== undefined;

const allowedOrigin = (settings: CorsSettings, origin: string | undefined): string | undefined => {
  if (origin === undefined) return undefined;
  if (settings.allowOrigins.includes('*')) return '*';
  return settings.allowOrigins.includes(origin) ? origin : undefined;
};

/** Headers for a response to an actual (non-preflight) cross-origin request. */
export const corsResponseHeaders = (
  settings: CorsSettings,
  origin: string | undefined,
): Record<string, string> => {
  const allowed = allowedOrigin(settings, origin);
  if (allowed === undefined) return {};
  return {
    'access-control-allow-origin': allowed,
    ...(allowed === '*' ? {} : { vary: 'origin' }),
    ...(settings.exposeHeaders.length > 0
      ? { 'access-control-expose-headers': settings.exposeHeaders.join(',') }
      : {}),
  };
};

/**
 * Why a preflight gets no CORS headers, if it does not: its origin, method or one of its headers is
 * not in the CORS configuration. For the gateway's log line; the browser is told nothing more.
 */
export const preflightRefusal = (
  settings: CorsSettings,
  origin: string | undefined,
  requestMethod: string | undefined,
  requestHeaders: string | undefined,
): string | undefined => {
  if (allowedOrigin(settings, origin) === undefined) {
    return `origin ${String(origin).slice(0, 100)} is not allowed (CORS_ALLOW_ORIGINS)`;
  }
  if (!settings.allowMethods.some((method) => method === requestMethod?.toUpperCase())) {
    return `method ${String(requestMethod).slice(0, 40)} is not allowed`;
  }
  const refused = (requestHeaders ?? '')
    .split(',')
    .map((header) => header.trim().toLowerCase())
    .filter((header) => header !== '' && !settings.allowHeaders.includes(header));
  return refused.length === 0 ? undefined : `header ${refused.join(', ').slice(0, 100)} is not allowed`;
};

/** The 204 API Gateway sends for a preflight; without CORS headers when it is refused. */
export const preflightHeaders = (
  settings: CorsSettings,
  origin: string | undefined,
  requestMethod: string | undefined,
  requestHeaders: string | undefined,
): Record<string, string> => {
  const allowed = allowedOrigin(settings, origin);
  if (allowed === undefined || preflightRefusal(settings, origin, requestMethod, requestHeaders)) return {};
  return {
    'access-control-allow-origin': allowed,
    'access-control-allow-methods': settings.allowMethods.join(','),
    'access-control-allow-headers': settings.allowHeaders.join(','),
    'access-control-max-age': String(settings.maxAgeSeconds),
    ...(allowed === '*' ? {} : { vary: 'origin' }),
  };
};
