import type { BillableUnits } from '../measure/billing-counter.ts';
import type { PriceTable } from './prices.ts';

/**
 * Write capacity of one provisioned Kinesis shard: 1,000 records/s or 1 MiB/s.
 * https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
 */
export const SHARD_RECORDS_PER_SECOND = 1000;
/** See {@link SHARD_RECORDS_PER_SECOND}. */
export const SHARD_BYTES_PER_SECOND = 1024 * 1024;

/** What a design used for `events` events, measured, plus what is priced per event outside the run. */
export interface CostInputs {
  /** Events the units were measured on. */
  events: number;
  /** Units counted by the SDK middleware during the run. */
  units: BillableUnits;
  /** PUT payload units of the input stream for these events (the producer's puts; the same for every design). */
  inputPutPayloadUnits: number;
  /** Lambda invocations (batches) that processed the events. */
  lambdaInvocations: number;
  /** Sum of invocation durations, each rounded up to a millisecond as Lambda bills. */
  lambdaBilledMillis: number;
  /** Lambda memory size. */
  lambdaMemoryMb: number;
  /** Mean size of an input stream record (data + partition key), bytes; sizes the input stream's shards. */
  meanRecordBytes: number;
  /**
   * Which stream the measured Kinesis units were put on: the outbox (a design's own puts, the
   * default), or the input stream (the e2e producer's, measured apart from the stack, whose outbox
   * puts are not counted). Input puts are never charged twice.
   */
  kinesisUnitsOf?: 'outbox' | 'input';
}

/** One line of a cost estimate. */
export interface CostLine {
  /** e.g. `DynamoDB write request units`. */
  item: string;
  /** Units per million events. */
  unitsPerMillionEvents: number;
  /** USD per million events. */
  usdPerMillionEvents: number;
}

/** Cost per million events at list prices. */
export interface CostEstimate {
  region: string;
  pricesAsOf: string;
  pricesVerified: boolean;
  usdPerMillionEvents: number;
  lines: CostLine[];
}

/** Records one shard takes per second at the mean record size. */
export function shardRecordsPerSecond(meanRecordBytes: number): number {
  return Math.min(SHARD_RECORDS_PER_SECOND, SHARD_BYTES_PER_SECOND / Math.max(1, meanRecordBytes));
}

/**
 * Events one shard of a stream takes per second, when each event puts `recordsPerEvent` records
 * and `bytesPerEvent` bytes on it: the outbox packs many events' messages into one record, so its
 * bytes, not its records, are what fills a shard. Infinite when the events put nothing.
 */
export function shardEventsPerSecond(recordsPerEvent: number, bytesPerEvent: number): number {
  return Math.min(
    recordsPerEvent > 0 ? SHARD_RECORDS_PER_SECOND / recordsPerEvent : Number.POSITIVE_INFINITY,
    bytesPerEvent > 0 ? SHARD_BYTES_PER_SECOND / bytesPerEvent : Number.POSITIVE_INFINITY,
  );
}

/**
 * Prices measured usage per million events. Shard-hours are charged as if the shards were full
 * (the least they can cost per event); at low rates the fixed shard-hour dominates, which the
 * capacity plan shows per rate. The input stream carries one record per event; the stream the
 * design put to (the outbox) is sized by the records and bytes it measured.
 *
 * @example costPerMillionEvents({ events: 30_000, units, ... }, priceTableFor('ap-south-1')).usdPerMillionEvents
 */
export function costPerMillionEvents(inputs: CostInputs, prices: PriceTable): CostEstimate {
  const perMillion = inputs.events > 0 ? 1_000_000 / inputs.events : 0;
  const u = inputs.units;
  const measuredEventsPerShardSecond = shardEventsPerSecond(
    u.kinesisRecords / Math.max(1, inputs.events),
    u.kinesisBytes / Math.max(1, inputs.events),
  );
  const measuredInput = inputs.kinesisUnitsOf === 'input';
  const shardHoursPerMillion =
    (measuredInput ? 0 : 1_000_000 / (shardRecordsPerSecond(inputs.meanRecordBytes) * 3600)) +
    1_000_000 / (measuredEventsPerShardSecond * 3600);
  const inputPutPayloadUnits = measuredInput ? 0 : inputs.inputPutPayloadUnits;
  const gbSeconds = (inputs.lambdaBilledMillis / 1000) * (inputs.lambdaMemoryMb / 1024);
  const lines: CostLine[] = [
    line(
      'Kinesis PUT payload units',
      (u.kinesisPutPayloadUnits + inputPutPayloadUnits) * perMillion,
      prices.kinesis.putPayloadUnitsPerMillionUsd / 1_000_000,
    ),
    line('Kinesis shard-hours (full shards)', shardHoursPerMillion, prices.kinesis.shardHourUsd),
    line(
      'DynamoDB read request units',
      u.dynamodbReadUnits * perMillion,
      prices.dynamodb.readRequestUnitsPerMillionUsd / 1_000_000,
    ),
    line(
      'DynamoDB write request units',
      u.dynamodbWriteUnits * perMillion,
      prices.dynamodb.writeRequestUnitsPerMillionUsd / 1_000_000,
    ),
    line('KMS requests', u.kmsRequests * perMillion, prices.kms.requestsPer10kUsd / 10_000),
    line(
      'Lambda requests',
      inputs.lambdaInvocations * perMillion,
      prices.lambda.requestsPerMillionUsd / 1_000_000,
    ),
    line('Lambda GB-seconds', gbSeconds * perMillion, prices.lambda.gbSecondUsd),
  ];
  return {
    region: prices.region,
    pricesAsOf: prices.asOf,
    pricesVerified: prices.verified,
    usdPerMillionEvents: roundUsd(lines.reduce((sum, l) => sum + l.usdPerMillionEvents, 0)),
    lines,
  };
}

function line(item: string, unitsPerMillionEvents: number, usdPerUnit: number): CostLine {
  return {
    item,
    unitsPerMillionEvents: Math.round(unitsPerMillionEvents * 1000) / 1000,
    usdPerMillionEvents: roundUsd(unitsPerMillionEvents * usdPerUnit),
  };
}

function roundUsd(value: number): number {
  return Math.round(value * 1_000_000) / 1_000_000;
}
