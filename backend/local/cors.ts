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
 * An answer's headers with the gateway's CORS headers (`cors`, from corsResponseHeaders). With CORS
 * configured, "API Gateway ignores CORS headers returned from your backend integration" (AWS docs,
 * "Configuring CORS for an HTTP API"): the function's own `access-control-*` headers go, whatever
 * the origin. A `vary` of its own is kept, with the gateway's `origin` added to it.
 */
export const withGatewayCors = (
  headers: Readonly<Record<string, string | string[]>>,
  cors: Readonly<Record<string, string>>,
): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('access-control-')) out[name] = value;
  }
  const own = out.vary;
  Object.assign(out, cors);
  if (typeof own === 'string' && cors.vary !== undefined) {
    const listed = own.split(',').map((field) => field.trim().toLowerCase());
    out.vary = listed.includes('*') || listed.includes(cors.vary) ? own : `${own}, ${cors.vary}`;
  }
  return out;
};

/**
 * What API Gateway answers a preflight with: the CORS headers of its 204, none when the preflight is
 * refused, and why it is refused (its origin, method or one of its headers is not in the CORS
 * configuration), for the gateway's log line; the browser is told nothing more.
 */
export const preflight = (
  settings: CorsSettings,
  origin: string | undefined,
  requestMethod: string | undefined,
  requestHeaders: string | undefined,
): { readonly headers: Record<string, string>; readonly refusal: string | undefined } => {
  const refused = (refusal: string) => ({ headers: {}, refusal });
  const allowed = allowedOrigin(settings, origin);
  if (allowed === undefined) {
    return refused(`origin ${String(origin).slice(0, 100)} is not allowed (--cors-origins)`);
  }
  if (!settings.allowMethods.some((method) => method === requestMethod?.toUpperCase())) {
    return refused(`method ${String(requestMethod).slice(0, 40)} is not allowed`);
  }
  const unlisted = (requestHeaders ?? '')
    .split(',')
    .map((header) => header.trim().toLowerCase())
    .filter((header) => header !== '' && !settings.allowHeaders.includes(header));
  if (unlisted.length > 0) return refused(`header ${unlisted.join(', ').slice(0, 100)} is not allowed`);
  return {
    headers: {
      'access-control-allow-origin': allowed,
      'access-control-allow-methods': settings.allowMethods.join(','),
      'access-control-allow-headers': settings.allowHeaders.join(','),
      'access-control-max-age': String(settings.maxAgeSeconds),
      ...(allowed === '*' ? {} : { vary: 'origin' }),
    },
    refusal: undefined,
  };
};
