import type { LookupAddress } from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import { EgressRefusedError } from '../../src/errors.ts';
import { createEgressTransport } from '../../src/transport/egress-transport.ts';
import { type HostLookup, pinnedLookup } from '../../src/transport/pinned-lookup.ts';
import { type CountingServer, startCountingServer } from './servers.ts';

// DNS answers in local mode: plain http may reach loopback only, and `localhost` is a name like any
// other. These tests play the DNS server with an injected lookup (no real resolver): a name that
// resolves off loopback is refused, and an answer that changes between the check and the connect
// (DNS rebinding) cannot move the connection. 192.0.2.0/24 is TEST-NET-1 (RFC 5737): nothing
// answers there, so a transport without the defence fails these tests with a timeout instead.

const OFF_LOOPBACK: LookupAddress = { address: '192.0.2.10', family: 4 };
const LOOPBACK: LookupAddress = { address: '127.0.0.1', family: 4 };

/** A resolver that answers the n-th query with `answers[n]` (the last one from then on), and records the names asked. */
function scriptedLookup(...answers: LookupAddress[][]) {
  const asked: string[] = [];
  const lookup: HostLookup = (hostname, options, callback) => {
    const list = answers[Math.min(asked.length, answers.length - 1)] ?? [];
    asked.push(hostname);
    setImmediate(() => {
      if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      else callback(null, list[0]?.address ?? '', list[0]?.family ?? 4);
    });
  };
  return { lookup, asked };
}

const servers: CountingServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function localhostServer() {
  const server = await startCountingServer((_req, res) => res.writeHead(200).end('{"ok":true}'));
  servers.push(server);
  return { server, origin: `http://localhost:${server.port}` };
}

describe('egress transport in local mode: where an allowlisted name resolves', () => {
  it('sends to an allowlisted name that resolves to loopback', async () => {
    // Prepare
    const { server, origin } = await localhostServer();
    const dns = scriptedLookup([LOOPBACK]);
    const transport = createEgressTransport({
      allowedOrigins: [origin],
      localMode: true,
      lookup: dns.lookup,
    });
    // Act
    const response = await transport.post(`${origin}/ingest`, { headers: {}, body: '[]' });
    transport.close();
    // Assess
    expect(response).toEqual({ kind: 'response', status: 200, body: '{"ok":true}' });
    expect(dns.asked).toEqual(['localhost']);
    expect(server.requests).toBe(1);
  });

  it('refuses an allowlisted name that resolves to another host, or to loopback and another host', async () => {
    // Prepare
    const { server, origin } = await localhostServer();
    const elsewhere = scriptedLookup([OFF_LOOPBACK]);
    const mixed = scriptedLookup([LOOPBACK, OFF_LOOPBACK]);
    const transports = [elsewhere, mixed].map((dns) =>
      createEgressTransport({
        allowedOrigins: [origin],
        localMode: true,
        lookup: dns.lookup,
        timeoutMillis: 1_000,
      }),
    );
    // Act
    const attempts = await Promise.allSettled(
      transports.map((transport) => transport.post(`${origin}/ingest`, { headers: {}, body: '[]' })),
    );
    for (const transport of transports) transport.close();
    // Assess: refused (not a network error after trying), and nothing reached the allowlisted server
    expect(attempts.map((a) => (a.status === 'rejected' ? (a.reason as Error).name : a.value.kind))).toEqual([
      'EgressRefusedError',
      'EgressRefusedError',
    ]);
    for (const attempt of attempts) {
      if (attempt.status === 'rejected') expect(String(attempt.reason.message)).not.toContain('192.0.2');
    }
    expect(server.connections).toBe(0);
  });

  it('connects to the address it checked when the name resolves to another host afterwards (DNS rebinding)', async () => {
    // Prepare: loopback for the first query, another host for every later one
    const { server, origin } = await localhostServer();
    const dns = scriptedLookup([LOOPBACK], [OFF_LOOPBACK]);
    const transport = createEgressTransport({
      allowedOrigins: [origin],
      localMode: true,
      lookup: dns.lookup,
      timeoutMillis: 1_000,
    });
    // Act
    const first = await transport.post(`${origin}/ingest`, { headers: {}, body: '[]' });
    // The next request checks again (no cached verdict): now the answer is off loopback.
    const second = transport.post(`${origin}/ingest`, { headers: {}, body: '[]' });
    // Assess: one query per request, the first connection went where the check said
    expect(first).toEqual({ kind: 'response', status: 200, body: '{"ok":true}' });
    await expect(second).rejects.toBeInstanceOf(EgressRefusedError);
    expect(dns.asked).toEqual(['localhost', 'localhost']);
    expect(server.requests).toBe(1);
    transport.close();
  });
});

describe('pinnedLookup', () => {
  it('answers with the checked addresses whatever the name, and refuses to hand out one off loopback', () => {
    // Prepare
    const pinned = pinnedLookup([LOOPBACK]);
    const unpinnable = pinnedLookup([LOOPBACK, OFF_LOOPBACK]);
    const answers: unknown[] = [];
    // Act
    pinned('evil.example', { all: true }, (error, address) => answers.push(error ?? address));
    pinned('localhost', { family: 4 }, (error, address) => answers.push(error ?? address));
    unpinnable('localhost', { all: true }, (error, address) => answers.push(error ?? address));
    // Assess
    expect(answers[0]).toEqual([LOOPBACK]);
    expect(answers[1]).toBe('127.0.0.1');
    expect(answers[2]).toBeInstanceOf(EgressRefusedError);
  });
});
