import { bookedRecord, kinesisEvent, recordMessage } from '@residency/testing/outbox';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEgressTransport,
  createForwarder,
  createInMemoryEgressLog,
  createInMemoryQuarantine,
  createSigningSealer,
  generateSigningKeyPair,
} from '../../src/index.ts';
import { type CountingServer, startCountingServer } from '../transport/servers.ts';

const servers: CountingServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('forwarder over real http', () => {
  it('does not follow a redirect: the records wait as batch item failures, the target sees no connection', async () => {
    // Prepare
    const elsewhere = await startCountingServer((_req, res) => res.writeHead(200).end('{}'));
    const redirecting = await startCountingServer((_req, res) =>
      res.writeHead(308, { location: `${elsewhere.url}/ingest` }).end(),
    );
    servers.push(elsewhere, redirecting);
    const transport = createEgressTransport({ allowedOrigins: [redirecting.url], localMode: true });
    const egressLog = createInMemoryEgressLog();
    const forwarder = createForwarder({
      transport,
      origin: redirecting.url,
      sealer: createSigningSealer({ privateKey: generateSigningKeyPair().privateKeyPem }),
      egressLog,
      quarantine: createInMemoryQuarantine(),
      sendBudgetMillis: 100,
      retry: { baseDelayMillis: 5, maxDelayMillis: 10 },
    });
    // Act
    const response = await forwarder.handle(
      kinesisEvent([recordMessage(bookedRecord()), recordMessage(bookedRecord())]),
    );
    // Assess
    expect(response.batchItemFailures).toHaveLength(2);
    expect(redirecting.requests).toBeGreaterThan(0);
    expect(elsewhere.connections).toBe(0);
    expect(egressLog.entries[0]).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('redirect 308'),
    });
    transport.close();
  });
});
