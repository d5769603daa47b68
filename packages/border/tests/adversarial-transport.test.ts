import type { LookupAddress } from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEgressTransport,
  type EgressTransport,
  type EgressTransportOptions,
  type TransportResponse,
} from '../src/index.ts';
import type { HostLookup } from '../src/transport/pinned-lookup.ts';
import { otherHostCertificate } from './support/certificates.ts';
import { type RawScript, type RawServer, startRawServer } from './support/raw-server.ts';
import { hasOpenssl, startCountingHttpsServer, startCountingServer } from './transport/servers.ts';

// A control plane (or whatever answers on its port) that misbehaves at the HTTP level. Every
// answer must come back as a value within the transport's timeout, never hang, never be buffered
// without bound, and never make the transport go anywhere but the origin it was given.

const TIMEOUT_MILLIS = 400;
/** Long enough for any honest failure, far shorter than the test timeout: a hang fails fast. */
const HANG_MILLIS = 4_000;

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((item) => item.close()));
});

async function raw(script: RawScript): Promise<RawServer> {
  const server = await startRawServer(script);
  open.push(server);
  return server;
}

function transportFor(origin: string, extra: Partial<EgressTransportOptions> = {}): EgressTransport {
  const transport = createEgressTransport({
    allowedOrigins: [origin],
    localMode: true,
    timeoutMillis: TIMEOUT_MILLIS,
    maxResponseBytes: 1024,
    ...extra,
  });
  open.push(transport);
  return transport;
}

/** Posts once and reports the answer with how long it took, or `hung` past {@link HANG_MILLIS}. */
async function postTimed(transport: EgressTransport, origin: string) {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), HANG_MILLIS);
  });
  const answer: TransportResponse | 'hung' = await Promise.race([
    transport.post(`${origin}/ingest`, { headers: {}, body: '[{"a":1}]' }),
    hung,
  ]);
  clearTimeout(timer);
  return { answer, millis: Date.now() - started };
}

const HEAD_200 = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n';

describe('adversarial transport: answers that never finish', () => {
  it.each<[string, RawScript]>([
    [
      'headers that trickle one byte at a time',
      (socket, _request, every) => {
        socket.write('HTTP/1.1 200 OK\r\nx-slow: ');
        every(50, () => socket.write('a'));
      },
    ],
    [
      'a body that trickles one byte at a time',
      (socket, _request, every) => {
        socket.write(`${HEAD_200}content-length: 1000\r\n\r\n`);
        every(50, () => socket.write(' '));
      },
    ],
    [
      'a chunked body that trickles and never ends',
      (socket, _request, every) => {
        socket.write(`${HEAD_200}transfer-encoding: chunked\r\n\r\n`);
        every(50, () => socket.write('1\r\n \r\n'));
      },
    ],
    [
      'a body that stops halfway and stays silent',
      (socket) => socket.write(`${HEAD_200}content-length: 100\r\n\r\n{"ok":`),
    ],
    ['no answer at all', () => undefined],
    [
      'interim 1xx answers and never a final one',
      (socket, _request, every) => {
        every(50, () => socket.write('HTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\n'));
      },
    ],
  ])('times out on %s, counting from the start of the request', async (_name, script) => {
    // Prepare
    const server = await raw(script);
    const transport = transportFor(server.url);
    // Act
    const { answer, millis } = await postTimed(transport, server.url);
    // Assess: a network error, well within twice the timeout (a stalled peer cannot extend it)
    expect(answer).toMatchObject({ kind: 'network-error' });
    expect(millis).toBeLessThan(TIMEOUT_MILLIS * 2 + 500);
  });

  it('times out when the resolver never answers (the name lookup counts against the timeout)', async () => {
    // Prepare
    const server = await raw((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    const silent: HostLookup = () => undefined;
    const origin = `http://localhost:${server.port}`;
    const transport = transportFor(origin, { lookup: silent });
    // Act
    const { answer } = await postTimed(transport, origin);
    // Assess
    expect(answer).toMatchObject({ kind: 'network-error' });
    expect(server.connections).toBe(0);
  });
});

describe('adversarial transport: answers too large or cut short', () => {
  it.each<[string, RawScript]>([
    [
      'an endless chunked body',
      (socket, _request, every) => {
        socket.write(`${HEAD_200}transfer-encoding: chunked\r\n\r\n`);
        const chunk = `400\r\n${'x'.repeat(0x400)}\r\n`;
        every(1, () => socket.write(chunk.repeat(16)));
      },
    ],
    [
      'a declared length of 10 GB',
      (socket, _request, every) => {
        socket.write(`${HEAD_200}content-length: 10000000000\r\n\r\n`);
        every(1, () => socket.write('y'.repeat(16 * 1024)));
      },
    ],
    [
      'a body read until close that never closes',
      (socket, _request, every) => {
        socket.write('HTTP/1.0 200 OK\r\n\r\n');
        every(1, () => socket.write('z'.repeat(16 * 1024)));
      },
    ],
  ])('cuts off %s at maxResponseBytes and drops the connection', async (_name, script) => {
    // Prepare
    const server = await raw(script);
    const transport = transportFor(server.url, { timeoutMillis: 3_000 });
    // Act
    const { answer } = await postTimed(transport, server.url);
    // Assess
    expect(answer).toEqual({ kind: 'network-error', reason: 'response too large' });
    await expect.poll(() => server.closedByPeer).toBe(1);
  });

  it('refuses a declared length over the limit at once, without reading or waiting for it', async () => {
    // Prepare: the head promises 10 GB, and then nothing comes
    const server = await raw((socket) => socket.write(`${HEAD_200}content-length: 10000000000\r\n\r\n`));
    const transport = transportFor(server.url, { timeoutMillis: 3_000 });
    // Act
    const { answer, millis } = await postTimed(transport, server.url);
    // Assess
    expect(answer).toEqual({ kind: 'network-error', reason: 'response too large' });
    expect(millis).toBeLessThan(1_000);
    await expect.poll(() => server.closedByPeer).toBe(1);
  });

  it.each<[string, RawScript]>([
    [
      'Connection: close mid-body',
      (socket) => socket.end(`${HEAD_200}connection: close\r\ncontent-length: 200\r\n\r\n{"ok":true,`),
    ],
    [
      'a reset mid-body',
      (socket) =>
        socket.write(`${HEAD_200}content-length: 200\r\n\r\n{"ok":`, () => socket.resetAndDestroy()),
    ],
    [
      'a chunked body closed before its last chunk',
      (socket) => socket.end(`${HEAD_200}transfer-encoding: chunked\r\n\r\n5\r\n{"ok"\r\n`),
    ],
    ['a status line that is not HTTP', (socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n')],
    ['a header block over 16 KiB', (socket) => socket.end(`${HEAD_200}x-big: ${'h'.repeat(20_000)}\r\n\r\n`)],
    [
      '101 Switching Protocols',
      (socket) =>
        socket.end(
          'HTTP/1.1 101 Switching Protocols\r\nupgrade: evil\r\nconnection: upgrade\r\n\r\nraw bytes',
        ),
    ],
  ])('reports %s as a network error, at once', async (_name, script) => {
    // Prepare
    const server = await raw(script);
    const transport = transportFor(server.url, { timeoutMillis: 3_000 });
    // Act
    const { answer, millis } = await postTimed(transport, server.url);
    // Assess: not a response (a truncated body is no answer), and not after waiting for the timeout
    expect(answer).toMatchObject({ kind: 'network-error' });
    expect(millis).toBeLessThan(2_000);
  });

  it('returns 1xx-then-200, 204, 418 and 599 as the final status they are', async () => {
    // Prepare
    const answers: string[] = [
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}',
      'HTTP/1.1 204 No Content\r\n\r\n',
      'HTTP/1.1 418 I am a teapot\r\ncontent-length: 4\r\n\r\ntea!',
      'HTTP/1.1 599 Whatever\r\ncontent-length: 0\r\n\r\n',
    ];
    const results: unknown[] = [];
    for (const text of answers) {
      const server = await raw((socket) => socket.end(text));
      // Act
      results.push((await postTimed(transportFor(server.url), server.url)).answer);
    }
    // Assess
    expect(results).toEqual([
      { kind: 'response', status: 200, body: '{}' },
      { kind: 'response', status: 204, body: '' },
      { kind: 'response', status: 418, body: 'tea!' },
      { kind: 'response', status: 599, body: '' },
    ]);
  });
});

describe('adversarial transport: redirects', () => {
  it.each([301, 302, 303, 307, 308])(
    'never follows a %i to another origin, even one on the allowlist',
    async (status) => {
      // Prepare
      const target = await startCountingServer((_req, res) => res.writeHead(200).end('{}'));
      open.push(target);
      const redirecting = await raw((socket) =>
        socket.end(`HTTP/1.1 ${status} Moved\r\nlocation: ${target.url}/ingest\r\ncontent-length: 0\r\n\r\n`),
      );
      const transport = transportFor(redirecting.url, {
        allowedOrigins: [redirecting.url, target.url],
      });
      // Act
      const { answer } = await postTimed(transport, redirecting.url);
      // Assess
      expect(answer).toEqual({ kind: 'response', status, body: '' });
      expect(redirecting.requests).toHaveLength(1);
      expect(target.connections).toBe(0);
    },
  );
});

describe('adversarial transport: DNS in local mode', () => {
  const answering =
    (list: LookupAddress[]): HostLookup =>
    (_hostname, _options, callback) =>
      (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);

  it.each<[string, LookupAddress[]]>([
    ['an IPv4-mapped address off loopback', [{ address: '::ffff:192.0.2.1', family: 6 }]],
    ['0.0.0.0 (the local host on Linux, but not loopback)', [{ address: '0.0.0.0', family: 4 }]],
    ['the IPv6 unspecified address', [{ address: '::', family: 6 }]],
    ['a name instead of an address', [{ address: '127.0.0.1.nip.io', family: 4 }]],
    ['a hexadecimal loopback spelling', [{ address: '0x7f000001', family: 4 }]],
  ])('refuses a name that resolves to %s, before connecting', async (_name, list) => {
    // Prepare
    const server = await raw((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    const origin = `http://localhost:${server.port}`;
    const transport = transportFor(origin, { lookup: answering(list) });
    // Act
    const attempt = transport.post(`${origin}/ingest`, { headers: {}, body: '[]' });
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'EgressRefusedError' });
    expect(server.connections).toBe(0);
  });
});

describe.runIf(hasOpenssl)('adversarial transport: TLS', () => {
  it('refuses a server that speaks plain http on the https origin', async () => {
    // Prepare: an https origin whose port answers in clear text
    const plain = await startCountingServer((_req, res) => res.writeHead(200).end('{}'));
    open.push(plain);
    const origin = `https://127.0.0.1:${plain.port}`;
    const transport = transportFor(origin, { localMode: false });
    // Act
    const { answer } = await postTimed(transport, origin);
    // Assess
    expect(answer).toMatchObject({ kind: 'network-error' });
    expect(plain.requests).toBe(0);
  });

  it('sends nothing to a TLS server whose certificate names another host', async () => {
    // Prepare
    const { key, cert } = otherHostCertificate();
    const server = await startCountingHttpsServer({ key, cert }, (_req, res) => res.writeHead(200).end('{}'));
    open.push(server);
    const transport = transportFor(server.url, { localMode: false, ca: cert });
    // Act
    const { answer } = await postTimed(transport, server.url);
    // Assess
    expect(answer).toMatchObject({ kind: 'network-error' });
    expect(server.requests).toBe(0);
  });
});
