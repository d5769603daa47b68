import type { VaultStats } from '@residency/vault';
import type { CostEstimate } from '../pricing/cost.ts';
import type { StorageMeasured } from '../scenarios/hotpath.ts';
import type { CeilingResult, E2eResult, ThroughputResult } from '../scenarios/results.ts';
import type { CapacityRow } from './capacity.ts';
import type { MachineInfo } from './machine.ts';

/** Version of the JSON report format; other tools read it. Add fields, never rename or remove. */
export const REPORT_SCHEMA = 'residency.loadtest.v1';

/** The scenarios of a run. */
export type ScenarioName = 'ceiling' | 'hotpath' | 'naive' | 'e2e';

/** A measured pass with its per-million figures and price. */
export interface ScenarioReport extends ThroughputResult {
  /** All AWS API calls per million events. */
  apiCallsPerMillion: number;
  /** AWS API calls per million events by `Service.Operation`. */
  apiCallsPerMillionByOperation: Record<string, number>;
  /** KMS calls per million events. */
  kmsCallsPerMillion: number;
  costPerMillion: CostEstimate;
}

/** The workload every scenario ran on. */
export interface WorkloadInfo {
  seed: number;
  /** Events of the hot path and the ceiling (each warm pass repeats them). */
  events: number;
  /** The first this many of them, for the naive design. */
  naiveEvents: number;
  e2eEvents: number;
  batchSize: number;
  warmRepeats: number;
  /** Warm hot-path measurements; the median one is reported. */
  warmMeasurements: number;
  /** Event ids the aggregates kept per (window, shard) (the ingest's `AGGREGATE_RECENT_EVENTS`). */
  recentEvents: number;
  initialPatients: number;
  zipfExponent: number;
  /** Share of `patient.registered` events (new patients). */
  newPatientShare: number;
  /** Mean size of an input record, bytes (JSON data + partition key). */
  meanRecordBytes: number;
  /** Canary events mixed in (0 when the producer has no canary factory). */
  canaries: number;
}

/** One goal of issue 9 and how this run did. */
export interface Goal {
  id:
    | 'hotpathEventsPerSecond'
    | 'hotpathToCeiling'
    | 'hotpathToNaive'
    | 'apiCallsNaiveToOurs'
    | 'kmsCallsPerEvent'
    | 'durationSeconds';
  description: string;
  /** The threshold (a minimum, except for `kmsCallsPerEvent` and `durationSeconds`: maxima). */
  target: number;
  /** null when the scenarios it needs did not run. */
  measured: number | null;
  met: boolean | null;
  /** How far off, as text (e.g. `12% below`), when missed. */
  shortBy: string | null;
  /** Why it was missed, from the measurements, when missed. */
  why: string | null;
}

/** The hot path warm with the aggregates port a no-op (`hotpath.withoutAggregates`). */
export interface WithoutAggregates {
  eventsPerSecond: number;
  cpuMicrosPerEvent: number;
  /** Events/s of every measurement, in run order (the median is `eventsPerSecond`). */
  measurements?: number[];
}

/** The machine-readable report (`--json FILE`). Field names are documented in the package README. */
export interface LoadtestReport {
  schema: typeof REPORT_SCHEMA;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  /** Where the calls went; `vaultTable` names the vault in `units.dynamodbByTable`. */
  target: { mode: 'local' | 'aws'; region: string; vaultTable: string };
  workload: WorkloadInfo;
  ceiling: CeilingResult | null;
  hotpath:
    | (ScenarioReport & {
        handler: 'pipeline' | 'core-composition';
        cold: ScenarioReport | null;
        vaultStats: VaultStats;
        /** Stored bytes the run left (local targets only). */
        storage?: StorageMeasured;
        /**
         * The same handler, vault and cache, warm, with the aggregates port a no-op, measured as
         * often as the hot path (a counterfactual: what the aggregates cost in throughput).
         */
        withoutAggregates?: WithoutAggregates;
      })
    | null;
  naive: (ScenarioReport & { cold: ScenarioReport | null }) | null;
  e2e: (E2eResult & Omit<ScenarioReport, keyof E2eResult>) | null;
  /** Totals per million events: `ours` = hot path warm, `naive` = naive warm; `*Cold` the backfill regime. */
  apiCallsPerMillion: {
    ours: number | null;
    naive: number | null;
    oursCold: number | null;
    naiveCold: number | null;
  };
  kmsCallsPerMillion: {
    ours: number | null;
    naive: number | null;
    oursCold: number | null;
    naiveCold: number | null;
  };
  costPerMillion: {
    ours: number | null;
    naive: number | null;
    oursCold: number | null;
    naiveCold: number | null;
    region: string;
    pricesAsOf: string;
    pricesVerified: boolean;
    sources: readonly string[];
    note: string;
  };
  ratios: {
    /** hotpath.eventsPerSecond / ceiling.eventsPerSecond. */
    hotpathToCeiling: number | null;
    /** hotpath.eventsPerSecond / naive.eventsPerSecond (both warm). */
    hotpathToNaive: number | null;
    /** hotpath.cold.eventsPerSecond / naive.cold.eventsPerSecond. */
    hotpathToNaiveCold: number | null;
    /** apiCallsPerMillion.naive / apiCallsPerMillion.ours. */
    apiCallsNaiveToOurs: number | null;
    /** apiCallsPerMillion.naiveCold / apiCallsPerMillion.oursCold. */
    apiCallsNaiveToOursCold: number | null;
  };
  goals: Goal[];
  capacity: CapacityRow[];
  skipped: Array<{ scenario: ScenarioName; reason: string }>;
  notes: string[];
}
