import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

export const REGION = 'ap-south-1';
export const STREAM_ARN = `arn:aws:kinesis:${REGION}:000000000000:stream/test-events`;

/** One record as Lambda delivers it; `data` is JSON-encoded unless it is already a string of base64. */
export function kinesisRecord(
  data: unknown,
  sequenceNumber: string,
  shardId = 'shardId-000000000000',
  options: { raw?: boolean; arrivalMillis?: number } = {},
): KinesisStreamRecord {
  const encoded = options.raw ? String(data) : Buffer.from(JSON.stringify(data)).toString('base64');
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: 'pk',
      sequenceNumber,
      data: encoded,
      approximateArrivalTimestamp: (options.arrivalMillis ?? Date.UTC(2026, 2, 1, 10, 0, 5)) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: `arn:aws:iam::000000000000:role/ingest`,
    awsRegion: REGION,
    eventSourceARN: STREAM_ARN,
  };
}

/** A batch of records of one shard with increasing sequence numbers. */
export function kinesisEvent(
  payloads: readonly unknown[],
  options: { firstSequence?: number; shardId?: string } = {},
): KinesisStreamEvent {
  const first = options.firstSequence ?? 1000;
  return {
    Records: payloads.map((payload, i) =>
      kinesisRecord(payload, String(first + i), options.shardId ?? 'shardId-000000000000'),
    ),
  };
}
