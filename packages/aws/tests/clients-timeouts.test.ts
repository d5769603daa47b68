import { createServer, type Server, type Socket } from 'node:net';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createAwsClients,
  DEFAULT_CONNECTION_TIMEOUT_MILLIS,
  DEFAULT_REQUEST_TIMEOUT_MILLIS,
  LOCAL_CONNECTION_TIMEOUT_MILLIS,
  LOCAL_REQUEST_TIMEOUT_MILLIS,
} from '../src/clients.ts';

const REGION = 'ap-south-1';

/** A loopback TCP server on a free port that does `onConnection` with each socket; counts them. */
async function startTcpServer(onConnection: (socket: Socket) => void) {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  return {
    url: `http://127.0.0.1:${address.port}`,
    get connections() {
      return connections;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type TcpServer = Awaited<ReturnType<typeof startTcpServer>>;

/** Sends one Kinesis call through a client set made by `createAwsClients`; resolves with its outcome and duration. */
async function callThrough(server: TcpServer, options: Parameters<typeof createAwsClients>[1]) {
  const clients = createAwsClients({ region: REGION, endpoints: { kinesis: server.url } }, options);
  const started = performance.now();
  try {
    const outcome = await clients.kinesis
      .send(new DescribeStreamSummaryCommand({ StreamName: 'events' }))
      .then(
        () => ({ rejected: false as const }),
        (error: Error & { $metadata?: { attempts?: number } }) => ({ rejected: true as const, error }),
      );
    return { ...outcome, elapsedMillis: performance.now() - started };
  } finally {
    clients.destroy();
  }
}

/** The timeouts a client's handler was built with (known to the handler once it handled a call). */
async function handlerTimeouts(client: ReturnType<typeof createAwsClients>['kinesis']) {
  const handler = client.config.requestHandler as NodeHttpHandler;
  await client
    .send(new DescribeStreamSummaryCommand({ StreamName: 'events' }), { abortSignal: AbortSignal.abort() })
    .catch(() => undefined);
  const { connectionTimeout, requestTimeout, throwOnRequestTimeout, socketTimeout } =
    handler.httpHandlerConfigs() as Record<string, unknown>;
  return { connectionTimeout, requestTimeout, throwOnRequestTimeout, socketTimeout };
}

describe('createAwsClients timeouts', () => {
  let server: TcpServer | undefined;

  afterEach(async () => {
    vi.unstubAllEnvs();
    await server?.close();
    server = undefined;
  });

  it('fails a call to a server that accepts and never answers within the request timeout, after retrying on a new connection', async () => {
    // Prepare: a half-open peer, as a socket whose other end went away.
    server = await startTcpServer(() => undefined);

    // Act
    const result = await callThrough(server, { requestTimeoutMillis: 300, maxAttempts: 2 });

    // Assess: two attempts of 300 ms and a backoff, not a hang.
    expect(result.rejected).toBe(true);
    expect(result.rejected && result.error.name).toBe('TimeoutError');
    expect(result.rejected && result.error.$metadata?.attempts).toBe(2);
    expect(server.connections).toBe(2);
    expect(result.elapsedMillis).toBeGreaterThanOrEqual(2 * 300 - 50);
    expect(result.elapsedMillis).toBeLessThan(5_000);
  });

  it('fails a call whose response headers trickle in forever: the socket is never idle, the request timeout still ends it', async () => {
    // Prepare: a server that keeps the socket busy with one header line every 50 ms.
    const timers = new Set<NodeJS.Timeout>();
    server = await startTcpServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\n');
      const timer = setInterval(() => socket.write('x-amz-slow: 1\r\n'), 50);
      timers.add(timer);
      socket.on('close', () => clearInterval(timer));
    });

    try {
      // Act
      const result = await callThrough(server, { requestTimeoutMillis: 400, maxAttempts: 1 });

      // Assess
      expect(result.rejected && result.error.name).toBe('TimeoutError');
      expect(result.elapsedMillis).toBeLessThan(5_000);
    } finally {
      for (const timer of timers) clearInterval(timer);
    }
  });

  it('fails a call whose response body stops arriving after the headers', async () => {
    // Prepare: headers announce 100 bytes, 10 come, then nothing.
    server = await startTcpServer((socket) => {
      socket.once('data', () => {
        socket.write(
          'HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: 100\r\n\r\n{"Stream":',
        );
      });
    });

    // Act
    const result = await callThrough(server, { requestTimeoutMillis: 300, maxAttempts: 1 });

    // Assess
    expect(result.rejected && result.error.name).toBe('TimeoutError');
    expect(result.elapsedMillis).toBeLessThan(5_000);
  });

  it('bounds every call by default: tight towards AWS, roomier towards loopback emulators', async () => {
    // Prepare
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example');
    const aws = createAwsClients({ region: REGION });
    const local = createAwsClients({ region: REGION, endpoints: { kinesis: 'http://127.0.0.1:9' } });
    try {
      // Act / Assess
      expect(await handlerTimeouts(aws.kinesis)).toEqual({
        connectionTimeout: DEFAULT_CONNECTION_TIMEOUT_MILLIS,
        requestTimeout: DEFAULT_REQUEST_TIMEOUT_MILLIS,
        throwOnRequestTimeout: true,
        socketTimeout: DEFAULT_REQUEST_TIMEOUT_MILLIS,
      });
      expect(await handlerTimeouts(local.kinesis)).toEqual({
        connectionTimeout: LOCAL_CONNECTION_TIMEOUT_MILLIS,
        requestTimeout: LOCAL_REQUEST_TIMEOUT_MILLIS,
        throwOnRequestTimeout: true,
        socketTimeout: LOCAL_REQUEST_TIMEOUT_MILLIS,
      });
      // Three attempts stay well inside the ingest function's 60 s (stacks/DataPlane.ts).
      expect(3 * DEFAULT_REQUEST_TIMEOUT_MILLIS).toBeLessThanOrEqual(30_000);
    } finally {
      aws.destroy();
      local.destroy();
    }
  });

  it('leaves the request timeout to a caller that sets it to 0, and refuses a negative one', async () => {
    const clients = createAwsClients(
      { region: REGION, endpoints: { kinesis: 'http://127.0.0.1:9' } },
      { requestTimeoutMillis: 0, connectionTimeoutMillis: 0 },
    );
    try {
      expect(await handlerTimeouts(clients.kinesis)).toEqual({
        connectionTimeout: 0,
        requestTimeout: undefined,
        throwOnRequestTimeout: undefined,
        socketTimeout: undefined,
      });
    } finally {
      clients.destroy();
    }
    expect(() => createAwsClients({ region: REGION }, { requestTimeoutMillis: -1 })).toThrow(RangeError);
    expect(() => createAwsClients({ region: REGION }, { connectionTimeoutMillis: Number.NaN })).toThrow(
      RangeError,
    );
  });
});
