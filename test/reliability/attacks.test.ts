import { randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { booked } from './support/bad-input.ts';
import { border, controlPlane, core } from './support/deps.ts';

// Attacks on the control plane and the border, over real HTTP on loopback: the control plane
// server as `residency up` runs it, requests as the forwarder (or an attacker) would send them.
// Unit tests of each defence live with their packages (docs/security.md has the index); these
// check the assembled server and transport.

const tokens = core.createInMemoryTokenPort();

/** An outbound record exactly as the ingest makes it (validated, tokenized, mapped). */
async function record(): Promise<core.OutboundRecord> {
  const result = core.validateEvent(core.clinicbook, booked(randomUUID()));
  if (!result.ok) throw new Error('the fixture event is not valid');
  const [out] = await core.outboundRecordsOf(tokens, [result.event]);
  return out as core.OutboundRecord;
}

/** `n` records. */
const records = (n: number) => Promise.all(Array.from({ length: n }, () => record()));

/** Signs items as one batch, like the forwarder. */
function signerOf(pair: border.SigningKeyPair) {
  const signer = border.createBatchSigner({ privateKey: pair.privateKeyPem, keyId: pair.keyId });
  return (items: unknown[], options: { sentAt?: string; padding?: number } = {}) => {
    const body = JSON.stringify(items);
    const batchId = border.batchIdFor('records', body);
    return border.signBatchRequest(
      signer,
      { batchId, sentAt: options.sentAt ?? new Date().toISOString(), kind: 'records', count: items.length },
      body,
    );
  };
}

/** POSTs raw bytes; resolves with the status, or `reset` when the server dropped the connection. */
function post(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number | 'reset'; body: string }> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', () => resolve({ status: 'reset', body: '' }));
      },
    );
    req.on('error', () => resolve({ status: 'reset', body: '' }));
    req.end(body);
  });
}

describe('attacks on the control plane, over HTTP', () => {
  const current = border.generateSigningKeyPair();
  const old = border.generateSigningKeyPair();
  let cp: controlPlane.RunningControlPlane;
  let ingestUrl: string;

  beforeAll(async () => {
    cp = await controlPlane.startControlPlaneServer({
      publicKeys: { [current.keyId]: current.publicKeyPem, [old.keyId]: old.publicKeyPem },
      retiredKeyIds: [old.keyId],
    });
    ingestUrl = `${cp.url}${border.INGEST_PATH}`;
  });

  afterAll(async () => {
    await cp?.close();
  });

  const stored = async (ids: readonly string[]) => {
    const all = new Set(await cp.store.recordIds());
    return ids.filter((id) => all.has(id));
  };

  it('stores a batch signed with the current key (the control for the attacks below)', async () => {
    // Prepare
    const items = await records(1);
    const signed = signerOf(current)(items);

    // Act
    const answer = await post(ingestUrl, signed.headers, signed.body);

    // Assess
    expect(answer.status).toBe(200);
    expect(await stored(items.map((r) => r.recordId))).toHaveLength(1);
  });

  it('refuses a forged signature (another key claiming the real key id) and stores nothing', async () => {
    // Prepare
    const items = await records(1);
    const forged = signerOf(border.generateSigningKeyPair())(items);
    forged.headers[border.SIGNED_BATCH_HEADERS.keyId] = current.keyId;

    // Act
    const answer = await post(ingestUrl, forged.headers, forged.body);

    // Assess
    expect(answer.status).toBe(401);
    expect(await stored(items.map((r) => r.recordId))).toEqual([]);
  });

  it('refuses a body changed after signing', async () => {
    // Prepare
    const items = await records(1);
    const signed = signerOf(current)(items);
    const tampered = Buffer.from(signed.body.toString('utf8').replace('cardiology', 'cardiologx'));

    // Act
    const answer = await post(ingestUrl, signed.headers, tampered);

    // Assess
    expect(answer.status).toBe(401);
    expect(await stored(items.map((r) => r.recordId))).toEqual([]);
  });

  it('refuses a batch signed with a retired key', async () => {
    // Prepare
    const items = await records(1);
    const signed = signerOf(old)(items);

    // Act
    const answer = await post(ingestUrl, signed.headers, signed.body);

    // Assess
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ ok: false, reason: 'retired-key' });
    expect(await stored(items.map((r) => r.recordId))).toEqual([]);
  });

  it('stores a replayed batch once, and refuses a replay from outside the freshness window', async () => {
    // Prepare
    const items = await records(2);
    const signed = signerOf(current)(items);
    const stale = signerOf(current)(await records(1), {
      sentAt: new Date(Date.now() - 3_600_000).toISOString(),
    });

    // Act
    const first = await post(ingestUrl, signed.headers, signed.body);
    const replay = await post(ingestUrl, signed.headers, signed.body);
    const late = await post(ingestUrl, stale.headers, stale.body);

    // Assess
    expect([first.status, replay.status]).toEqual([200, 200]);
    expect(JSON.parse(replay.body)).toMatchObject({ ok: true, stored: 0, duplicateBatch: true });
    expect(await stored(items.map((r) => r.recordId))).toHaveLength(2);
    expect(late.status).toBe(401);
  });

  it('refuses an unsigned batch', async () => {
    // Prepare
    const signed = signerOf(current)(await records(1));
    const { [border.SIGNED_BATCH_HEADERS.signature]: _dropped, ...headers } = signed.headers;

    // Act
    const answer = await post(ingestUrl, headers, signed.body);

    // Assess
    expect(answer.status).toBe(401);
  });

  it('refuses oversized bodies (over the ingest limit, and over what the server reads at all)', async () => {
    // Prepare: validly signed, padded past 6 MiB with records; and 9 MiB of bytes
    const items = (await records(7_000)).map((r) => ({ ...r, padding: 'x'.repeat(900) }));
    const big = signerOf(current)(items);
    const huge = Buffer.alloc(9 * 1024 * 1024, 0x20);

    // Act
    const overIngest = await post(ingestUrl, big.headers, big.body);
    const overServer = await post(ingestUrl, big.headers, huge);

    // Assess
    expect(big.body.length).toBeGreaterThan(controlPlane.DEFAULT_MAX_INGEST_BYTES);
    expect(overIngest.status).toBe(413);
    expect([413, 'reset']).toContain(overServer.status);
    expect(await stored(items.slice(0, 50).map((r) => r.recordId))).toEqual([]);
  });
});

describe('attacks on the border: where the forwarder may send', () => {
  let allowed: Server;
  let elsewhere: Server;
  let connectionsElsewhere = 0;
  let allowedOrigin: string;
  let elsewhereOrigin: string;

  const listen = async (server: Server) => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  beforeAll(async () => {
    elsewhere = createServer((_req, res) => res.end('{"ok":true}'));
    elsewhere.on('connection', () => {
      connectionsElsewhere += 1;
    });
    elsewhereOrigin = await listen(elsewhere);
    // An allowlisted control plane that answers every request with a redirect elsewhere.
    allowed = createServer((_req, res) => {
      res.writeHead(307, { location: `${elsewhereOrigin}${border.INGEST_PATH}` }).end();
    });
    allowedOrigin = await listen(allowed);
  });

  afterAll(async () => {
    allowed?.closeAllConnections();
    elsewhere?.closeAllConnections();
    await new Promise((resolve) => allowed?.close(resolve));
    await new Promise((resolve) => elsewhere?.close(resolve));
  });

  it('refuses an origin off the allowlist (another port, or a name for the same host) before a socket opens', async () => {
    // Prepare
    const transport = border.createEgressTransport({ allowedOrigins: [allowedOrigin], localMode: true });
    const sameHostByName = elsewhereOrigin.replace('127.0.0.1', 'localhost');

    // Act
    const refusals = await Promise.allSettled([
      transport.post(`${elsewhereOrigin}${border.INGEST_PATH}`, { headers: {}, body: '[]' }),
      transport.post(`${sameHostByName}${border.INGEST_PATH}`, { headers: {}, body: '[]' }),
    ]);
    transport.close();

    // Assess
    expect(refusals.map((r) => (r.status === 'rejected' ? (r.reason as Error).name : 'sent'))).toEqual([
      'EgressRefusedError',
      'EgressRefusedError',
    ]);
    expect(connectionsElsewhere).toBe(0);
  });

  it('does not follow a redirect from the control plane: nothing reaches the redirect target', async () => {
    // Prepare
    const transport = border.createEgressTransport({ allowedOrigins: [allowedOrigin], localMode: true });

    // Act
    const answer = await transport.post(`${allowedOrigin}${border.INGEST_PATH}`, { headers: {}, body: '[]' });
    transport.close();

    // Assess
    expect(answer).toMatchObject({ kind: 'response', status: 307 });
    expect(border.classifyAnswer(answer, 'b1')).toMatchObject({ done: false });
    expect(connectionsElsewhere).toBe(0);
  });

  it('refuses plain http to a host that is not loopback, and any origin outside local mode over http', () => {
    expect(() =>
      border.createEgressTransport({ allowedOrigins: ['http://10.0.0.5:8080'], localMode: true }),
    ).toThrow();
    expect(() => border.createEgressTransport({ allowedOrigins: [allowedOrigin] })).toThrow();
  });
});
