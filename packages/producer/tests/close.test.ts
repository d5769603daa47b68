import { type AwsClients, createAwsClients } from '@residency/aws';
import { type RunningEmulator, startKinesalite } from '@residency/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeTransport, createProducer, ProducerClosedError } from '../src/index.ts';
import { makeEvents } from './support/events.ts';
import { newSecret } from './support/secrets.ts';
import { createStream, readStream } from './support/stream.ts';

const REGION = 'ap-south-1';

describe('producer close()', () => {
  let emulator: RunningEmulator;
  let admin: AwsClients;

  beforeAll(async () => {
    emulator = await startKinesalite({ region: REGION });
    admin = createAwsClients({ region: REGION, endpoints: { kinesis: emulator.url } });
  });

  afterAll(async () => {
    admin?.destroy();
    await emulator?.close();
  });

  it('under load flushes every accepted event to kinesalite, including sends still waiting for room', async () => {
    // Prepare: a small queue, so most sends are waiting when close() is called.
    const streamName = await createStream(admin.kinesis, 2, 'close');
    const producer = createProducer({
      streamName,
      region: REGION,
      endpoint: emulator.url,
      partitionKeySecret: newSecret(),
      maxQueuedEvents: 1_000,
    });
    const events = makeEvents(10_000, 2_000);

    // Act: fire every send without waiting, then close at once.
    const sends = events.map((event) => producer.send(event));
    const waitingAtClose = producer.counters().waitingSenders;
    const report = await producer.close({ timeoutMillis: 60_000 });
    await Promise.all(sends);
    const records = await readStream(admin.kinesis, streamName, { expected: events.length });

    // Assess
    expect(waitingAtClose).toBe(9_000);
    expect(report).toEqual({ sent: events.length, failed: [] });
    expect(records.map((r) => r.event.eventId).sort()).toEqual(events.map((e) => e.eventId).sort());
    await expect(producer.send(events[0] as (typeof events)[number])).rejects.toBeInstanceOf(
      ProducerClosedError,
    );
  }, 60_000);

  it('at its timeout reports exactly what was not acknowledged, and whether it may be on the stream', async () => {
    // Prepare: a slow stream (250 ms a call), so most events are queued or in flight at the timeout.
    const transport = createFakeTransport({ latencyMillis: 250 });
    const producer = createProducer({
      streamName: 'slow',
      region: REGION,
      transport,
      partitionKeySecret: newSecret(),
      maxBatchRecords: 100,
      maxConcurrentRequests: 2,
    });
    const events = makeEvents(2_000, 2_000);
    for (const event of events) await producer.send(event);

    // Act
    const report = await producer.close({ timeoutMillis: 400 });

    // Assess: stored and failed partition the accepted events; nothing unaccounted for.
    const stored = new Set(
      transport.records.map(
        (r) => (JSON.parse(Buffer.from(r.data).toString()) as { eventId: string }).eventId,
      ),
    );
    const failed = new Set(report.failed.map((f) => f.eventId));
    expect(report.sent).toBe(stored.size);
    expect(report.sent + report.failed.length).toBe(events.length);
    expect([...failed].filter((id) => stored.has(id))).toEqual([]);
    expect(new Set([...stored, ...failed])).toEqual(new Set(events.map((e) => e.eventId)));
    expect(report.failed.every((f) => f.reason === 'close_timeout')).toBe(true);
    // The two requests in flight at the timeout were aborted: outcome unknown, flagged.
    expect(report.failed.filter((f) => f.mayBeOnStream)).toHaveLength(200);
    expect(report.failed.filter((f) => !f.mayBeOnStream && f.attempts === 0).length).toBe(
      report.failed.length - 200,
    );
    expect(producer.counters()).toMatchObject({
      accepted: 2_000,
      queueDepth: 0,
      failed: report.failed.length,
    });
  });

  it('is idempotent and a flush after a flush reports nothing twice', async () => {
    // Prepare
    const producer = createProducer({
      streamName: 'idem',
      region: REGION,
      transport: createFakeTransport(),
      partitionKeySecret: newSecret(),
    });
    for (const event of makeEvents(10, 10)) await producer.send(event);

    // Act
    const first = await producer.flush();
    const second = await producer.flush();
    const [closeA, closeB] = [producer.close(), producer.close()];

    // Assess
    expect(first).toEqual({ sent: 10, failed: [] });
    expect(second).toEqual({ sent: 0, failed: [] });
    expect(closeA).toBe(closeB);
    expect(await closeA).toEqual({ sent: 0, failed: [] });
  });
});
