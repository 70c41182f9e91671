/**
 * Ports on 127.0.0.1: checking the engine's port option, probing that a port is free (or finding
 * a free one; the stack probes its own port with it too), and the error that says a port is taken,
 * the same for both engines.
 */
import { createServer } from 'node:net';

export const HOST = '127.0.0.1';

/** Whether a host name or address (IPv6 with or without brackets) is this machine's loopback. */
export const isLoopbackHost = (host: string): boolean =>
  /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i.test(unbracketed(host));

/** A host as `--host` takes it: an IPv6 address without the brackets that URL writes it in. */
export const unbracketed = (host: string): string => host.replace(/^\[(.*)\]$/, '$1');

/** Listens on `port` and closes again: the port found (a free one for 0), or why it cannot be had. */
export const probePort = (port: number, host = HOST): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const found = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolve(found));
    });
  });

/** The engine's port is taken; `port` lets a caller name the option that asked for it. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(
      `port ${port} on ${HOST} is already in use (is another stack or DynamoDB engine running?): ` +
        'stop it, choose another port, or leave the port unset to pick a free one',
    );
    this.name = 'PortInUseError';
  }
}

export const checkPortOption = (port: number | undefined): number => {
  const value = port ?? 0;
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new Error(`port must be an integer from 0 to 65535 (0 picks a free one), got ${String(port)}`);
  }
  return value;
};

export const isAddressInUse = (error: unknown) =>
  (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
