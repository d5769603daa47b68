import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { LoadtestError } from '../errors.ts';

/**
 * Lambda's synchronous invocation payload limit, 6 MB. A Kinesis batch that would exceed it is
 * cut short by the event source mapping, whatever the configured batch size.
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const LAMBDA_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

// Room for the envelope around the records (`{"Records":[...]}`) and rounding.
const ENVELOPE_RESERVE_BYTES = 1024;

/** Options of {@link toKinesisEvents}. */
export interface KinesisBatchOptions {
  /** Records per invocation at most (the mapping's BatchSize). Default: 2500. */
  batchSize?: number;
  /** Payload bytes per invocation at most. Default: {@link LAMBDA_PAYLOAD_LIMIT_BYTES}. */
  maxPayloadBytes?: number;
  /** Region in ARNs. Default: `ap-south-1`. */
  region?: string;
  /** Account in ARNs. Default: `000000000000`. */
  accountId?: string;
  /** Stream name in the source ARN. Default: `residency-events`. */
  streamName?: string;
  /** Shard id of every record. Default: `shardId-000000000000`. */
  shardId?: string;
  /** Sequence number of the first record; the rest follow, increasing. Default: a 56-digit start. */
  firstSequenceNumber?: bigint;
  /** Partition key of an event. Default: its `patientId`, else `tenantId`, else `"0"`. */
  partitionKeyOf?: (event: Record<string, unknown>) => string;
  /** Arrival time of the records, epoch seconds. Default: now. */
  arrivalSeconds?: number;
}

/** A Lambda Kinesis event with the byte size of its JSON payload. */
export interface SizedKinesisEvent {
  event: KinesisStreamEvent;
  payloadBytes: number;
}

const DEFAULT_FIRST_SEQUENCE = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898n;

/**
 * Builds the `KinesisStreamEvent`s Lambda's event source mapping would deliver for these events,
 * in order: base64 data, increasing sequence numbers, one shard, batches cut at `batchSize`
 * records or the payload limit, whichever comes first.
 *
 * @example for (const { event } of toKinesisEvents(events, { batchSize: 2000 })) await handler(event, context);
 */
export function* toKinesisEvents(
  events: Iterable<object>,
  options: KinesisBatchOptions = {},
): Generator<SizedKinesisEvent> {
  const batchSize = options.batchSize ?? 2500;
  const maxPayloadBytes = options.maxPayloadBytes ?? LAMBDA_PAYLOAD_LIMIT_BYTES;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new LoadtestError('batch size must be an integer from 1 to 10000', '--batch-size');
  }
  const region = options.region ?? 'ap-south-1';
  const accountId = options.accountId ?? '000000000000';
  const eventSourceARN = `arn:aws:kinesis:${region}:${accountId}:stream/${options.streamName ?? 'residency-events'}`;
  const shardId = options.shardId ?? 'shardId-000000000000';
  const partitionKeyOf = options.partitionKeyOf ?? defaultPartitionKey;
  const arrival = options.arrivalSeconds ?? Date.now() / 1000;
  let sequence = options.firstSequenceNumber ?? DEFAULT_FIRST_SEQUENCE;

  let records: KinesisStreamRecord[] = [];
  let bytes = ENVELOPE_RESERVE_BYTES;
  for (const input of events) {
    const data = Buffer.from(JSON.stringify(input)).toString('base64');
    const sequenceNumber = String(sequence);
    sequence += 1n;
    const record: KinesisStreamRecord = {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: partitionKeyOf(input as Record<string, unknown>),
        sequenceNumber,
        data,
        approximateArrivalTimestamp: arrival,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: `arn:aws:iam::${accountId}:role/residency-ingest`,
      awsRegion: region,
      eventSourceARN,
    };
    const recordBytes = JSON.stringify(record).length + 1;
    if (records.length > 0 && (records.length >= batchSize || bytes + recordBytes > maxPayloadBytes)) {
      yield { event: { Records: records }, payloadBytes: bytes };
      records = [];
      bytes = ENVELOPE_RESERVE_BYTES;
    }
    records.push(record);
    bytes += recordBytes;
  }
  if (records.length > 0) yield { event: { Records: records }, payloadBytes: bytes };
}

function defaultPartitionKey(event: Record<string, unknown>): string {
  const key = event.patientId ?? event.tenantId;
  return typeof key === 'string' && key.length > 0 ? key : '0';
}
