/**
 * Which names in a request's `Host` the local stack answers, against DNS rebinding: a web page can
 * have a name of its own site resolve to 127.0.0.1, and then read and post through the visitor's
 * browser as if the local stack were that site, its requests carrying that name in `Host`. Local
 * development servers answer only names they know for that reason (Vite's `server.allowedHosts`,
 * webpack-dev-server's `allowedHosts`), and so does this: IP addresses, which no one can rebind,
 * `localhost` and the names under it (RFC 6761, section 6.3: they are loopback), and the name the
 * stack was told to listen on (`--host`).
 */
import { isIP } from 'node:net';

/** The name in a `Host` header: without its port or brackets, lower case, without a final dot. */
const hostName = (host: string): string => {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(host);
  const name = bracketed ? (bracketed[1] as string) : host.replace(/:\d*$/, '');
  return name.toLowerCase().replace(/\.$/, '');
};

/** Whether the stack, listening on `listenHost`, answers a request whose `Host` is `host`. */
export const allowedHost =
  (listenHost: string) =>
  (host: string): boolean => {
    const name = hostName(host);
    return (
      isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost') || name === hostName(listenHost)
    );
  };
