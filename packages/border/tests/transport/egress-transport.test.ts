import { afterEach, describe, expect, it } from 'vitest';
import { BorderConfigurationError, EgressRefusedError } from '../../src/errors.ts';
import { createEgressTransport } from '../../src/transport/egress-transport.ts';
import {
  type CountingServer,
  hasOpenssl,
  selfSignedCertificate,
  startCountingHttpsServer,
  startCountingServer,
} from './servers.ts';

const servers: CountingServer[] = [];
const track = (server: CountingServer) => {
  servers.push(server);
  return server;
};
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const ok =
  (status = 200, body = '{}') =>
  (_req: unknown, res: import('node:http').ServerResponse) =>
    res.writeHead(status).end(body);

describe('egress transport: allowlist', () => {
  it('refuses a destination off the allowlist before a socket opens', async () => {
    // Prepare
    const server = track(await startCountingServer(ok()));
    const transport = createEgressTransport({ allowedOrigins: ['https://control.example.com'] });
    // Act
    const attempt = transport.post(`${server.url}/ingest`, { headers: {}, body: '[]' });
    // Assess
    await expect(attempt).rejects.toBeInstanceOf(EgressRefusedError);
    expect(server.connections).toBe(0);
    transport.close();
  });

  it('compares the exact origin: another port or localhost for 127.0.0.1 is refused', async () => {
    // Prepare
    const allowed = track(await startCountingServer(ok()));
    const other = track(await startCountingServer(ok()));
    const transport = createEgressTransport({ allowedOrigins: [allowed.url], localMode: true });
    // Act
    const otherPort = transport.post(`${other.url}/ingest`, { headers: {}, body: '[]' });
    const byName = transport.post(`http://localhost:${allowed.port}/ingest`, { headers: {}, body: '[]' });
    const withCredentials = transport.post(`http://user:pw@127.0.0.1:${allowed.port}/`, {
      headers: {},
      body: '[]',
    });
    // Assess
    await expect(otherPort).rejects.toBeInstanceOf(EgressRefusedError);
    await expect(byName).rejects.toBeInstanceOf(EgressRefusedError);
    await expect(withCredentials).rejects.toBeInstanceOf(EgressRefusedError);
    expect(other.connections + allowed.connections).toBe(0);
    transport.close();
  });

  it('sends to the allowlisted loopback origin over http in local mode', async () => {
    // Prepare
    const server = track(await startCountingServer(ok(200, '{"fine":true}')));
    const transport = createEgressTransport({ allowedOrigins: [server.url], localMode: true });
    // Act
    const response = await transport.post(`${server.url}/ingest`, { headers: { 'x-test': '1' }, body: '[]' });
    // Assess
    expect(response).toEqual({ kind: 'response', status: 200, body: '{"fine":true}' });
    transport.close();
  });

  it('refuses plain http outside local mode and to non-loopback hosts, at creation', () => {
    // Prepare, Act, Assess
    expect(() => createEgressTransport({ allowedOrigins: ['http://127.0.0.1:8080'] })).toThrow(
      BorderConfigurationError,
    );
    expect(() =>
      createEgressTransport({ allowedOrigins: ['http://cp.example.com'], localMode: true }),
    ).toThrow(BorderConfigurationError);
    expect(() => createEgressTransport({ allowedOrigins: ['https://cp.example.com/ingest'] })).toThrow(
      BorderConfigurationError,
    );
    expect(() => createEgressTransport({ allowedOrigins: ['ftp://cp.example.com'] })).toThrow(
      BorderConfigurationError,
    );
  });

  it('refuses a body over the size limit before a socket opens', async () => {
    // Prepare
    const server = track(await startCountingServer(ok()));
    const transport = createEgressTransport({
      allowedOrigins: [server.url],
      localMode: true,
      maxRequestBytes: 10,
    });
    // Act
    const attempt = transport.post(`${server.url}/ingest`, { headers: {}, body: 'x'.repeat(11) });
    // Assess
    await expect(attempt).rejects.toBeInstanceOf(EgressRefusedError);
    expect(server.connections).toBe(0);
    transport.close();
  });
});

describe('egress transport: redirects', () => {
  it('returns a 3xx as it is and never follows it', async () => {
    // Prepare
    const target = track(await startCountingServer(ok()));
    const redirecting = track(
      await startCountingServer((_req, res) =>
        res.writeHead(307, { location: `${target.url}/ingest` }).end(),
      ),
    );
    const transport = createEgressTransport({
      allowedOrigins: [redirecting.url, target.url],
      localMode: true,
    });
    // Act
    const response = await transport.post(`${redirecting.url}/ingest`, { headers: {}, body: '[]' });
    // Assess
    expect(response).toMatchObject({ kind: 'response', status: 307 });
    expect(target.connections).toBe(0);
    transport.close();
  });
});

describe('egress transport: network failures are values', () => {
  it('reports a refused connection as a network error', async () => {
    // Prepare
    const server = await startCountingServer(ok());
    const url = server.url;
    await server.close();
    const transport = createEgressTransport({ allowedOrigins: [url], localMode: true, timeoutMillis: 2_000 });
    // Act
    const response = await transport.post(`${url}/ingest`, { headers: {}, body: '[]' });
    // Assess
    expect(response.kind).toBe('network-error');
    transport.close();
  });
});

describe.runIf(hasOpenssl)('egress transport: TLS 1.3 minimum', () => {
  const { key, cert } = hasOpenssl ? selfSignedCertificate() : { key: '', cert: '' };

  it('sends over TLS 1.3 to a server with a trusted certificate', async () => {
    // Prepare
    const server = track(
      await startCountingHttpsServer({ key, cert, minVersion: 'TLSv1.3' }, ok(200, '{"tls":13}')),
    );
    const transport = createEgressTransport({ allowedOrigins: [server.url], ca: cert });
    // Act
    const response = await transport.post(`${server.url}/ingest`, { headers: {}, body: '[]' });
    // Assess
    expect(response).toEqual({ kind: 'response', status: 200, body: '{"tls":13}' });
    transport.close();
  });

  it('refuses a server that offers at most TLS 1.2', async () => {
    // Prepare
    const server = track(await startCountingHttpsServer({ key, cert, maxVersion: 'TLSv1.2' }, ok()));
    const transport = createEgressTransport({ allowedOrigins: [server.url], ca: cert });
    // Act
    const response = await transport.post(`${server.url}/ingest`, { headers: {}, body: '[]' });
    // Assess
    expect(response.kind).toBe('network-error');
    expect(server.requests).toBe(0);
    transport.close();
  });

  it('refuses a certificate it does not trust', async () => {
    // Prepare
    const server = track(await startCountingHttpsServer({ key, cert }, ok()));
    const transport = createEgressTransport({ allowedOrigins: [server.url] });
    // Act
    const response = await transport.post(`${server.url}/ingest`, { headers: {}, body: '[]' });
    // Assess
    expect(response.kind).toBe('network-error');
    expect(server.requests).toBe(0);
    transport.close();
  });
});
