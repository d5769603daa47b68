import { describe, expect, it } from 'vitest';
import { costPerMillionEvents, PRICE_TABLES, priceTableFor } from '../src/index.ts';
import { noUnits } from '../src/measure/billing-counter.ts';

const prices = priceTableFor('ap-south-1');
const line = (estimate: ReturnType<typeof costPerMillionEvents>, item: string) =>
  estimate.lines.find((l) => l.item === item);

describe('costPerMillionEvents', () => {
  it('scales measured units to a million events and prices them', () => {
    // Prepare: 2,000 events, one write unit, one read unit and one KMS request each
    const units = { ...noUnits(), dynamodbWriteUnits: 2000, dynamodbReadUnits: 2000, kmsRequests: 2000 };
    // Act
    const estimate = costPerMillionEvents(
      {
        events: 2000,
        units,
        inputPutPayloadUnits: 2000,
        lambdaInvocations: 1,
        lambdaBilledMillis: 0,
        lambdaMemoryMb: 1024,
        meanRecordBytes: 450,
      },
      prices,
    );
    // Assess
    expect(line(estimate, 'DynamoDB write request units')).toEqual({
      item: 'DynamoDB write request units',
      unitsPerMillionEvents: 1_000_000,
      usdPerMillionEvents: prices.dynamodb.writeRequestUnitsPerMillionUsd,
    });
    expect(line(estimate, 'DynamoDB read request units')?.usdPerMillionEvents).toBe(
      prices.dynamodb.readRequestUnitsPerMillionUsd,
    );
    // $0.03 per 10,000 requests, a million requests: $3.
    expect(line(estimate, 'KMS requests')?.usdPerMillionEvents).toBeCloseTo(3, 6);
    // The input stream's PUT units count even though the hot path did not put them.
    expect(line(estimate, 'Kinesis PUT payload units')?.unitsPerMillionEvents).toBe(1_000_000);
  });

  it('charges full shards: the input stream by its records, the outbox by what it measured', () => {
    const estimate = (units: ReturnType<typeof noUnits>) =>
      costPerMillionEvents(
        {
          events: 1000,
          units,
          inputPutPayloadUnits: 0,
          lambdaInvocations: 0,
          lambdaBilledMillis: 0,
          lambdaMemoryMb: 1024,
          meanRecordBytes: 450,
        },
        prices,
      );
    // One 450-byte outbox record per event: 1,000 events/s a shard on each stream.
    const unpacked = line(
      estimate({ ...noUnits(), kinesisRecords: 1000, kinesisBytes: 450_000 }),
      'Kinesis shard-hours (full shards)',
    );
    expect(unpacked?.unitsPerMillionEvents).toBeCloseTo((2 * 1e6) / 3.6e6, 3);
    expect(unpacked?.usdPerMillionEvents).toBeCloseTo(((2 * 1e6) / 3.6e6) * prices.kinesis.shardHourUsd, 6);
    // 1,000 events packed into 25 records of 28 KB: 700 bytes an event fill a shard at 1,498 events/s.
    const packed = line(
      estimate({ ...noUnits(), kinesisRecords: 25, kinesisBytes: 700_000 }),
      'Kinesis shard-hours (full shards)',
    );
    expect(packed?.unitsPerMillionEvents).toBeCloseTo(1e6 / 3.6e6 + 1e6 / (((1024 * 1024) / 700) * 3600), 3);
    // Units counted at the producer (e2e) are the input stream's: charged once, by what was measured.
    const producer = costPerMillionEvents(
      {
        events: 1000,
        units: { ...noUnits(), kinesisRecords: 1000, kinesisBytes: 450_000, kinesisPutPayloadUnits: 1000 },
        inputPutPayloadUnits: 1000,
        lambdaInvocations: 0,
        lambdaBilledMillis: 0,
        lambdaMemoryMb: 1024,
        meanRecordBytes: 450,
        kinesisUnitsOf: 'input',
      },
      prices,
    );
    expect(line(producer, 'Kinesis PUT payload units')?.unitsPerMillionEvents).toBe(1_000_000);
    expect(line(producer, 'Kinesis shard-hours (full shards)')?.unitsPerMillionEvents).toBeCloseTo(
      1e6 / 3.6e6,
      3,
    );
    // Nothing put: the input stream alone.
    const none = line(estimate(noUnits()), 'Kinesis shard-hours (full shards)');
    expect(none?.unitsPerMillionEvents).toBeCloseTo(1e6 / 3.6e6, 3);
  });

  it('prices Lambda GB-seconds from the billed time and memory', () => {
    const estimate = costPerMillionEvents(
      {
        events: 100_000,
        units: noUnits(),
        inputPutPayloadUnits: 0,
        lambdaInvocations: 40,
        lambdaBilledMillis: 2000,
        lambdaMemoryMb: 2048,
        meanRecordBytes: 450,
      },
      prices,
    );
    // 2 s per 100k events → 20 s per million × 2 GB = 40 GB-s.
    expect(line(estimate, 'Lambda GB-seconds')?.unitsPerMillionEvents).toBe(40);
    expect(line(estimate, 'Lambda requests')?.unitsPerMillionEvents).toBe(400);
    const shards = line(estimate, 'Kinesis shard-hours (full shards)')?.usdPerMillionEvents ?? 0;
    expect(estimate.usdPerMillionEvents - shards).toBeCloseTo(
      40 * prices.lambda.gbSecondUsd + 400 * 0.2e-6,
      6,
    );
  });

  it('has dated, sourced price tables and refuses a region it does not know', () => {
    for (const table of Object.values(PRICE_TABLES)) {
      expect(table.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(table.sources.length).toBeGreaterThan(0);
    }
    expect(() => priceTableFor('mars-north-1')).toThrow(/no price table/);
  });
});
