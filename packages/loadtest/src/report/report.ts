import { costPerMillionEvents } from '../pricing/cost.ts';
import type { PriceTable } from '../pricing/prices.ts';
import type { HotpathResult } from '../scenarios/hotpath.ts';
import type { CeilingResult, E2eResult, ThroughputResult } from '../scenarios/results.ts';
import { DEFAULT_AGGREGATE_RETENTION_DAYS, planCapacity, type UsagePerEvent } from './capacity.ts';
import { explainGoals } from './goals.ts';
import type { MachineInfo } from './machine.ts';
import {
  type LoadtestReport,
  REPORT_SCHEMA,
  type ScenarioName,
  type ScenarioReport,
  type WithoutAggregates,
  type WorkloadInfo,
} from './types.ts';

/** Everything a report is built from. */
export interface ReportInputs {
  startedAt: Date;
  finishedAt: Date;
  machine: MachineInfo;
  target: { mode: 'local' | 'aws'; region: string; vaultTable: string };
  workload: WorkloadInfo;
  /** Kinesis PUT payload units per input event (the producer's puts). */
  inputPutUnitsPerEvent: number;
  /** New identifiers per event in steady state for this workload's mix (new appointments, registrations). */
  steadyNewIdentifiersPerEvent: number;
  ceiling: CeilingResult | null;
  hotpath: HotpathResult | null;
  naive: { warm: ThroughputResult; cold: ThroughputResult | null } | null;
  e2e: E2eResult | null;
  prices: PriceTable;
  lambdaMemoryMb: number;
  /** Rates of the capacity plan. Default: 1k, 10k, 100k events/s. */
  capacityRates?: readonly number[];
  skipped: Array<{ scenario: ScenarioName; reason: string }>;
  notes: string[];
}

/**
 * Builds the report: per-million and priced figures of every pass, the ratios, the goals with
 * how far and why they were missed, and the capacity plan. Pure: no I/O, so it is unit tested.
 *
 * @example const report = buildReport(inputs); writeFileSync('bench.json', JSON.stringify(report));
 */
export function buildReport(inputs: ReportInputs): LoadtestReport {
  const priced = (result: ThroughputResult): ScenarioReport => scenarioReport(result, inputs);
  const hotpath = inputs.hotpath
    ? {
        ...priced(inputs.hotpath.warm),
        handler: inputs.hotpath.handler,
        cold: inputs.hotpath.cold ? priced(inputs.hotpath.cold) : null,
        vaultStats: inputs.hotpath.vaultStats,
        ...(inputs.hotpath.storage ? { storage: inputs.hotpath.storage } : {}),
        ...(inputs.hotpath.withoutAggregates
          ? { withoutAggregates: withoutAggregatesOf(inputs.hotpath.withoutAggregates) }
          : {}),
      }
    : null;
  const naive = inputs.naive
    ? { ...priced(inputs.naive.warm), cold: inputs.naive.cold ? priced(inputs.naive.cold) : null }
    : null;
  const e2e = inputs.e2e ? { ...inputs.e2e, ...pick(priced(inputs.e2e)) } : null;
  const ceiling = inputs.ceiling;

  const apiCallsPerMillion = {
    ours: hotpath?.apiCallsPerMillion ?? null,
    naive: naive?.apiCallsPerMillion ?? null,
    oursCold: hotpath?.cold?.apiCallsPerMillion ?? null,
    naiveCold: naive?.cold?.apiCallsPerMillion ?? null,
  };
  const ratios = {
    hotpathToCeiling: hotpathToCeiling(hotpath, ceiling),
    hotpathToNaive: ratio(hotpath?.eventsPerSecond, naive?.eventsPerSecond),
    hotpathToNaiveCold: ratio(hotpath?.cold?.eventsPerSecond, naive?.cold?.eventsPerSecond),
    apiCallsNaiveToOurs: ratio(apiCallsPerMillion.naive, apiCallsPerMillion.ours),
    apiCallsNaiveToOursCold: ratio(apiCallsPerMillion.naiveCold, apiCallsPerMillion.oursCold),
  };
  const durationSeconds = Math.round((inputs.finishedAt.getTime() - inputs.startedAt.getTime()) / 100) / 10;
  const report: LoadtestReport = {
    schema: REPORT_SCHEMA,
    startedAt: inputs.startedAt.toISOString(),
    finishedAt: inputs.finishedAt.toISOString(),
    durationSeconds,
    machine: inputs.machine,
    target: { ...inputs.target },
    workload: inputs.workload,
    ceiling,
    hotpath,
    naive,
    e2e,
    apiCallsPerMillion,
    kmsCallsPerMillion: {
      ours: hotpath?.kmsCallsPerMillion ?? null,
      naive: naive?.kmsCallsPerMillion ?? null,
      oursCold: hotpath?.cold?.kmsCallsPerMillion ?? null,
      naiveCold: naive?.cold?.kmsCallsPerMillion ?? null,
    },
    costPerMillion: {
      ours: hotpath?.costPerMillion.usdPerMillionEvents ?? null,
      naive: naive?.costPerMillion.usdPerMillionEvents ?? null,
      oursCold: hotpath?.cold?.costPerMillion.usdPerMillionEvents ?? null,
      naiveCold: naive?.cold?.costPerMillion.usdPerMillionEvents ?? null,
      region: inputs.prices.region,
      pricesAsOf: inputs.prices.asOf,
      pricesVerified: inputs.prices.verified,
      sources: inputs.prices.sources,
      note: inputs.prices.note,
    },
    ratios,
    goals: [],
    capacity: [],
    skipped: inputs.skipped,
    notes: inputs.notes,
  };
  report.goals = explainGoals(report);
  report.capacity = capacityOf(report, inputs);
  return report;
}

function scenarioReport(result: ThroughputResult, inputs: ReportInputs): ScenarioReport {
  const perMillion = (count: number) =>
    result.events > 0 ? Math.round((count * 1_000_000) / result.events) : 0;
  const byOperation: Record<string, number> = {};
  let total = 0;
  let kms = 0;
  for (const [operation, count] of Object.entries(result.apiCalls)) {
    byOperation[operation] = perMillion(count);
    total += count;
    if (operation.startsWith('KMS.')) kms += count;
  }
  return {
    ...result,
    apiCallsPerMillion: perMillion(total),
    apiCallsPerMillionByOperation: byOperation,
    kmsCallsPerMillion: perMillion(kms),
    costPerMillion: costPerMillionEvents(
      {
        events: result.events,
        units: result.units,
        inputPutPayloadUnits: result.events * inputs.inputPutUnitsPerEvent,
        lambdaInvocations: result.batches,
        lambdaBilledMillis: result.lambdaBilledMillis,
        lambdaMemoryMb: inputs.lambdaMemoryMb,
        meanRecordBytes: inputs.workload.meanRecordBytes,
        ...(result.countedAt === 'producer' ? { kinesisUnitsOf: 'input' as const } : {}),
      },
      inputs.prices,
    ),
  };
}

function pick(report: ScenarioReport) {
  const { apiCallsPerMillion, apiCallsPerMillionByOperation, kmsCallsPerMillion, costPerMillion } = report;
  return { apiCallsPerMillion, apiCallsPerMillionByOperation, kmsCallsPerMillion, costPerMillion };
}

/** a / b rounded to 3 decimals, or null when either is missing or b is zero. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return Math.round((a / b) * 1000) / 1000;
}

function usagePerEvent(result: ThroughputResult, vaultTable: string): UsagePerEvent {
  const n = Math.max(1, result.events);
  const vault = result.units.dynamodbByTable[vaultTable] ?? { calls: 0, readUnits: 0, writeUnits: 0 };
  return {
    readUnits: result.units.dynamodbReadUnits / n,
    writeUnits: result.units.dynamodbWriteUnits / n,
    vaultReadUnits: vault.readUnits / n,
    vaultWriteUnits: vault.writeUnits / n,
    kmsRequests: result.units.kmsRequests / n,
    outboxPutUnits: result.units.kinesisPutPayloadUnits / n,
    outboxRecords: result.units.kinesisRecords / n,
    outboxBytes: result.units.kinesisBytes / n,
  };
}

/**
 * Steady state lies between the warm pass (no new identifier) and the cold one (every
 * identifier new): warm + f × (cold − warm), f = the workload's steady-state new identifiers per
 * event / the cold pass's new identifiers per event.
 */
export function steadyUsage(warm: UsagePerEvent, cold: UsagePerEvent, fraction: number): UsagePerEvent {
  const f = Math.min(1, Math.max(0, fraction));
  const mix = (key: keyof UsagePerEvent) => warm[key] + f * (cold[key] - warm[key]);
  return {
    readUnits: mix('readUnits'),
    writeUnits: mix('writeUnits'),
    vaultReadUnits: mix('vaultReadUnits'),
    vaultWriteUnits: mix('vaultWriteUnits'),
    kmsRequests: mix('kmsRequests'),
    outboxPutUnits: mix('outboxPutUnits'),
    outboxRecords: mix('outboxRecords'),
    outboxBytes: mix('outboxBytes'),
  };
}

function capacityOf(report: LoadtestReport, inputs: ReportInputs) {
  const hot = inputs.hotpath;
  // Without the cold pass the steady state's new identifiers have no measured cost: a plan from the
  // warm pass alone would price the vault's writes at nothing.
  if (!hot?.cold) return [];
  const warm = usagePerEvent(hot.warm, inputs.target.vaultTable);
  const cold = usagePerEvent(hot.cold, inputs.target.vaultTable);
  const coldNewPerEvent = hot.vaultStats.created / Math.max(1, hot.cold.events);
  const fraction = coldNewPerEvent > 0 ? inputs.steadyNewIdentifiersPerEvent / coldNewPerEvent : 0;
  return planCapacity({
    rates: inputs.capacityRates ?? [1000, 10_000, 100_000],
    meanRecordBytes: inputs.workload.meanRecordBytes,
    meanOutboundBytes: report.ceiling?.meanOutboundBytes ?? inputs.workload.meanRecordBytes,
    inputPutUnitsPerEvent: inputs.inputPutUnitsPerEvent,
    hotpathEventsPerSecond: hot.warm.eventsPerSecond,
    billedMillisPerEvent: hot.warm.lambdaBilledMillis / Math.max(1, hot.warm.events),
    batchSize: inputs.workload.batchSize,
    lambdaMemoryMb: inputs.lambdaMemoryMb,
    steady: steadyUsage(warm, cold, fraction),
    backfill: cold,
    ...(hot.storage
      ? {
          storage: {
            ...hot.storage,
            newIdentifiersPerEvent: inputs.steadyNewIdentifiersPerEvent,
            aggregateRetentionDays: DEFAULT_AGGREGATE_RETENTION_DAYS,
          },
        }
      : {}),
    prices: inputs.prices,
  });
}

function withoutAggregatesOf(result: ThroughputResult): WithoutAggregates {
  return {
    eventsPerSecond: result.eventsPerSecond,
    cpuMicrosPerEvent: result.cpuMicrosPerEvent,
    ...(result.measurements ? { measurements: result.measurements } : {}),
  };
}

/**
 * Hot path / ceiling events/s: the median of each warm measurement over the ceiling measured
 * just before it, when the run measured them in pairs; the two medians' ratio otherwise.
 */
export function hotpathToCeiling(
  hotpath: ThroughputResult | null | undefined,
  ceiling: CeilingResult | null | undefined,
): number | null {
  const hot = hotpath?.measurements;
  const ceilings = ceiling?.measurements;
  if (hot && ceilings && hot.length === ceilings.length && hot.length > 1) {
    const pairs = hot.map((h, i) => h / Math.max(1, ceilings[i] as number)).sort((a, b) => a - b);
    const middle = pairs.length / 2;
    const median =
      pairs.length % 2 === 1
        ? (pairs[Math.floor(middle)] as number)
        : ((pairs[middle - 1] as number) + (pairs[middle] as number)) / 2;
    return Math.round(median * 1000) / 1000;
  }
  return ratio(hotpath?.eventsPerSecond, ceiling?.eventsPerSecond);
}
