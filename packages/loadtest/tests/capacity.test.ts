import { describe, expect, it } from 'vitest';
import { planCapacity, priceTableFor } from '../src/index.ts';

const usage = {
  readUnits: 0.1,
  writeUnits: 0.5,
  vaultReadUnits: 0.1,
  vaultWriteUnits: 0.4,
  kmsRequests: 0,
  outboxPutUnits: 1,
  // One outbox record per event of 400 bytes (unpacked).
  outboxRecords: 1,
  outboxBytes: 400,
};
const inputs = {
  rates: [1000, 10_000],
  meanRecordBytes: 450,
  meanOutboundBytes: 400,
  inputPutUnitsPerEvent: 1,
  hotpathEventsPerSecond: 60_000,
  billedMillisPerEvent: 0.02,
  batchSize: 2500,
  lambdaMemoryMb: 1769,
  steady: usage,
  backfill: { ...usage, vaultWriteUnits: 2 },
  prices: priceTableFor('ap-south-1'),
};

describe('planCapacity', () => {
  it('sizes shards from the per-shard write limit when one core outruns a shard', () => {
    const [low, high] = planCapacity(inputs);
    expect(low?.shards).toEqual({ events: 1, outbox: 1 });
    expect(high?.shards).toEqual({ events: 10, outbox: 10 });
    expect(high?.lambda.concurrency).toBe(10);
    expect(high?.lambda.utilization).toBeCloseTo(1000 / 60_000, 3);
  });

  it('sizes the outbox by its bytes when it packs many events into one record', () => {
    // 40 events per record of ~28 KB: 700 bytes an event. A shard takes 1 MiB/s: 1,497 events/s.
    const packed = { ...usage, outboxRecords: 1 / 40, outboxBytes: 700 };
    const [low, high] = planCapacity({ ...inputs, steady: packed });
    expect(low?.shards).toEqual({ events: 1, outbox: 1 });
    expect(high?.shards).toEqual({ events: 10, outbox: Math.ceil(10_000 / ((1024 * 1024) / 700)) });
    expect(high?.shards.outbox).toBe(7);
  });

  it('adds shards when one instance cannot keep up with a full shard', () => {
    // 500 events/s per core at most 70% busy: 350/s per instance, so 1,000/s needs 3 shards.
    const [row] = planCapacity({ ...inputs, rates: [1000], hotpathEventsPerSecond: 500 });
    expect(row?.shards.events).toBe(3);
    expect(row?.lambda.utilization).toBeLessThanOrEqual(0.7);
  });

  it('derives vault and table rates from the measured units per event', () => {
    const [row] = planCapacity({ ...inputs, rates: [1000] });
    expect(row?.vault).toEqual({
      readUnitsPerSecond: 100,
      writeUnitsPerSecond: 400,
      backfillReadUnitsPerSecond: 100,
      backfillWriteUnitsPerSecond: 2000,
    });
    // DynamoDB: 500 WRU/s and 100 RRU/s for 730 hours at the table's prices.
    const month = 730 * 3600;
    const p = inputs.prices.dynamodb;
    expect(row?.monthlyUsd.dynamodb).toBeCloseTo(
      (500 * month * p.writeRequestUnitsPerMillionUsd + 100 * month * p.readRequestUnitsPerMillionUsd) / 1e6,
      1,
    );
  });

  it('sizes the vault for provisioned capacity at the auto-scaling target and prices it against on demand', () => {
    const [row] = planCapacity({ ...inputs, rates: [1000] });
    const p = inputs.prices.dynamodb;
    // 100 RRU/s and 400 WRU/s steady at 70% consumed; a backfill's 2,000 WRU/s at 70% for the maximum.
    expect(row?.vaultProvisioned.readUnits).toEqual({ min: 143, max: 143 });
    expect(row?.vaultProvisioned.writeUnits).toEqual({ min: 572, max: 2858 });
    const month = 730 * 3600;
    expect(row?.vaultProvisioned.onDemandUsd).toBeCloseTo(
      (400 * month * p.writeRequestUnitsPerMillionUsd + 100 * month * p.readRequestUnitsPerMillionUsd) / 1e6,
      1,
    );
    expect(row?.vaultProvisioned.provisionedUsd).toBeCloseTo(
      (572 * p.writeCapacityUnitHourUsd + 143 * p.readCapacityUnitHourUsd) * 730,
      1,
    );
    // Only the vault's requests change; a steady load is cheaper provisioned at these prices.
    const { onDemandUsd, provisionedUsd, totalUsd } = row?.vaultProvisioned ?? {};
    expect(totalUsd).toBeCloseTo(
      (row?.monthlyUsd.total ?? 0) - (onDemandUsd ?? 0) + (provisionedUsd ?? 0),
      1,
    );
    expect(provisionedUsd).toBeLessThan(onDemandUsd ?? 0);
  });

  it('provisions at least one unit of each kind, even for a vault nobody reads', () => {
    const idle = { ...usage, vaultReadUnits: 0, vaultWriteUnits: 0 };
    const [row] = planCapacity({ ...inputs, rates: [1000], steady: idle, backfill: idle });
    expect(row?.vaultProvisioned.readUnits).toEqual({ min: 1, max: 1 });
    expect(row?.vaultProvisioned.writeUnits).toEqual({ min: 1, max: 1 });
  });
});
