import { randomUUID } from 'node:crypto';
import { createAwsClients } from '@residency/aws';
import type { Clock, ValidateOptions } from '@residency/core';
import type { Vault, VaultStats } from '@residency/vault';
import type { KinesisStreamEvent } from 'aws-lambda';
import { createMeasuredClients, type OutboxChoice } from '../environment/clients.ts';
import type { LoadtestTarget } from '../environment/target.ts';
import type { PortMeter } from '../measure/port-meter.ts';
import { measureTable } from '../measure/table-bytes.ts';
import type { Progress } from '../progress.ts';
import { toKinesisEvents } from '../workload/kinesis-batches.ts';
import { createComposedIngest } from './composed-ingest.ts';
import { importFor } from './import-for.ts';
import { type Invoke, measurePass } from './measure-pass.ts';
import { createPipelineIngest, type PipelineIngestOptions } from './pipeline-ingest.ts';
import type { ThroughputResult } from './results.ts';

/** Options of {@link runHotpath}. */
export interface HotpathOptions {
  target: LoadtestTarget;
  /** The generated events; the cold pass sees them once, each warm pass again (with new event ids). */
  events: readonly object[];
  /** Records per invocation. */
  batchSize: number;
  /** Warm passes measured together (more events, steadier figures). Default: 4. */
  warmRepeats?: number;
  /** Warm measurements of `warmRepeats` passes each; the median by throughput is reported. Default: 5. */
  warmMeasurements?: number;
  /** Event ids the aggregates keep per (window, shard). Default: the pipeline's. */
  recentEvents?: number;
  /**
   * Called before each warm measurement of the handler (not the counterfactual's): the runner
   * measures the ceiling there, so that each measurement has a ceiling measured beside it.
   */
  beforeWarmMeasurement?: () => Promise<void>;
  /** Measure the cold pass (a fresh vault and cache); when false it still runs, unmeasured, to warm up. Default: true. */
  measureCold?: boolean;
  outbox: OutboxChoice;
  countryOf?: ValidateOptions['countryOf'];
  /**
   * The handler's clock (aggregate lateness), pinned to the workload's time so that the cold pass and
   * the first warm measurement see the same windows. Each later warm measurement moves the clock and
   * its events an hour on, into windows of their own, as the windows of a real stream roll.
   */
  clock: Clock;
  /** Which handler: the pipeline's (default) or the core composition (phases without quarantine, aggregates, logs, metrics). */
  handler?: 'pipeline' | 'core-composition';
  /**
   * Also measure the pipeline's handler warm with the aggregates port a no-op, as many times, so
   * that the report can say what the aggregates cost in events/s. Default: true.
   */
  measureWithoutAggregates?: boolean;
  progress: Progress;
}

/** What the hot path measured. */
export interface HotpathResult {
  warm: ThroughputResult;
  cold: ThroughputResult | null;
  /** Which handler ran: the pipeline's ingest handler, or the core composition (`--handler core`). */
  handler: 'pipeline' | 'core-composition';
  vaultStats: VaultStats;
  /** What the run left stored (local targets only: the tables are the run's own). */
  storage?: StorageMeasured;
  /** The pipeline's handler warm with the aggregates port a no-op (see `measureWithoutAggregates`). */
  withoutAggregates?: ThroughputResult;
}

/**
 * Billed storage the hot path left, per unit of what made it. The vault keeps an identifier's
 * items until it is erased; the aggregates keep pages, sealed subjects and window items for their
 * retention, and event logs a day.
 */
export interface StorageMeasured {
  /** Vault table bytes per identifier created (its entry, pointer and links). */
  vaultBytesPerIdentifier: number;
  /** Aggregates table bytes per event that stay for the retention (pages, subjects, windows). */
  aggregatesBytesPerEvent: number;
  /** Aggregates table bytes per event kept about a day (event logs). */
  eventLogBytesPerEvent: number;
}

/**
 * The hot path in process: the ingest handler with the real vault adapter (DynamoDB + KMS of the
 * target), invoked on real `KinesisStreamEvent`s one batch at a time. Cold: a fresh vault table
 * and an empty cache, so every identifier is new (a backfill). Warm: the same population again,
 * all in the cache (steady state with a hot working set).
 *
 * @example const result = await runHotpath({ target, events, batchSize: 2500, outbox: 'null-http', clock, progress });
 */
export async function runHotpath(options: HotpathOptions): Promise<HotpathResult> {
  const { target } = options;
  const { createVault } = await importFor('hotpath', '@residency/vault', () => import('@residency/vault'));
  const clients = createMeasuredClients(target, options.outbox);
  // Later warm measurements run an hour on per measurement (see `clock`).
  let offsetMillis = 0;
  const clock: Clock = { nowMillis: () => options.clock.nowMillis() + offsetMillis };
  const vault: Vault = createVault({
    clients: clients.aws,
    region: target.region,
    keyArn: target.keyArn,
    tableName: target.tables.vault,
    auditTableName: target.tables.audit,
  });
  try {
    const design = await createDesign({ ...options, clock }, clients, vault);
    const batchesOf = (events: readonly object[], firstSequenceNumber: bigint) =>
      [
        ...toKinesisEvents(events, {
          batchSize: options.batchSize,
          region: target.region,
          accountId: target.accountId,
          streamName: target.streams.events,
          firstSequenceNumber,
          arrivalSeconds: clock.nowMillis() / 1000,
        }),
      ].map((sized) => sized.event);
    let sequence = 49_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n;
    const next = (events: readonly object[]): KinesisStreamEvent[] => {
      const batches = batchesOf(events, sequence);
      sequence += BigInt(events.length);
      return batches;
    };
    const notes = [`handler: ${design.handler}`, `outbox: ${clients.outboxMode}`, ...design.notes];

    const coldBatches = next(options.events);
    const measureCold = options.measureCold ?? true;
    let cold: ThroughputResult | null = null;
    if (measureCold) {
      cold = await measurePass({
        name: 'hotpath cold',
        batches: coldBatches,
        invoke: design.invoke,
        clients,
        progress: options.progress,
        ...(design.ports ? { ports: design.ports } : {}),
        notes,
      });
    } else {
      await warmUp(design.invoke, coldBatches, options.progress);
    }

    let applied = options.events.length;
    const repeats = Math.max(1, options.warmRepeats ?? 4);
    const measurementCount = Math.max(1, options.warmMeasurements ?? 5);
    let hour = 0;
    // `count` warm measurements of `repeats` passes each, the median reported.
    const measureWarm = async (
      name: string,
      of: Pick<Design, 'invoke' | 'ports'>,
      notesOf: string[],
      before?: () => Promise<void>,
    ) => {
      const measurements: ThroughputResult[] = [];
      for (let m = 0; m < measurementCount; m++) {
        await before?.();
        // Each measurement in windows of its own: one (window, shard) of a real stream takes at
        // most a minute of a shard's 1,000 records/s, not the sum of every measurement.
        offsetMillis = hour++ * HOUR_MILLIS;
        const warmEvents: object[] = [];
        for (let r = 0; r < repeats; r++) {
          for (const event of options.events) warmEvents.push(shifted(event, offsetMillis));
        }
        applied += warmEvents.length;
        measurements.push(
          await measurePass({
            name,
            batches: next(warmEvents),
            invoke: of.invoke,
            clients,
            progress: options.progress,
            ...(of.ports ? { ports: of.ports } : {}),
            notes: notesOf,
          }),
        );
      }
      return medianOf(measurements);
    };
    const warm = await measureWarm('hotpath warm', design, notes, options.beforeWarmMeasurement);
    const vaultStats = vault.stats();
    const storage =
      target.mode === 'local' && design.handler === 'pipeline'
        ? await measureStorage(target, vaultStats.created, applied)
        : undefined;
    // The same handler, vault and cache with the aggregates port a no-op: how fast the rest goes.
    let withoutAggregates: ThroughputResult | undefined;
    if (design.handler === 'pipeline' && (options.measureWithoutAggregates ?? true)) {
      const counterfactual = await createPipelineIngest({
        ...pipelineOptionsOf({ ...options, clock }, clients, vault),
        aggregates: 'none',
      });
      withoutAggregates = await measureWarm('hotpath warm, no aggregates', counterfactual, [
        'handler: pipeline',
        `outbox: ${clients.outboxMode}`,
        ...counterfactual.notes,
      ]);
    }
    return {
      warm,
      cold,
      handler: design.handler,
      vaultStats,
      ...(storage ? { storage } : {}),
      ...(withoutAggregates ? { withoutAggregates } : {}),
    };
  } finally {
    vault.close();
    clients.destroy();
  }
}

const HOUR_MILLIS = 3_600_000;

// Scans the run's own vault and aggregates tables (local emulators only) with clients of its own,
// so that the scans are not counted as the hot path's calls.
async function measureStorage(
  target: LoadtestTarget,
  identifiers: number,
  events: number,
): Promise<StorageMeasured> {
  const { EVENT_LOG_SK_PREFIX } = await importFor(
    'hotpath',
    '@residency/pipeline',
    () => import('@residency/pipeline'),
  );
  const aws = createAwsClients({
    region: target.region,
    ...(target.endpoints ? { endpoints: target.endpoints } : {}),
  });
  try {
    const vault = await measureTable(aws.dynamodb, target.tables.vault);
    const aggregates = await measureTable(aws.dynamodb, target.tables.aggregates, (item) =>
      item.sk?.S?.startsWith(EVENT_LOG_SK_PREFIX) ? 'log' : 'kept',
    );
    return {
      vaultBytesPerIdentifier: (vault.all?.bytes ?? 0) / Math.max(1, identifiers),
      aggregatesBytesPerEvent: (aggregates.kept?.bytes ?? 0) / Math.max(1, events),
      eventLogBytesPerEvent: (aggregates.log?.bytes ?? 0) / Math.max(1, events),
    };
  } finally {
    aws.destroy();
  }
}

/** The event again with a new event id, `offsetMillis` later (its `occurredAt`). */
function shifted(event: object, offsetMillis: number): object {
  const occurredAt = (event as { occurredAt?: unknown }).occurredAt;
  return {
    ...event,
    eventId: randomUUID(),
    ...(offsetMillis !== 0 && typeof occurredAt === 'string'
      ? { occurredAt: new Date(Date.parse(occurredAt) + offsetMillis).toISOString() }
      : {}),
  };
}

/**
 * The measurement with the median throughput, whole (its latency, CPU, calls and phases are its
 * own), with every measurement's throughput: on a shared machine one pass can be a fifth off.
 * Warm hot-path passes and ceilings alike.
 */
export function medianOf<M extends { eventsPerSecond: number; measurements?: number[] }>(
  measurements: readonly M[],
): M {
  const sorted = [...measurements].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] as M;
  if (measurements.length === 1) return median;
  return { ...median, measurements: measurements.map((m) => m.eventsPerSecond) };
}

async function warmUp(
  invoke: Invoke,
  batches: readonly KinesisStreamEvent[],
  progress: Progress,
): Promise<void> {
  progress.start(
    'hotpath warm-up',
    batches.reduce((sum, b) => sum + b.Records.length, 0),
  );
  for (const batch of batches) {
    await invoke(batch);
    progress.advance(batch.Records.length);
  }
  progress.done();
}

interface Design {
  handler: HotpathResult['handler'];
  invoke: Invoke;
  /** The handler's timed ports (the pipeline's), so a pass says where its time went. */
  ports?: PortMeter;
  notes: string[];
}

async function createDesign(
  options: HotpathOptions,
  clients: ReturnType<typeof createMeasuredClients>,
  vault: Vault,
): Promise<Design> {
  if (options.handler === 'core-composition') {
    return {
      handler: 'core-composition',
      invoke: createComposedIngest({
        tokenPort: vault,
        clients,
        outboxStream: options.target.streams.outbox,
        ...(options.countryOf ? { countryOf: options.countryOf } : {}),
      }),
      notes: ['core composition (no quarantine, aggregates, logs, metrics): a reference, not the pipeline'],
    };
  }
  const pipeline = await createPipelineIngest(pipelineOptionsOf(options, clients, vault));
  return { handler: 'pipeline', invoke: pipeline.invoke, ports: pipeline.ports, notes: pipeline.notes };
}

function pipelineOptionsOf(
  options: HotpathOptions,
  clients: ReturnType<typeof createMeasuredClients>,
  vault: Vault,
): PipelineIngestOptions {
  return {
    target: options.target,
    clients,
    tokenPort: vault,
    clock: options.clock,
    ...(options.countryOf ? { countryOf: options.countryOf } : {}),
    ...(options.recentEvents ? { recentEvents: options.recentEvents } : {}),
  };
}
