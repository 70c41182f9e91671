/**
 * Which names in a request's `Host` the local stack answers, against DNS rebinding: a web page can
 * have a name of its own site resolve to 127.0.0.1, and then read and post through the visitor's
 * browser as if the local stack were that site, its requests carrying that name in `Host`. Local
 * development servers answer only names they know for that reason (Vite's `server.allowedHosts`,
 * webpack-dev-server's `allowedHosts`), and so does this: IP addresses, which no one can rebind,
 * `localhost` and the names under it (RFC 6761, section 6.3: they are loopback), the name the stack
 * was told to listen on (`--host`), and the names it was told to allow (`--allow-host`: a proxy's,
 * a tunnel's, a container's).
 */
import { isIP } from 'node:net';

/** The name in a `Host` header: without its port or brackets, lower case, without a final dot. */
const hostName = (host: string): string => {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(host);
  const name = bracketed ? (bracketed[1] as string) : host.replace(/:\d*$/, '');
  return name.toLowerCase().replace(/\.$/, '');
};

/**
 * A name `--allow-host` takes: a host name (in ASCII: `xn--` for other scripts), or one that starts
 * with a dot for a domain and every name under it (`.example.test`), as Vite's
 * `server.allowedHosts` takes them.
 */
export const ALLOWED_NAME = /^\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/i;

/**
 * Whether the stack, listening on `listenHost`, answers a request whose `Host` is `host`; `allowed`
 * are names of ALLOWED_NAME's form.
 */
export const allowedHost = (listenHost: string, allowed: readonly string[] = []) => {
  const names = [listenHost, ...allowed].map(hostName);
  return (host: string): boolean => {
    const name = hostName(host);
    return (
      isIP(name) !== 0 ||
      name === 'localhost' ||
      name.endsWith('.localhost') ||
      names.some((known) =>
        known.startsWith('.') ? name === known.slice(1) || name.endsWith(known) : name === known,
      )
    );
  };
};
