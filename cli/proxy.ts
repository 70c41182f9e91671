/**
 * Which HTTP proxy, if any, the CLI goes through to reach the API, from the environment variables
 * most HTTP clients read, by the rules of undici's EnvHttpProxyAgent (curl's differ in details:
 * no HTTP_PROXY for https://, ALL_PROXY): `HTTPS_PROXY` for an https:// API (`HTTP_PROXY` if it
 * is not set), `HTTP_PROXY` for an http:// one, the lower-case names first; `NO_PROXY` lists the
 * hosts reached directly.
 *
 * A loopback API (the local stack) is always reached directly, as Go's net/http does: a proxy on
 * another machine cannot reach this machine's 127.0.0.1, and a user whose HTTP_PROXY is set for
 * the whole session would otherwise have to add NO_PROXY before the local stack answered.
 */
import { isLoopbackHost } from '../backend/local/engine/ports.ts';
import { UsageError } from './errors.ts';

export interface HttpProxy {
  /** The proxy's URL, as undici's ProxyAgent takes it (credentials included, if any). */
  readonly uri: string;
  /** How the CLI names it in a message: its origin, without credentials. */
  readonly origin: string;
  /** The variable it came from, for the message too. */
  readonly variable: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** The first of `names` set to something other than blanks, with its name. */
const firstSet = (env: Env, names: readonly string[]): { name: string; value: string } | undefined => {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
};

/**
 * Whether NO_PROXY's `list` names `hostname` (lower case, IPv6 in brackets as URL gives it) on
 * `port`: `*` names every host; an entry names its host and the hosts under it (`example.com` and
 * `.example.com` both name `api.example.com`); an entry with a port names that port only.
 */
export const bypassesProxy = (list: string, hostname: string, port: number): boolean =>
  list
    .split(/[,\s]+/)
    .filter((entry) => entry !== '')
    .some((entry) => {
      if (entry === '*') return true;
      // An IPv6 address bare (`::1`, no port) or in brackets (`[::1]:8080`), as URL writes a host.
      const parsed =
        entry.split(':').length > 2 && !entry.startsWith('[')
          ? [entry, `[${entry}]`, undefined]
          : /^(.*?)(?::(\d+))?$/.exec(entry);
      const host = (parsed?.[1] ?? '').toLowerCase().replace(/^\*?\./, '');
      const entryPort = parsed?.[2] === undefined ? undefined : Number(parsed[2]);
      if (host === '' || (entryPort !== undefined && entryPort !== port)) return false;
      return hostname === host || hostname.endsWith(`.${host}`);
    });

/** The proxy to reach `url` through, or undefined to reach it directly. */
export const proxyFor = (url: URL, env: Env): HttpProxy | undefined => {
  const hostname = url.hostname.toLowerCase();
  if (isLoopbackHost(hostname)) return undefined;
  const names =
    url.protocol === 'https:'
      ? ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY']
      : ['http_proxy', 'HTTP_PROXY'];
  const chosen = firstSet(env, names);
  if (chosen === undefined) return undefined;
  const noProxy = firstSet(env, ['no_proxy', 'NO_PROXY']);
  const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
  if (noProxy !== undefined && bypassesProxy(noProxy.value, hostname, port)) return undefined;
  let proxy: URL;
  try {
    proxy = new URL(chosen.value.includes('://') ? chosen.value : `http://${chosen.value}`);
  } catch {
    // Quoted without credentials, as a proxy is named everywhere else.
    const shown = chosen.value.replace(/\/\/[^@/]*@/, '//').slice(0, 200);
    throw new UsageError(`${chosen.name} is not a proxy URL (http://host:port): ${shown}`);
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new UsageError(`${chosen.name} must be an http:// or https:// proxy URL, not ${proxy.protocol}//`);
  }
  return { uri: proxy.href, origin: proxy.origin, variable: chosen.name };
};
