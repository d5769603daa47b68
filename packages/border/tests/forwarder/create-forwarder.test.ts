import { createHash } from 'node:crypto';
import { bookedRecord, kinesisEvent, recordMessage } from '@residency/testing/outbox';
import { describe, expect, it } from 'vitest';
import {
  type BatchSealer,
  createEgressTransport,
  createForwarder,
  createInMemoryEgressLog,
  createInMemoryMetrics,
  createInMemoryQuarantine,
  type EgressTransport,
  type IngestResponse,
  type TransportResponse,
} from '../../src/index.ts';

const ORIGIN = 'https://control.example.com';

/** A sealer that does not sign: the transport fake reads the batch straight from the headers and body. */
const plainSealer: BatchSealer = {
  seal: (batch) => ({ headers: { 'x-residency-batch-id': batch.batchId }, body: batch.body }),
};

/** A transport fake: records what was sent and answers with `answer`. */
function fakeTransport(answer: (batchId: string, items: unknown[], call: number) => TransportResponse) {
  const sent: Array<{ batchId: string; items: unknown[] }> = [];
  const transport: EgressTransport = {
    allowedOrigins: [ORIGIN],
    async post(_url, request) {
      const batchId = request.headers['x-residency-batch-id'] ?? '';
      const items = JSON.parse(String(request.body)) as unknown[];
      sent.push({ batchId, items });
      return answer(batchId, items, sent.length - 1);
    },
    close: () => undefined,
  };
  return { transport, sent };
}

const ack = (batchId: string, items: unknown[]): TransportResponse => ({
  kind: 'response',
  status: 200,
  body: JSON.stringify({
    ok: true,
    batchId,
    stored: items.length,
    duplicates: 0,
    duplicateBatch: false,
  } satisfies IngestResponse),
});

function setup(answer: Parameters<typeof fakeTransport>[0], extra: { sendBudgetMillis?: number } = {}) {
  const { transport, sent } = fakeTransport(answer);
  const egressLog = createInMemoryEgressLog();
  const quarantine = createInMemoryQuarantine();
  const metrics = createInMemoryMetrics();
  const forwarder = createForwarder({
    transport,
    origin: ORIGIN,
    sealer: plainSealer,
    egressLog,
    quarantine,
    metrics,
    retry: { baseDelayMillis: 1, maxDelayMillis: 2 },
    ...extra,
  });
  return { forwarder, sent, egressLog, quarantine, metrics };
}

describe('forwarder', () => {
  it('forwards clean records in one signed batch and logs it as acknowledged', async () => {
    // Prepare
    const records = [bookedRecord(), bookedRecord(), bookedRecord()];
    const { forwarder, sent, egressLog, quarantine } = setup(ack);
    // Act
    const report = await forwarder.process(kinesisEvent(records.map(recordMessage)));
    // Assess
    expect(report.response).toEqual({ batchItemFailures: [] });
    expect(report.forwarded).toBe(3);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.items).toEqual(records);
    expect(quarantine.entries.size).toBe(0);
    expect(egressLog.entries).toEqual([
      expect.objectContaining({
        batchId: sent[0]!.batchId,
        count: 3,
        status: 'acknowledged',
        destination: ORIGIN,
        itemIds: records.map((r) => r.recordId),
      }),
    ]);
    expect(egressLog.entries[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('quarantines a record with an email in a public field with rule email, and lets the rest go', async () => {
    // Prepare
    const leaky = bookedRecord({ department: 'rahim.uddin@example.com' });
    const clean = [bookedRecord(), bookedRecord()];
    const { forwarder, sent, quarantine, metrics } = setup(ack);
    // Act
    const report = await forwarder.process(
      kinesisEvent([clean[0], leaky, clean[1]].map((r) => recordMessage(r!))),
    );
    // Assess
    expect(report.quarantined).toBe(1);
    expect(sent.flatMap((batch) => batch.items)).toEqual(clean);
    const [entry] = [...quarantine.entries.values()];
    expect(entry).toMatchObject({
      reason: 'pii:email',
      rules: ['email'],
      paths: ['$.record.attributes.department'],
      sequenceNumber: '1001',
    });
    expect(JSON.stringify(entry)).not.toContain('rahim');
    expect(metrics.get('BlockedRecords', { rule: 'email' })).toBe(1);
  });

  it('quarantines schema failures (unknown keys, unparseable data) as schema, without values', async () => {
    // Prepare
    const extraKey = { ...recordMessage(bookedRecord()), note: 'x' };
    const unknownAttribute = recordMessage(
      bookedRecord({ attributes: { department: 'x', diagnosis: 'flu' } }),
    );
    const { forwarder, quarantine, sent } = setup(ack);
    // Act
    const report = await forwarder.process(kinesisEvent([extraKey, unknownAttribute, 'not json']));
    // Assess
    expect(report.quarantined).toBe(3);
    expect(sent).toHaveLength(0);
    expect([...quarantine.entries.values()].map((e) => e.reason)).toEqual(['schema', 'schema', 'schema']);
  });

  it('reports every record as a batch item failure when the control plane stays down: nothing dropped', async () => {
    // Prepare
    const records = [bookedRecord(), bookedRecord()];
    const { forwarder, egressLog, quarantine } = setup(
      () => ({ kind: 'network-error', reason: 'ECONNREFUSED' }),
      {
        sendBudgetMillis: 50,
      },
    );
    // Act
    const report = await forwarder.process(kinesisEvent(records.map(recordMessage)));
    // Assess
    expect(report.response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['1000', '1001']);
    expect(quarantine.entries.size).toBe(0);
    expect(egressLog.entries).toEqual([expect.objectContaining({ status: 'failed', count: 2 })]);
    expect(egressLog.entries[0]!.attempts).toBeGreaterThan(1);
  });

  it('retries a failing batch with the same batch id until the control plane answers', async () => {
    // Prepare
    const { forwarder, sent } = setup((batchId, items, call) =>
      call < 2 ? { kind: 'response', status: 503, body: '' } : ack(batchId, items),
    );
    // Act
    const report = await forwarder.process(kinesisEvent([recordMessage(bookedRecord())]));
    // Assess
    expect(report.forwarded).toBe(1);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((s) => s.batchId)).size).toBe(1);
  });

  it('treats a redirect as a failure and never follows it', async () => {
    // Prepare
    const { forwarder } = setup(() => ({ kind: 'response', status: 302, body: '' }), {
      sendBudgetMillis: 30,
    });
    // Act
    const report = await forwarder.process(kinesisEvent([recordMessage(bookedRecord())]));
    // Assess
    expect(report.failed).toBe(1);
    expect(report.batches[0]).toMatchObject({ kind: 'failed', reason: expect.stringContaining('redirect') });
  });

  it('gives a Lambda retry of the same records the same batch id', async () => {
    // Prepare
    const event = kinesisEvent([recordMessage(bookedRecord()), recordMessage(bookedRecord())]);
    const { forwarder, sent } = setup(ack);
    // Act
    await forwarder.process(event);
    await forwarder.process(event);
    // Assess
    expect(sent[0]!.batchId).toBe(sent[1]!.batchId);
  });

  it('quarantines items the control plane refuses for content and resends the rest', async () => {
    // Prepare
    const records = [bookedRecord(), bookedRecord(), bookedRecord()];
    const { forwarder, sent, quarantine } = setup((batchId, items, call) =>
      call === 0
        ? {
            kind: 'response',
            status: 422,
            body: JSON.stringify({
              ok: false,
              reason: 'pii',
              offending: [
                { index: 1, reason: 'pii', rules: ['phone'], paths: ['$.record.attributes.department'] },
              ],
            }),
          }
        : ack(batchId, items),
    );
    // Act
    const report = await forwarder.process(kinesisEvent(records.map(recordMessage)));
    // Assess
    expect(report).toMatchObject({ forwarded: 2, quarantined: 1, failed: 0 });
    expect(sent[1]!.items).toEqual([records[0], records[2]]);
    expect(sent[1]!.batchId).not.toBe(sent[0]!.batchId);
    expect([...quarantine.entries.values()][0]).toMatchObject({
      reason: 'rejected:pii',
      rules: ['phone'],
      sequenceNumber: '1001',
    });
  });

  it('splits packed records into their messages and quarantines each blocked one by its place in its record', async () => {
    // Prepare: the outbox packs messages into a record, one JSON message per line
    const clean = [bookedRecord(), bookedRecord(), bookedRecord(), bookedRecord()];
    const leaky = [
      bookedRecord({ department: 'rahim.uddin@example.com' }),
      bookedRecord({ department: '01712345678' }),
    ];
    const packed = (...records: object[]) =>
      records.map((r) => JSON.stringify(recordMessage(r as never))).join('\n');
    const { forwarder, sent, quarantine } = setup(ack);
    // Act
    const report = await forwarder.process(
      kinesisEvent([
        packed(clean[0]!, leaky[0]!, clean[1]!, leaky[1]!),
        recordMessage(clean[2]!),
        // A trailing newline: an empty message, which is accounted for like any other.
        `${packed(clean[3]!)}\n`,
      ]),
    );
    // Assess
    expect(report).toMatchObject({ forwarded: 4, quarantined: 3, failed: 0 });
    expect(sent.flatMap((batch) => batch.items)).toEqual(clean);
    const entries = [...quarantine.entries.values()];
    expect(entries).toEqual([
      expect.objectContaining({ sequenceNumber: '1000', subSequenceNumber: 1, reason: 'pii:email' }),
      expect.objectContaining({ sequenceNumber: '1000', subSequenceNumber: 3, reason: 'pii:phone' }),
      expect.objectContaining({ sequenceNumber: '1002', subSequenceNumber: 1, reason: 'schema' }),
    ]);
    expect(entries[0]!.recordId).toBe(leaky[0]!.recordId);
    // No digest of a blocked message either: it holds personal data, and the rest of it is known in region.
    const digest = createHash('sha256')
      .update(JSON.stringify(recordMessage(leaky[0]!)))
      .digest('hex');
    expect(JSON.stringify(entries)).not.toContain(digest);
    expect(JSON.stringify(entries)).not.toMatch(/[0-9a-f]{64}/);
    expect(JSON.stringify(entries)).not.toMatch(/rahim|01712345678/);
  });

  it('reports a packed record once when its messages cannot be delivered', async () => {
    // Prepare
    const packed = (n: number) =>
      Array.from({ length: n }, () => JSON.stringify(recordMessage(bookedRecord()))).join('\n');
    const { forwarder } = setup(() => ({ kind: 'network-error', reason: 'ECONNREFUSED' }), {
      sendBudgetMillis: 30,
    });
    // Act
    const report = await forwarder.process(kinesisEvent([packed(3), packed(2)]));
    // Assess
    expect(report.response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['1000', '1001']);
    expect(report.failed).toBe(2);
  });

  it('refuses to start when its origin is not on the transport allowlist', () => {
    // Prepare
    const transport = createEgressTransport({ allowedOrigins: ['https://other.example.com'] });
    // Act
    const create = () =>
      createForwarder({
        transport,
        origin: ORIGIN,
        sealer: plainSealer,
        egressLog: createInMemoryEgressLog(),
        quarantine: createInMemoryQuarantine(),
      });
    // Assess
    expect(create).toThrow(/allowlist/);
    transport.close();
  });
});
