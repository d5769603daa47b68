import type { ReportInputs } from '../src/index.ts';
import { PRICE_TABLES } from '../src/index.ts';
import { noUnits } from '../src/measure/billing-counter.ts';
import type { CeilingResult, ThroughputResult } from '../src/scenarios/results.ts';

/** A measured pass with round numbers, for report tests. */
export function pass(overrides: Partial<ThroughputResult> = {}): ThroughputResult {
  return {
    name: 'pass',
    events: 100_000,
    invalidEvents: 0,
    batches: 40,
    elapsedMillis: 2000,
    eventsPerSecond: 50_000,
    latencyUnit: 'batch',
    latencyMillis: { count: 40, p50: 40, p90: 45, p99: 60, max: 70, mean: 42 },
    cpuMicrosPerEvent: 18,
    peakRssBytes: 300 * 1024 * 1024,
    apiCalls: { 'Kinesis.PutRecords': 200 },
    units: { ...noUnits(), kinesisRecords: 100_000, kinesisPutPayloadUnits: 100_000 },
    lambdaBilledMillis: 2000,
    outbox: 'null-http',
    notes: [],
    ...overrides,
  };
}

/** A ceiling of 12.5 µs warm (80,000 events/s). */
export function ceiling(overrides: Partial<CeilingResult> = {}): CeilingResult {
  const p = (microsPerEvent: number, warm: boolean, cold: boolean, callsPerEvent = 1) => ({
    microsPerEvent,
    microsPerCall: microsPerEvent / callsPerEvent,
    callsPerEvent,
    inWarmCeiling: warm,
    inColdCeiling: cold,
  });
  return {
    events: 30_000,
    identifiersPerEvent: 2,
    primitives: {
      decodeParse: p(4, true, true),
      validate: p(5, true, true),
      hmac: p(7, false, true, 2),
      cacheLookup: p(1, true, true, 2),
      serialize: p(2.5, true, true),
      outboxSdk: p(7, false, false),
    },
    warmMicrosPerEvent: 12.5,
    eventsPerSecond: 80_000,
    coldMicrosPerEvent: 19.5,
    coldEventsPerSecond: 51_282,
    meanOutboundBytes: 400,
    peakRssBytes: 200 * 1024 * 1024,
    notes: [],
    ...overrides,
  };
}

const vaultStats = {
  cacheHits: 0,
  cacheMisses: 0,
  singleFlightJoins: 0,
  created: 60_000,
  racesLost: 0,
  previousVersionHits: 0,
  linksWritten: 0,
  orphanPointers: 0,
  keyedTokens: 0,
  recordIds: 0,
  dataKeysGenerated: 1,
  indexKeyUnwraps: 1,
  tokenKeyUnwraps: 0,
  cacheSize: 60_000,
};

/** Report inputs: hot path 60,000/s warm, naive 500/s, a ceiling of 80,000/s. */
export function reportInputs(overrides: Partial<ReportInputs> = {}): ReportInputs {
  return {
    startedAt: new Date('2026-11-27T08:00:00Z'),
    finishedAt: new Date('2026-11-27T08:02:30Z'),
    machine: {
      cpus: 2,
      availableParallelism: 2,
      cpuModel: 'Test CPU',
      cpuMhz: 3000,
      totalMemoryBytes: 8 * 1024 ** 3,
      platform: 'linux',
      osRelease: '6.1',
      arch: 'x64',
      nodeVersion: 'v20.20.2',
      v8Version: '11.3',
      loadAverage1m: 0.1,
      maxSemiSpaceMb: 64,
    },
    target: { mode: 'local', region: 'ap-south-1', vaultTable: 'residency-vault' },
    workload: {
      seed: 1,
      events: 100_000,
      naiveEvents: 2000,
      e2eEvents: 3000,
      batchSize: 2500,
      warmRepeats: 3,
      warmMeasurements: 3,
      recentEvents: 20_000,
      initialPatients: 2000,
      zipfExponent: 1.1,
      newPatientShare: 0.08,
      meanRecordBytes: 450,
      canaries: 0,
    },
    inputPutUnitsPerEvent: 1,
    steadyNewIdentifiersPerEvent: 0.3,
    ceiling: ceiling(),
    hotpath: {
      handler: 'pipeline',
      warm: pass({ name: 'hotpath warm', eventsPerSecond: 60_000 }),
      cold: pass({
        name: 'hotpath cold',
        eventsPerSecond: 2000,
        apiCalls: {
          'DynamoDB.PutItem': 60_000,
          'DynamoDB.BatchGetItem': 600,
          'Kinesis.PutRecords': 200,
          'KMS.GenerateDataKey': 2,
        },
        units: {
          ...noUnits(),
          dynamodbReadUnits: 30_000,
          dynamodbWriteUnits: 120_000,
          kmsRequests: 2,
          kinesisRecords: 100_000,
          kinesisPutPayloadUnits: 100_000,
          dynamodbByTable: { 'residency-vault': { calls: 60_600, readUnits: 30_000, writeUnits: 120_000 } },
        },
      }),
      vaultStats,
    },
    naive: {
      warm: pass({
        name: 'naive warm',
        events: 2000,
        eventsPerSecond: 500,
        apiCalls: { 'DynamoDB.GetItem': 4000, 'Kinesis.PutRecord': 2000 },
        units: { ...noUnits(), dynamodbReadUnits: 4000, kinesisRecords: 2000, kinesisPutPayloadUnits: 2000 },
      }),
      cold: null,
    },
    e2e: null,
    prices: PRICE_TABLES['ap-south-1'] as NonNullable<(typeof PRICE_TABLES)['ap-south-1']>,
    lambdaMemoryMb: 1769,
    skipped: [],
    notes: [],
    ...overrides,
  };
}
