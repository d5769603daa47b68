import { shardEventsPerSecond, shardRecordsPerSecond } from '../pricing/cost.ts';
import type { PriceTable } from '../pricing/prices.ts';

/** Seconds in the 730-hour month AWS prices by. */
export const SECONDS_PER_MONTH = 730 * 3600;

/**
 * Wall time an invocation on AWS spends waiting for the network beyond what the run measured
 * (vault and outbox round trips of ~5-20 ms each). An assumption, not a measurement; it only
 * moves Lambda GB-seconds, which are a small part of the cost.
 */
export const NETWORK_ALLOWANCE_MILLIS_PER_INVOCATION = 50;

/**
 * Highest share of one instance's measured throughput a plan lets an instance use: headroom for
 * bursts, retries and a slower Lambda CPU than the benchmark machine's.
 */
export const MAX_INSTANCE_UTILIZATION = 0.7;

/**
 * The consumed share of provisioned capacity that the stack's auto scaling keeps the vault at
 * (`RESIDENCY_VAULT_CAPACITY=provisioned`; the stack's `VAULT_TARGET_UTILIZATION_PERCENT`, which a
 * stack test holds equal to this): the plan provisions the rate's units divided by it.
 */
export const VAULT_TARGET_UTILIZATION = 0.7;

/** Measured per-event usage of a regime (steady state or backfill). */
export interface UsagePerEvent {
  readUnits: number;
  writeUnits: number;
  /** Vault table alone. */
  vaultReadUnits: number;
  vaultWriteUnits: number;
  kmsRequests: number;
  /** Outbox PUT payload units. */
  outboxPutUnits: number;
  /** Outbox records (the outbox packs many events' messages into one). */
  outboxRecords: number;
  /** Outbox bytes, data and partition keys. */
  outboxBytes: number;
}

/** Months of new identifiers the plan's vault storage holds: the vault only grows until erasure. */
export const VAULT_HORIZON_MONTHS = 12;

/**
 * The pipeline's default `RESIDENCY_AGGREGATE_RETENTION_DAYS`, which the hot path's store runs
 * with: how long pages, sealed subjects and window items stay after their window.
 */
export const DEFAULT_AGGREGATE_RETENTION_DAYS = 35;

/** Days an event log stays (a day after its window's allowed lateness). */
const EVENT_LOG_DAYS = 1;

/** Stored bytes the run measured, and how long they stay. */
export interface StorageInputs {
  /** Vault bytes per identifier created; kept until the subject is erased. */
  vaultBytesPerIdentifier: number;
  /** New identifiers per event in steady state (the workload's). */
  newIdentifiersPerEvent: number;
  /** Aggregates bytes per event kept for `aggregateRetentionDays` (pages, subjects, windows). */
  aggregatesBytesPerEvent: number;
  /** Aggregates bytes per event kept about a day (event logs). */
  eventLogBytesPerEvent: number;
  /** `RESIDENCY_AGGREGATE_RETENTION_DAYS` (default 35). */
  aggregateRetentionDays: number;
}

/** What the capacity plan is derived from: all measured in the run, except prices and rates. */
export interface CapacityInputs {
  rates: readonly number[];
  meanRecordBytes: number;
  meanOutboundBytes: number;
  /** Input PUT payload units per event. */
  inputPutUnitsPerEvent: number;
  /** Warm hot path on one core. */
  hotpathEventsPerSecond: number;
  /** Lambda-billed milliseconds per event in the warm hot path (in process, no network). */
  billedMillisPerEvent: number;
  batchSize: number;
  lambdaMemoryMb: number;
  steady: UsagePerEvent;
  backfill: UsagePerEvent;
  /** Absent when the run could not measure it (a target on AWS): the plan then leaves storage out. */
  storage?: StorageInputs;
  prices: PriceTable;
}

/** Capacity and monthly cost at one sustained rate. */
export interface CapacityRow {
  eventsPerSecond: number;
  shards: { events: number; outbox: number };
  lambda: {
    /** Concurrent instances: one per events-stream shard (ParallelizationFactor 1, required by the aggregate fence). */
    concurrency: number;
    invocationsPerSecond: number;
    /** Share of one instance's measured capacity each instance uses. */
    utilization: number;
  };
  /** Vault table request units per second, steady state and during a backfill at this rate. */
  vault: {
    readUnitsPerSecond: number;
    writeUnitsPerSecond: number;
    backfillReadUnitsPerSecond: number;
    backfillWriteUnitsPerSecond: number;
  };
  /**
   * The vault on provisioned capacity (`RESIDENCY_VAULT_CAPACITY=provisioned`) instead of on
   * demand: the ranges to set (`min` carries the steady state at the auto-scaling target, `max` a
   * backfill at this rate), and what the vault's requests cost a month either way, provisioned
   * priced at `min` all month (a load that swings within the day scales above it for its peaks).
   * `totalUsd` is `monthlyUsd.total` with the vault provisioned.
   */
  vaultProvisioned: {
    readUnits: { min: number; max: number };
    writeUnits: { min: number; max: number };
    onDemandUsd: number;
    provisionedUsd: number;
    totalUsd: number;
  };
  /** All tables (vault, aggregates, ...), steady state. */
  dynamodb: { readUnitsPerSecond: number; writeUnitsPerSecond: number };
  kmsRequestsPerSecond: number;
  /**
   * DynamoDB storage, GB: the aggregates at their retention (steady: TTL removes the oldest), and
   * the vault after {@link VAULT_HORIZON_MONTHS} months (it grows by `vaultGbPerMonth`).
   */
  storage?: { aggregatesGb: number; vaultGbPerMonth: number; vaultGb: number };
  /** Monthly cost in steady state at list prices; `storage` is the month after the vault horizon. */
  monthlyUsd: {
    kinesis: number;
    dynamodb: number;
    storage: number;
    kms: number;
    lambda: number;
    total: number;
  };
}

/**
 * The capacity plan: shards from Kinesis' per-shard write limits and the measured record sizes,
 * Lambda concurrency and utilization from the measured hot path, DynamoDB and KMS rates from the
 * measured units per event, and the monthly bill at list prices.
 */
export function planCapacity(inputs: CapacityInputs): CapacityRow[] {
  const p = inputs.prices;
  return inputs.rates.map((rate) => {
    // One Lambda instance per shard (ParallelizationFactor 1), so when one instance cannot keep up
    // with a full shard, the stream needs more shards than its write limits alone would ask for.
    const perInstance = Math.max(1, inputs.hotpathEventsPerSecond * MAX_INSTANCE_UTILIZATION);
    const eventsShards = Math.max(
      1,
      Math.ceil(rate / shardRecordsPerSecond(inputs.meanRecordBytes)),
      Math.ceil(rate / perInstance),
    );
    // The outbox as measured (records and bytes per event); one record per event of the mean
    // outbound size when the run put nothing on it.
    const outboxPerShard =
      inputs.steady.outboxRecords > 0
        ? shardEventsPerSecond(inputs.steady.outboxRecords, inputs.steady.outboxBytes)
        : shardRecordsPerSecond(inputs.meanOutboundBytes);
    const outboxShards = Math.max(1, Math.ceil(rate / outboxPerShard));
    const perShard = rate / eventsShards;
    const invocationsPerSecond = eventsShards * Math.max(1, perShard / inputs.batchSize);
    const utilization = perShard / Math.max(1, inputs.hotpathEventsPerSecond);
    const s = inputs.steady;
    const perMonth = (perSecond: number) => perSecond * SECONDS_PER_MONTH;
    const kinesis =
      (eventsShards + outboxShards) * p.kinesis.shardHourUsd * 730 +
      (perMonth(rate * (inputs.inputPutUnitsPerEvent + s.outboxPutUnits)) *
        p.kinesis.putPayloadUnitsPerMillionUsd) /
        1_000_000;
    const dynamodb =
      (perMonth(rate * s.readUnits) * p.dynamodb.readRequestUnitsPerMillionUsd +
        perMonth(rate * s.writeUnits) * p.dynamodb.writeRequestUnitsPerMillionUsd) /
      1_000_000;
    const kms = (perMonth(rate * s.kmsRequests) * p.kms.requestsPer10kUsd) / 10_000 + p.kms.keyMonthUsd;
    const stored = inputs.storage && storageOf(rate, inputs.storage);
    const storage = stored ? (stored.aggregatesGb + stored.vaultGb) * p.dynamodb.storageGbMonthUsd : 0;
    const lambdaSecondsPerSecond =
      (rate * inputs.billedMillisPerEvent + invocationsPerSecond * NETWORK_ALLOWANCE_MILLIS_PER_INVOCATION) /
      1000;
    const lambda =
      (perMonth(invocationsPerSecond) * p.lambda.requestsPerMillionUsd) / 1_000_000 +
      perMonth(lambdaSecondsPerSecond) * (inputs.lambdaMemoryMb / 1024) * p.lambda.gbSecondUsd;
    const vaultProvisioned = provisionedVaultOf(rate, inputs);
    return {
      eventsPerSecond: rate,
      shards: { events: eventsShards, outbox: outboxShards },
      lambda: {
        concurrency: eventsShards,
        invocationsPerSecond: round(invocationsPerSecond),
        utilization: round(utilization),
      },
      vault: {
        readUnitsPerSecond: round(rate * s.vaultReadUnits),
        writeUnitsPerSecond: round(rate * s.vaultWriteUnits),
        backfillReadUnitsPerSecond: round(rate * inputs.backfill.vaultReadUnits),
        backfillWriteUnitsPerSecond: round(rate * inputs.backfill.vaultWriteUnits),
      },
      vaultProvisioned: {
        ...vaultProvisioned,
        totalUsd: usd(
          kinesis +
            dynamodb +
            storage +
            kms +
            lambda -
            vaultProvisioned.onDemandUsd +
            vaultProvisioned.provisionedUsd,
        ),
      },
      dynamodb: {
        readUnitsPerSecond: round(rate * s.readUnits),
        writeUnitsPerSecond: round(rate * s.writeUnits),
      },
      kmsRequestsPerSecond: round(rate * s.kmsRequests),
      ...(stored ? { storage: stored } : {}),
      monthlyUsd: {
        kinesis: usd(kinesis),
        dynamodb: usd(dynamodb),
        storage: usd(storage),
        kms: usd(kms),
        lambda: usd(lambda),
        total: usd(kinesis + dynamodb + storage + kms + lambda),
      },
    };
  });
}

// The vault's capacity ranges at a rate, and its requests' monthly cost on demand and provisioned.
function provisionedVaultOf(rate: number, inputs: CapacityInputs) {
  const p = inputs.prices.dynamodb;
  const units = (perEvent: number) => Math.max(1, Math.ceil((rate * perEvent) / VAULT_TARGET_UTILIZATION));
  const read = { min: units(inputs.steady.vaultReadUnits), max: 0 };
  read.max = Math.max(read.min, units(inputs.backfill.vaultReadUnits));
  const write = { min: units(inputs.steady.vaultWriteUnits), max: 0 };
  write.max = Math.max(write.min, units(inputs.backfill.vaultWriteUnits));
  const perMonth = rate * SECONDS_PER_MONTH;
  const onDemand =
    (perMonth * inputs.steady.vaultReadUnits * p.readRequestUnitsPerMillionUsd +
      perMonth * inputs.steady.vaultWriteUnits * p.writeRequestUnitsPerMillionUsd) /
    1_000_000;
  const provisioned = (read.min * p.readCapacityUnitHourUsd + write.min * p.writeCapacityUnitHourUsd) * 730;
  return {
    readUnits: read,
    writeUnits: write,
    onDemandUsd: usd(onDemand),
    provisionedUsd: usd(provisioned),
  };
}

const GB = 1e9;
const DAY_SECONDS = 86_400;

// Stored GB at a sustained rate: what the aggregates keep for their retention plus the event logs'
// day, and the vault's new identifiers over a month and over the horizon.
function storageOf(rate: number, s: StorageInputs): NonNullable<CapacityRow['storage']> {
  const aggregates =
    rate *
    DAY_SECONDS *
    (s.aggregatesBytesPerEvent * s.aggregateRetentionDays + s.eventLogBytesPerEvent * EVENT_LOG_DAYS);
  const vaultPerMonth = rate * SECONDS_PER_MONTH * s.newIdentifiersPerEvent * s.vaultBytesPerIdentifier;
  return {
    aggregatesGb: round(aggregates / GB),
    vaultGbPerMonth: round(vaultPerMonth / GB),
    vaultGb: round((vaultPerMonth * VAULT_HORIZON_MONTHS) / GB),
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function usd(value: number): number {
  return Math.round(value * 100) / 100;
}
