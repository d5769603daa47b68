import { LoadtestError } from '../errors.ts';

/** Published AWS list prices (USD) of what the pipeline uses, for one region. */
export interface PriceTable {
  region: string;
  /** When the figures were taken, ISO date. */
  asOf: string;
  /** Where they come from. */
  sources: readonly string[];
  /** False when the figures were written from memory and not checked against the live price pages. */
  verified: boolean;
  /** What to check, and how sure the figures are. */
  note: string;
  kinesis: {
    /** Provisioned mode, per shard-hour. */
    shardHourUsd: number;
    /** Per million PUT payload units (25 KB each). */
    putPayloadUnitsPerMillionUsd: number;
  };
  dynamodb: {
    /** On-demand, per million write request units. */
    writeRequestUnitsPerMillionUsd: number;
    /** On-demand, per million read request units. */
    readRequestUnitsPerMillionUsd: number;
    /** Standard table class, per GB-month stored (the first 25 GB a month are free: not counted). */
    storageGbMonthUsd: number;
    /** Provisioned capacity, Standard table class, per write capacity unit-hour. */
    writeCapacityUnitHourUsd: number;
    /** Provisioned capacity, Standard table class, per read capacity unit-hour. */
    readCapacityUnitHourUsd: number;
  };
  kms: {
    /** Symmetric key requests, per 10,000. */
    requestsPer10kUsd: number;
    /** Customer managed key, per month (each rotated backing key adds the same). */
    keyMonthUsd: number;
  };
  lambda: {
    /** Per million invocations. */
    requestsPerMillionUsd: number;
    /** Per GB-second, x86_64 (arm64 is about 20% less). */
    gbSecondUsd: number;
  };
}

const SOURCES = [
  'https://aws.amazon.com/kinesis/data-streams/pricing/',
  'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  'https://aws.amazon.com/dynamodb/pricing/provisioned/',
  'https://aws.amazon.com/kms/pricing/',
  'https://aws.amazon.com/lambda/pricing/',
] as const;

// Written without internet access, from the price pages as last read (after DynamoDB's November
// 2024 on-demand price cut). KMS and Lambda prices are the same in both regions and well known;
// the ap-south-1 Kinesis and DynamoDB figures are the least certain: check them before quoting.
const AS_OF = '2026-11-27';

/**
 * Price tables by region. Add a region by copying its figures from the pages in `sources`.
 * Capacity and cost figures of the report are only as good as this table: it is data, dated,
 * with its sources, so a reader can check it.
 */
export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = Object.freeze({
  'ap-south-1': {
    region: 'ap-south-1',
    asOf: AS_OF,
    sources: SOURCES,
    verified: false,
    note:
      'From memory, not checked against the live pages on the date given. KMS ($0.03/10k) and Lambda ' +
      '($0.20/M, $0.0000166667/GB-s) are the standard commercial-region prices; Kinesis shard-hour and ' +
      'PUT payload, DynamoDB on-demand (halved in Nov 2024) and provisioned capacity for Mumbai should be checked.',
    kinesis: { shardHourUsd: 0.0176, putPayloadUnitsPerMillionUsd: 0.0154 },
    dynamodb: {
      writeRequestUnitsPerMillionUsd: 0.7115,
      readRequestUnitsPerMillionUsd: 0.1423,
      storageGbMonthUsd: 0.285,
      writeCapacityUnitHourUsd: 0.00074,
      readCapacityUnitHourUsd: 0.000148,
    },
    kms: { requestsPer10kUsd: 0.03, keyMonthUsd: 1 },
    lambda: { requestsPerMillionUsd: 0.2, gbSecondUsd: 0.0000166667 },
  },
  'us-east-1': {
    region: 'us-east-1',
    asOf: AS_OF,
    sources: SOURCES,
    verified: false,
    note: 'From memory (us-east-1 list prices after the Nov 2024 DynamoDB on-demand cut); check before quoting.',
    kinesis: { shardHourUsd: 0.015, putPayloadUnitsPerMillionUsd: 0.014 },
    dynamodb: {
      writeRequestUnitsPerMillionUsd: 0.625,
      readRequestUnitsPerMillionUsd: 0.125,
      storageGbMonthUsd: 0.25,
      writeCapacityUnitHourUsd: 0.00065,
      readCapacityUnitHourUsd: 0.00013,
    },
    kms: { requestsPer10kUsd: 0.03, keyMonthUsd: 1 },
    lambda: { requestsPerMillionUsd: 0.2, gbSecondUsd: 0.0000166667 },
  },
});

/** The price table of `region`; a clear error for a region the table does not have. */
export function priceTableFor(region: string): PriceTable {
  const table = PRICE_TABLES[region];
  if (!table) {
    throw new LoadtestError(
      `no price table for ${region} (have ${Object.keys(PRICE_TABLES).join(', ')}); pass --price-region`,
      '--price-region',
    );
  }
  return table;
}
