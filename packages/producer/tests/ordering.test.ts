import { describe, expect, it } from 'vitest';
import { createFakeTransport, createProducer, TransportError } from '../src/index.ts';
import { makeEvents } from './support/events.ts';
import { newSecret } from './support/secrets.ts';

describe('producer ordering', () => {
  it('keeps per-patient order across partial failures, throttled calls and concurrent requests', async () => {
    // Prepare: a few hot patients, small batches, 4 requests in flight, 20% of records failing
    // and every 5th call throttled.
    let call = 0;
    const transport = createFakeTransport({
      latencyMillis: 2,
      failRecord: () => (Math.random() < 0.2 ? 'ProvisionedThroughputExceededException' : undefined),
      failCall: () =>
        ++call % 5 === 0
          ? new TransportError('ProvisionedThroughputExceededException', true, true)
          : undefined,
    });
    const producer = createProducer({
      streamName: 'orders',
      region: 'ap-south-1',
      transport,
      partitionKeySecret: newSecret(),
      maxBatchRecords: 20,
      maxConcurrentRequests: 4,
      retryBaseDelayMillis: 1,
      retryMaxDelayMillis: 5,
      lingerMillis: 1,
    });
    const events = makeEvents(3_000, 7);

    // Act
    for (const event of events) await producer.send(event);
    const report = await producer.close();

    // Assess: everything once, and per patient in send order.
    expect(report.failed).toEqual([]);
    expect(report.sent).toBe(events.length);
    expect(producer.counters().retried).toBeGreaterThan(0);
    const stored = transport.records.map(
      (r) => JSON.parse(Buffer.from(r.data).toString()) as { eventId: string; patientId: string },
    );
    expect(stored.map((e) => e.eventId).sort()).toEqual(events.map((e) => e.eventId).sort());
    const sentOrder = new Map<string, string[]>();
    const streamOrder = new Map<string, string[]>();
    for (const e of events)
      sentOrder.set(e.patientId, [...(sentOrder.get(e.patientId) ?? []), e.eventId as string]);
    for (const e of stored)
      streamOrder.set(e.patientId, [...(streamOrder.get(e.patientId) ?? []), e.eventId]);
    expect(streamOrder).toEqual(sentOrder);
  });
});
