import { type AddressInfo, createServer, type Socket } from 'node:net';

/** A loopback TCP server that plays an HTTP peer byte by byte (what `http.createServer` cannot misbehave into). */
export interface RawServer {
  url: string;
  port: number;
  /** TCP connections accepted. */
  readonly connections: number;
  /** Request heads (and bodies) received, one string per request. */
  readonly requests: string[];
  /** Sockets the peer (the transport) closed or reset. */
  readonly closedByPeer: number;
  close(): Promise<void>;
}

/** Writes the answer to one complete request on `socket`; may keep writing (timers are cleared at close). */
export type RawScript = (
  socket: Socket,
  request: string,
  every: (millis: number, tick: () => void) => void,
) => void;

/**
 * Starts a TCP server on 127.0.0.1 (a free port) that waits for each whole request (head and
 * `content-length` body), then hands the socket to `script`. `close()` destroys every socket and
 * clears every timer the scripts started.
 */
export async function startRawServer(script: RawScript): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const requests: string[] = [];
  let connections = 0;
  let closedByPeer = 0;
  let closing = false;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      if (!closing) closedByPeer += 1;
    });
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const headEnd = received.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = received.subarray(0, headEnd).toString('latin1');
      const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (received.byteLength < headEnd + 4 + length) return;
      requests.push(received.subarray(0, headEnd + 4 + length).toString('utf8'));
      received = Buffer.alloc(0);
      script(socket, requests.at(-1)!, (millis, tick) => {
        const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : tick()), millis);
        timers.add(timer);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get connections() {
      return connections;
    },
    requests,
    get closedByPeer() {
      return closedByPeer;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const timer of timers) clearInterval(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
