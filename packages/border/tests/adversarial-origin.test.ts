import { afterEach, describe, expect, it } from 'vitest';
import {
  allowedOrigin,
  BorderConfigurationError,
  createEgressTransport,
  EgressRefusedError,
} from '../src/index.ts';
import { type CountingServer, startCountingServer } from './transport/servers.ts';

// Tricks in the configured origin and in the destination of a request: the allowlist is one exact
// origin, plain http reaches loopback only, and no message repeats a secret the URL carried.

describe('adversarial origin: what the allowlist refuses at creation', () => {
  it.each<[string, string, boolean]>([
    ['a user name', 'https://hunter2@cp.example.com', false],
    ['a user name and an empty password', 'https://hunter2:@cp.example.com', false],
    ['a look-alike loopback name', 'http://127.0.0.1.nip.io', true],
    ['a name under another domain', 'http://localhost.evil.com', true],
    ['localhost with a trailing dot (a name, not the literal)', 'http://localhost.', true],
    ['an IPv4-mapped IPv6 loopback (not one of the literals)', 'http://[::ffff:127.0.0.1]', true],
    ['0.0.0.0 (reaches local services on Linux)', 'http://0', true],
    ['the IPv6 unspecified address', 'http://[::]', true],
    ['a private address', 'http://10.0.0.1', true],
    ['port 0', 'http://127.0.0.1:0', true],
    ['port 0 over https', 'https://cp.example.com:0', false],
    ['port 65536', 'https://cp.example.com:65536', false],
    ['a path', 'https://cp.example.com/hooks/hunter2', false],
    ['a query', 'https://cp.example.com/?token=hunter2', false],
    ['a fragment', 'https://cp.example.com/#hunter2', false],
    ['a backslash that hides a path', 'https://cp.example.com\\@hunter2.evil.com', false],
    ['an @ in the fragment', 'https://evil.com#@cp.example.com/hunter2', false],
    ['plain http to loopback outside local mode', 'http://127.0.0.1:4010', false],
    ['a scheme that is not http(s)', 'ws://127.0.0.1:4010', true],
    ['a file URL', 'file:///etc/hunter2', true],
  ])('refuses %s, and never repeats the secret', (_name, origin, localMode) => {
    // Act
    let error: unknown;
    try {
      allowedOrigin(origin, localMode);
    } catch (e) {
      error = e;
    }
    // Assess
    expect(error).toBeInstanceOf(BorderConfigurationError);
    expect((error as BorderConfigurationError).setting).toBe('CONTROL_PLANE_ORIGIN');
    expect((error as Error).message).not.toContain('hunter2');
  });

  it.each<[string, string, string]>([
    ['upper case', 'HTTPS://CP.EXAMPLE.COM', 'https://cp.example.com'],
    ['the default port', 'https://cp.example.com:443', 'https://cp.example.com'],
    [
      'an IDN look-alike, as the punycode it really is',
      'https://cоntrol.example.com',
      'https://xn--cntrol-wqf.example.com',
    ],
    ['a hexadecimal loopback', 'http://0x7f.1:4010', 'http://127.0.0.1:4010'],
    ['a decimal loopback', 'http://2130706433:4010', 'http://127.0.0.1:4010'],
    ['an octal loopback', 'http://0177.0.0.1:4010', 'http://127.0.0.1:4010'],
    ['a trailing dot on a loopback literal', 'http://127.0.0.1.:4010', 'http://127.0.0.1:4010'],
    ['the IPv6 loopback', 'http://[0:0:0:0:0:0:0:1]:4010', 'http://[::1]:4010'],
  ])('normalizes %s to the origin it names', (_name, origin, expected) => {
    // Act, Assess
    expect(allowedOrigin(origin, true)).toBe(expected);
  });
});

describe('adversarial origin: destinations of a request', () => {
  const servers: CountingServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('refuses every spelling of another origin before a socket opens, and names no secret', async () => {
    // Prepare
    const server = await startCountingServer((_req, res) => res.writeHead(200).end('{}'));
    servers.push(server);
    const transport = createEgressTransport({
      allowedOrigins: [server.url],
      localMode: true,
      timeoutMillis: 1_000,
    });
    const port = server.port;
    const destinations = [
      `http://hunter2:pw@127.0.0.1:${port}/ingest`,
      `http://127.0.0.1:${port}@evil.com/hunter2`,
      `http://localhost:${port}/ingest`,
      `http://[::1]:${port}/ingest`,
      `http://127.0.0.2:${port}/ingest`,
      `https://127.0.0.1:${port}/ingest`,
      `http://127.0.0.1:${port + 1}/ingest`,
      `http://127.0.0.1:${port}.nip.io/ingest`,
      `//127.0.0.1:${port}/ingest`,
      `/ingest`,
    ];
    // Act
    const attempts = await Promise.allSettled(
      destinations.map((destination) => transport.post(destination, { headers: {}, body: '[]' })),
    );
    transport.close();
    // Assess
    for (const attempt of attempts) {
      expect(attempt.status).toBe('rejected');
      const reason = (attempt as PromiseRejectedResult).reason as EgressRefusedError;
      expect(reason).toBeInstanceOf(EgressRefusedError);
      expect(`${reason.message} ${reason.destination}`).not.toContain('hunter2');
    }
    expect(server.connections).toBe(0);
  });

  it('sends to another spelling of the allowlisted origin itself (it is the same origin)', async () => {
    // Prepare
    const server = await startCountingServer((_req, res) => res.writeHead(200).end('{}'));
    servers.push(server);
    const transport = createEgressTransport({
      allowedOrigins: [server.url],
      localMode: true,
      timeoutMillis: 1_000,
    });
    // Act
    const answer = await transport.post(`http://0x7f.1:${server.port}/ingest`, { headers: {}, body: '[]' });
    transport.close();
    // Assess
    expect(answer).toEqual({ kind: 'response', status: 200, body: '{}' });
    expect(server.requests).toBe(1);
  });
});
