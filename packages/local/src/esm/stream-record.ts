import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

/** A record read from a shard, already in the shape Lambda delivers, with its JSON size. */
export interface BufferedRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  /** Position in the order the shard was read (for checkpointing). */
  position: number;
  arrivalMillis: number;
  event: KinesisStreamRecord;
  /** UTF-8 bytes of `JSON.stringify(event)`. */
  eventBytes: number;
}

/** Identity of the source and the function, copied into every event record. */
export interface EventSourceIdentity {
  region: string;
  streamArn: string;
  /** `invokeIdentityArn`: the role the function runs as. */
  roleArn: string;
}

/**
 * Converts a GetRecords record into a Lambda Kinesis event record, field for field as in
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html (data base64, arrival in seconds).
 */
export function toBufferedRecord(
  record: KinesisRecord,
  shardId: string,
  position: number,
  identity: EventSourceIdentity,
): BufferedRecord {
  const sequenceNumber = record.SequenceNumber ?? '';
  const partitionKey = record.PartitionKey ?? '';
  const arrivalMillis = record.ApproximateArrivalTimestamp?.getTime() ?? Date.now();
  const event: KinesisStreamRecord = {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber,
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: arrivalMillis / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: identity.roleArn,
    awsRegion: identity.region,
    eventSourceARN: identity.streamArn,
  };
  return {
    shardId,
    sequenceNumber,
    partitionKey,
    position,
    arrivalMillis,
    event,
    eventBytes: Buffer.byteLength(JSON.stringify(event)),
  };
}

// `{"Records":[` + `]}`
const ENVELOPE_BYTES = Buffer.byteLength('{"Records":[]}');

/** Bytes of the event JSON for `count` records totalling `recordBytes` (commas included). */
export function eventPayloadBytes(count: number, recordBytes: number): number {
  return ENVELOPE_BYTES + recordBytes + Math.max(0, count - 1);
}

/**
 * How many records from the front of `queue` fit one invocation: at most `batchSize`, and at most
 * `maxPayloadBytes` of event JSON (Lambda's 6 MB limit). Always at least one record.
 */
export function takeBatchCount(
  queue: readonly BufferedRecord[],
  batchSize: number,
  maxPayloadBytes: number,
): number {
  let bytes = 0;
  let count = 0;
  for (const record of queue) {
    if (count >= batchSize) break;
    if (count > 0 && eventPayloadBytes(count + 1, bytes + record.eventBytes) > maxPayloadBytes) break;
    bytes += record.eventBytes;
    count += 1;
  }
  return count;
}

/** Builds the event the handler receives. */
export function toKinesisEvent(records: readonly BufferedRecord[]): KinesisStreamEvent {
  return { Records: records.map((record) => record.event) };
}
