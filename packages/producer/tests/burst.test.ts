import { type AwsClients, createAwsClients } from '@residency/aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer } from '../src/index.ts';
import { startChildKinesalite, type TestKinesis } from './support/emulator.ts';
import { makeEvents } from './support/events.ts';
import { newSecret } from './support/secrets.ts';
import { createStream, readStream, streamOrderByKey } from './support/stream.ts';

const REGION = 'ap-south-1';
const EVENTS = 100_000;

describe('producer against kinesalite: a 100,000-event burst', () => {
  let kinesis: TestKinesis;
  let clients: AwsClients;

  beforeAll(async () => {
    kinesis = await startChildKinesalite(REGION);
    clients = createAwsClients({ region: REGION, endpoints: { kinesis: kinesis.url } });
  });

  afterAll(async () => {
    clients?.destroy();
    await kinesis?.close();
  });

  it('arrives complete, every eventId once, each patient in send order, while a slow consumer reads', async () => {
    // Prepare: 2 shards, 20,000 patients (5 events each), a consumer reading 1,000 records a call.
    const streamName = await createStream(clients.kinesis, 2, 'burst');
    const events = makeEvents(EVENTS, 20_000);
    const producer = createProducer({
      streamName,
      region: REGION,
      endpoint: kinesis.url,
      partitionKeySecret: newSecret(),
    });
    const consumer = readStream(clients.kinesis, streamName, {
      expected: EVENTS,
      limitPerCall: 1_000,
      pauseMillis: 20,
      timeoutMillis: 150_000,
    });

    // Act
    for (const event of events) await producer.send(event);
    const report = await producer.close({ timeoutMillis: 120_000 });
    const records = await consumer;

    // Assess
    expect(report.failed).toEqual([]);
    expect(report.sent).toBe(EVENTS);
    expect(producer.counters()).toMatchObject({ accepted: EVENTS, sent: EVENTS, failed: 0, queueDepth: 0 });
    const ids = records.map((r) => r.event.eventId);
    expect(ids.length).toBe(EVENTS);
    expect(new Set(ids).size).toBe(EVENTS);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.eventId)));
    const keyOfPatient = new Map<string, Set<string>>();
    for (const r of records)
      keyOfPatient.set(
        String(r.event.patientId),
        (keyOfPatient.get(String(r.event.patientId)) ?? new Set()).add(r.partitionKey),
      );
    expect([...keyOfPatient.values()].every((keys) => keys.size === 1)).toBe(true);
    const sentOrder = new Map<string, string[]>();
    for (const e of events) {
      const key = [...(keyOfPatient.get(e.patientId) ?? [])][0] ?? '';
      sentOrder.set(key, [...(sentOrder.get(key) ?? []), e.eventId as string]);
    }
    expect(streamOrderByKey(records)).toEqual(sentOrder);
  }, 240_000);
});
