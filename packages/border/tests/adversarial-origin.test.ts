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

  it.each<[string, string, string, boolean]>([
    ['upper case', 'HTTPS://CP.EXAMPLE.COM', 'https://cp.example.com', false],
    ['an upper-case scheme', 'HTTPS://cp.example.com', 'https://cp.example.com', false],
    ['the default port', 'https://cp.example.com:443', 'https://cp.example.com', false],
    [
      'an IDN look-alike, as the punycode it really is',
      'https://cоntrol.example.com',
      'https://xn--cntrol-wqf.example.com',
      false,
    ],
    ['a hexadecimal loopback', 'http://0x7f.1:4010', 'http://127.0.0.1:4010', true],
    ['a decimal loopback', 'http://2130706433:4010', 'http://127.0.0.1:4010', true],
    ['an octal loopback', 'http://0177.0.0.1:4010', 'http://127.0.0.1:4010', true],
    ['a trailing dot on a loopback literal', 'http://127.0.0.1.:4010', 'http://127.0.0.1:4010', true],
    ['a long IPv6 loopback', 'http://[0:0:0:0:0:0:0:1]:4010', 'http://[::1]:4010', true],
  ])(
    'refuses %s, quoting it as written and naming the origin to write',
    (_name, origin, written, localMode) => {
      // Act, Assess: the reader sees what they wrote, and what `new URL` makes of it as the fix.
      expect(() => allowedOrigin(origin, localMode)).toThrow(
        `control-plane origin ${JSON.stringify(origin)} is not written as the origin it names: write "${written}"`,
      );
      // What it says to write is taken.
      expect(allowedOrigin(written, localMode)).toBe(written);
    },
  );

  it.each(['https://*.example.com', 'https://*', 'https://cp.*.example.com', 'https://%2A.example.com'])(
    'refuses the wildcard host %s',
    (origin) => {
      expect(() => allowedOrigin(origin, false)).toThrow(
        /has a wildcard host; the allowlist names exactly one host/,
      );
    },
  );

  it.each(['https://cp_1.example.com', 'https://cp.example.com.', 'https://cp!.example.com'])(
    'refuses %s, whose host is no DNS name',
    (origin) => {
      expect(() => allowedOrigin(origin, false)).toThrow(
        `control-plane origin ${JSON.stringify(origin)} has a host that is neither a DNS name nor an IP address`,
      );
    },
  );

  it('takes origins written as new URL keeps them, with or without one trailing slash', () => {
    expect(allowedOrigin('https://cp.example.com', false)).toBe('https://cp.example.com');
    expect(allowedOrigin('https://cp.example.com:8443/', false)).toBe('https://cp.example.com:8443');
    expect(allowedOrigin('https://xn--cntrol-wqf.example.com', false)).toBe(
      'https://xn--cntrol-wqf.example.com',
    );
    expect(allowedOrigin('http://[::1]:4010', true)).toBe('http://[::1]:4010');
    expect(allowedOrigin('http://localhost:4010', true)).toBe('http://localhost:4010');
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
