import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect, createServer } from 'node:net';

/**
 * The lowest port of the kernel's ephemeral range (Linux: 32768 by default), from which bind(0) and
 * connect() take ports; 32768 where the system does not say.
 */
const ephemeralStart = (): number => {
  try {
    const start = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    if (Number.isInteger(start) && start > 1024) return start;
  } catch {
    // No /proc (macOS): the usual Linux default.
  }
  return 32768;
};

/** Whether a port can be listened on on 127.0.0.1 now: bound and released at once. */
const bindable = (port: number): Promise<boolean> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolve(false) : reject(error),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * A port that was free on 127.0.0.1 a moment ago, for a test to listen on (or to find closed)
 * after this returns. Not one of the kernel's ephemeral ports, as listen(0) would give: tests run
 * in parallel, and another one's listen(0) or outgoing connection could take such a port before
 * this test uses it. A random one below that range (20000-32767 by default), which only a fixed
 * choice such as this one takes, checked free by binding it.
 */
export const freePort = async (): Promise<number> => {
  const end = Math.min(32768, ephemeralStart());
  // A range of some thousands below the ephemeral ones; lower if they start unusually low.
  const start = end - 1024 > 20000 ? 20000 : Math.max(1025, end - 4096);
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = start + Math.floor(Math.random() * (end - start));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port found in ${start}-${end - 1} in 20 tries`);
};

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

interface ListeningSocket {
  readonly address: string;
  readonly port: number;
  /** Names the socket among a process's open files (/proc/PID/fd). */
  readonly inode: string;
}

/** The sockets listening, read from the kernel's socket tables (Linux). */
const listeningSockets = (): ListeningSocket[] => {
  const found: ListeningSocket[] = [];
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
      found.push({ address: decode(address), port: Number.parseInt(portHex, 16), inode: fields[9] ?? '' });
    }
  }
  return found;
};

/**
 * The local addresses sockets listen on for `port`, read from the kernel's socket tables (Linux):
 * `127.0.0.1`, `::1`, or `0.0.0.0` / `::` for every interface. IPv4-mapped IPv6 addresses are
 * shown as IPv4.
 */
export const listeningAddresses = (port: number): string[] => {
  const found = new Set<string>();
  for (const socket of listeningSockets()) {
    if (socket.port === port) found.add(socket.address);
  }
  return [...found].sort();
};

/**
 * The sockets listening on `port` now, named by their inodes, for `closedSince` to check later.
 * Connecting to the port cannot tell that a socket closed: tests run in parallel, and another one
 * may listen on the freed port meanwhile (the kernel hands out the same ephemeral ports), or a
 * connect may pick the port itself as its source and connect to itself.
 */
export const listenersOn = (port: number): string[] =>
  listeningSockets()
    .filter((socket) => socket.port === port)
    .map((socket) => socket.inode);

/** Which of `listeners` (from listenersOn) still listen. */
export const stillListening = (listeners: readonly string[]): string[] => {
  const now = new Set(listeningSockets().map((socket) => socket.inode));
  return listeners.filter((inode) => now.has(inode));
};

/** The TCP ports that process `pid` listens on (Linux): its open sockets among the listening. */
export const listeningPortsOf = (pid: number): number[] => {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    // Gone, or not ours to look into.
    return [];
  }
  for (const fd of fds) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode !== undefined) inodes.add(inode);
    } catch {
      // Closed meanwhile.
    }
  }
  const ports = listeningSockets()
    .filter((socket) => inodes.has(socket.inode))
    .map((socket) => socket.port);
  return [...new Set(ports)].sort((a, b) => a - b);
};
