import { type AwsClients, createAwsClients } from '@residency/aws';
import { type RunningEmulator, startKinesalite } from '@residency/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisTransport, createProducer, type DeliveryFailure } from '../src/index.ts';
import { makeEvents } from './support/events.ts';
import { injectFaults } from './support/faults.ts';
import { newSecret } from './support/secrets.ts';
import { createStream, readStream, streamOrderByKey } from './support/stream.ts';

const REGION = 'ap-south-1';

describe('producer against kinesalite with injected faults', () => {
  let emulator: RunningEmulator;
  let admin: AwsClients;
  const faulty: AwsClients[] = [];

  beforeAll(async () => {
    emulator = await startKinesalite({ region: REGION });
    admin = createAwsClients({ region: REGION, endpoints: { kinesis: emulator.url } });
  });

  afterAll(async () => {
    for (const clients of faulty) clients.destroy();
    admin?.destroy();
    await emulator?.close();
  });

  // A client of our own, with the fault middleware, handed to the producer through the transport.
  const faultyClient = () => {
    const clients = createAwsClients(
      { region: REGION, endpoints: { kinesis: emulator.url } },
      { maxAttempts: 1 },
    );
    faulty.push(clients);
    return clients.kinesis;
  };

  it('loses nothing under throttled calls and partial failures, and keeps per-key order', async () => {
    // Prepare: every 3rd call throttled, 15% of the other records failed per record.
    const streamName = await createStream(admin.kinesis, 2, 'faults');
    const client = faultyClient();
    const stats = injectFaults(client, { throttleEveryNthCall: 3, recordFailureRate: 0.15 });
    const failures: DeliveryFailure[] = [];
    const producer = createProducer({
      streamName,
      region: REGION,
      transport: createKinesisTransport({ client, streamName, dataRegion: REGION }),
      partitionKeySecret: newSecret(),
      maxBatchRecords: 100,
      retryBaseDelayMillis: 5,
      retryMaxDelayMillis: 50,
      onFailure: (failure) => failures.push(failure),
    });
    const events = makeEvents(5_000, 300);

    // Act
    for (const event of events) await producer.send(event);
    const report = await producer.close();
    const records = await readStream(admin.kinesis, streamName, { expected: events.length });

    // Assess
    expect(stats.throttledCalls).toBeGreaterThan(0);
    expect(stats.failedRecords).toBeGreaterThan(0);
    expect(report).toEqual({ sent: events.length, failed: [] });
    expect(failures).toEqual([]);
    expect(producer.counters().retried).toBeGreaterThanOrEqual(stats.failedRecords);
    expect(records.map((r) => r.event.eventId).sort()).toEqual(events.map((e) => e.eventId).sort());
    const sentOrder = new Map<string, string[]>();
    const keyOf = new Map(records.map((r) => [r.event.patientId, r.partitionKey]));
    for (const e of events) {
      const key = keyOf.get(e.patientId) ?? '';
      sentOrder.set(key, [...(sentOrder.get(key) ?? []), e.eventId as string]);
    }
    expect(streamOrderByKey(records)).toEqual(sentOrder);
  }, 60_000);

  it('reports every event as failed, never silently, when retries run out', async () => {
    // Prepare: every record fails, retries stop after 200 ms.
    const streamName = await createStream(admin.kinesis, 1, 'exhausted');
    const client = faultyClient();
    injectFaults(client, { recordFailureRate: 1, recordErrorCode: 'InternalFailure' });
    const failures: DeliveryFailure[] = [];
    const producer = createProducer({
      streamName,
      region: REGION,
      transport: createKinesisTransport({ client, streamName, dataRegion: REGION }),
      partitionKeySecret: newSecret(),
      retryBaseDelayMillis: 10,
      retryMaxDelayMillis: 40,
      retryDeadlineMillis: 200,
      onFailure: (failure) => failures.push(failure),
    });
    const events = makeEvents(50, 10);

    // Act
    for (const event of events) await producer.send(event);
    const report = await producer.close();

    // Assess
    expect(report.sent).toBe(0);
    expect(report.failed.map((f) => f.eventId).sort()).toEqual(events.map((e) => e.eventId).sort());
    expect(new Set(report.failed.map((f) => f.reason))).toEqual(new Set(['retries_exhausted']));
    // Every event got at least one attempt; the deadline counts from acceptance, so events queued
    // behind their patient's failing head get fewer retries than the head.
    expect(
      report.failed.every((f) => f.errorCode === 'InternalFailure' && f.attempts >= 1 && !f.mayBeOnStream),
    ).toBe(true);
    expect(Math.max(...report.failed.map((f) => f.attempts))).toBeGreaterThan(1);
    expect(failures).toEqual(report.failed);
    expect(producer.counters()).toMatchObject({ accepted: 50, sent: 0, failed: 50, queueDepth: 0 });
  });

  it('fails fast with stream_error when the stream does not exist', async () => {
    // Prepare
    const producer = createProducer({
      streamName: 'no-such-stream',
      region: REGION,
      endpoint: emulator.url,
      partitionKeySecret: newSecret(),
    });
    const events = makeEvents(20, 5);

    // Act
    for (const event of events) await producer.send(event);
    const report = await producer.flush();
    await producer.close();

    // Assess
    expect(report.sent).toBe(0);
    expect(report.failed).toHaveLength(20);
    expect(
      report.failed.every((f) => f.reason === 'stream_error' && f.errorCode === 'ResourceNotFoundException'),
    ).toBe(true);
  });
});
