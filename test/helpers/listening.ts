import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

/** What connecting to a port of 127.0.0.1 gives: 'connected', or the error code (ECONNREFUSED). */
export const connectOutcome = (port: number): Promise<string> =>
  new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });

const ipv4 = (littleEndianHex: string): string =>
  (littleEndianHex.match(/../g) ?? [])
    .reverse()
    .map((byte) => Number.parseInt(byte, 16))
    .join('.');

const ipv6 = (hex: string): string => {
  if (/^0{32}$/.test(hex)) return '::';
  // /proc/net/tcp6 prints the address as four 32-bit words, each in host (little-endian) order.
  const words = hex.match(/.{8}/g) ?? [];
  if (words[0] === '00000000' && words[1] === '00000000' && words[2] === 'FFFF0000') {
    return ipv4(words[3] ?? '');
  }
  if (/^0{24}01000000$/.test(hex)) return '::1';
  return hex;
};

/**
 * The local addresses sockets listen on for `port`, read from the kernel's socket tables (Linux):
 * `127.0.0.1`, `::1`, or `0.0.0.0` / `::` for every interface. IPv4-mapped IPv6 addresses are
 * shown as IPv4.
 */
export const listeningAddresses = (port: number): string[] => {
  const found = new Set<string>();
  for (const [file, decode] of [
    ['/proc/net/tcp', ipv4],
    ['/proc/net/tcp6', ipv6],
  ] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [address, portHex] = (fields[1] ?? '').split(':');
      // State 0A is LISTEN.
      if (fields[3] !== '0A' || address === undefined || portHex === undefined) continue;
      if (Number.parseInt(portHex, 16) === port) found.add(decode(address));
    }
  }
  return [...found].sort();
};
