import { describe, expect, it } from 'vitest';
import { toKinesisEvents } from '../src/index.ts';

const events = Array.from({ length: 25 }, (_, i) => ({
  type: 'note.added',
  patientId: `P-${i}`,
  note: 'x'.repeat(100),
}));

describe('toKinesisEvents', () => {
  it('cuts batches at the batch size, in order, with increasing sequence numbers', () => {
    const batches = [...toKinesisEvents(events, { batchSize: 10, firstSequenceNumber: 100n })].map(
      (b) => b.event,
    );
    expect(batches.map((b) => b.Records.length)).toEqual([10, 10, 5]);
    const sequences = batches.flatMap((b) => b.Records.map((r) => BigInt(r.kinesis.sequenceNumber)));
    expect(sequences).toEqual(Array.from({ length: 25 }, (_, i) => 100n + BigInt(i)));
  });

  it('carries each event as base64 JSON, keyed by patient, like Lambda delivers it', () => {
    const [first] = [
      ...toKinesisEvents(events.slice(0, 1), { region: 'ap-south-1', streamName: 'residency-events' }),
    ];
    const record = first?.event.Records[0];
    expect(JSON.parse(Buffer.from(record?.kinesis.data ?? '', 'base64').toString('utf8'))).toEqual(events[0]);
    expect(record).toMatchObject({
      eventSource: 'aws:kinesis',
      awsRegion: 'ap-south-1',
      eventSourceARN: 'arn:aws:kinesis:ap-south-1:000000000000:stream/residency-events',
      kinesis: { partitionKey: 'P-0' },
    });
    expect(record?.eventID).toBe(`shardId-000000000000:${record?.kinesis.sequenceNumber}`);
  });

  it('cuts a batch before it would pass the payload limit', () => {
    const batches = [...toKinesisEvents(events, { batchSize: 10_000, maxPayloadBytes: 4000 })];
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.every((b) => b.payloadBytes <= 4000)).toBe(true);
    for (const b of batches) expect(JSON.stringify(b.event).length).toBeLessThanOrEqual(b.payloadBytes);
    expect(batches.reduce((sum, b) => sum + b.event.Records.length, 0)).toBe(25);
  });
});
