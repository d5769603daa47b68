import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { planCapacity, priceTableFor, runLoadtest } from '../src/index.ts';
import { ITEM_STORAGE_OVERHEAD_BYTES, itemBytes } from '../src/measure/table-bytes.ts';

describe('itemBytes', () => {
  it("sizes each attribute type by DynamoDB's rules", () => {
    const cases: Array<[Record<string, AttributeValue>, number]> = [
      // name + UTF-8 of the value; "é" is two bytes
      [{ pk: { S: 'abé' } }, 2 + 4],
      // 1 byte per two significant digits (zeros around trimmed) + 1: 123.45 → 5 digits → 3 + 1
      [{ n: { N: '0123.4500' } }, 1 + 4],
      [{ n: { N: '-7e10' } }, 1 + 2],
      [{ b: { B: new Uint8Array(10) } }, 1 + 10],
      [{ t: { BOOL: true }, z: { NULL: true } }, 2 + 2],
      [{ ss: { SS: ['ab', 'c'] } }, 2 + 3],
      // a list: 3 + per element 1 + its value
      [{ l: { L: [{ S: 'x' }, { N: '12' }] } }, 1 + 3 + (1 + 1) + (1 + 2)],
      // a map: 3 + per entry 1 + name + value
      [{ m: { M: { ab: { BOOL: false } } } }, 1 + 3 + (1 + 2 + 1)],
    ];
    for (const [item, bytes] of cases) expect([item, itemBytes(item)]).toEqual([item, bytes]);
  });
});

describe('capacity storage', () => {
  const usage = {
    readUnits: 0,
    writeUnits: 0,
    vaultReadUnits: 0,
    vaultWriteUnits: 0,
    kmsRequests: 0,
    outboxPutUnits: 0,
    outboxRecords: 0,
    outboxBytes: 0,
  };
  const inputs = {
    rates: [1000],
    meanRecordBytes: 300,
    meanOutboundBytes: 400,
    inputPutUnitsPerEvent: 1,
    hotpathEventsPerSecond: 10_000,
    billedMillisPerEvent: 0.1,
    batchSize: 2500,
    lambdaMemoryMb: 1769,
    steady: usage,
    backfill: usage,
    prices: priceTableFor('ap-south-1'),
  };

  it('prices the aggregates at their retention and the vault after a year of new identifiers', () => {
    const storage = {
      vaultBytesPerIdentifier: 1000,
      newIdentifiersPerEvent: 0.5,
      aggregatesBytesPerEvent: 50,
      eventLogBytesPerEvent: 20,
      aggregateRetentionDays: 35,
    };
    const [row] = planCapacity({ ...inputs, storage });
    // 1,000/s for a day = 86.4 M events: 50 B each kept 35 days, 20 B kept one
    expect(row?.storage?.aggregatesGb).toBeCloseTo((86.4e6 * (50 * 35 + 20)) / 1e9, 2);
    // 500 new identifiers/s for a 730-hour month, 1,000 B each
    expect(row?.storage?.vaultGbPerMonth).toBeCloseTo((500 * 730 * 3600 * 1000) / 1e9, 2);
    expect(row?.storage?.vaultGb).toBeCloseTo(12 * (row?.storage?.vaultGbPerMonth ?? 0), 1);
    const gb = (row?.storage?.aggregatesGb ?? 0) + (row?.storage?.vaultGb ?? 0);
    expect(row?.monthlyUsd.storage).toBeCloseTo(gb * inputs.prices.dynamodb.storageGbMonthUsd, 0);
    const { kinesis, dynamodb, storage: stored, kms, lambda, total } = row?.monthlyUsd ?? ({} as never);
    expect(total).toBeCloseTo(kinesis + dynamodb + stored + kms + lambda, 1);
  });

  it('leaves storage out when the run could not measure it', () => {
    const [row] = planCapacity(inputs);
    expect(row?.storage).toBeUndefined();
    expect(row?.monthlyUsd.storage).toBe(0);
  });
});

describe('the hot path on the local emulators', () => {
  it('measures what it left stored, per identifier and per event, from its own tables', async () => {
    const report = await runLoadtest({
      scenarios: ['hotpath'],
      events: 600,
      batchSize: 200,
      warmRepeats: 1,
      warmMeasurements: 1,
      initialPatients: 200,
    });
    const stored = report.hotpath?.storage;
    expect(report.hotpath?.vaultStats.created).toBeGreaterThan(0);
    // A vault identifier is an entry, a pointer and links: hundreds of bytes, each item with its
    // 100 bytes of overhead; a page entry per touched cell and an event id per event in the logs
    expect(stored?.vaultBytesPerIdentifier).toBeGreaterThan(2 * ITEM_STORAGE_OVERHEAD_BYTES);
    expect(stored?.vaultBytesPerIdentifier).toBeLessThan(4_000);
    expect(stored?.aggregatesBytesPerEvent).toBeGreaterThan(1);
    expect(stored?.eventLogBytesPerEvent).toBeGreaterThan(16);
    expect(report.capacity[0]?.storage?.vaultGbPerMonth).toBeGreaterThan(0);
    expect(report.capacity[0]?.monthlyUsd.storage).toBeGreaterThan(0);
    // the same handler with the aggregates port a no-op, measured after the storage
    expect(report.hotpath?.withoutAggregates?.eventsPerSecond).toBeGreaterThan(0);
    expect(report.hotpath?.withoutAggregates?.cpuMicrosPerEvent).toBeGreaterThan(0);
  }, 120_000);
});
