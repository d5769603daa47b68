import {
  type Clock,
  type CompiledCatalog,
  systemClock,
  type TokenPort,
  type ValidateOptions,
} from '@residency/core';
import { DEFAULT_WINDOW_SECONDS } from '@residency/core/aggregates';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { KinesisEnvelopeError } from '../errors.ts';
import type { PipelineLogger } from '../observability/logger.ts';
import type { PipelineMetrics } from '../observability/metrics.ts';
import type { AggregatePort, OutboxPort, QuarantinePort } from '../ports.ts';
import type { QuarantineReason } from './decode.ts';
import { KinesisEnvelopeSchema } from './envelope.ts';
import { type BatchSummary, processBatch, type RetryStage } from './process-batch.ts';

/** What the ingest handler is built from. Every dependency is a port, so tests and the local runtime wire their own. */
export interface IngestDependencies {
  catalog: CompiledCatalog;
  tokenPort: TokenPort;
  outbox: OutboxPort;
  quarantine: QuarantinePort;
  aggregates: AggregatePort;
  logger: PipelineLogger;
  metrics: PipelineMetrics;
  /** Now, for lateness (windows are event time) and quarantine timestamps. Default: the system clock. */
  clock?: Clock;
  /** Tenant → country for local phone formats. Default: `BD` for every tenant. */
  validateOptions?: ValidateOptions;
  /** Aggregate window length in seconds; must match the window closer's. Default: 60. */
  windowSeconds?: number;
}

/** A Kinesis handler that answers with a partial batch response (`ReportBatchItemFailures`). */
export type IngestHandler = (
  event: KinesisStreamEvent,
  context?: Context,
) => Promise<KinesisStreamBatchResponse>;

/**
 * Builds the ingest handler from its ports. Records of the batch (one shard, in order) are
 * validated, tokenized in one vault call, mapped and put on the outbox; malformed ones are
 * quarantined (never retried, never forwarded, never blocking); the aggregates are updated
 * exactly once per record. Transient failures come back as `batchItemFailures`, so Lambda
 * resumes from the lowest failed record (never throw for them: that would retry the whole batch).
 *
 * The event source mapping must use `FunctionResponseTypes: ['ReportBatchItemFailures']` and
 * `ParallelizationFactor: 1` (the aggregate fence is per shard and needs the shard's order).
 *
 * @example
 * const handler = createIngestHandler({ catalog: clinicbook, tokenPort, outbox, quarantine, aggregates, logger, metrics });
 * const response = await handler(kinesisEvent);
 */
export function createIngestHandler(deps: IngestDependencies): IngestHandler {
  const windowSeconds = deps.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
  return async (event) => {
    const parsed = KinesisEnvelopeSchema.safeParse(event);
    if (!parsed.success) {
      throw new KinesisEnvelopeError(
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })),
      );
    }
    const records = parsed.data.Records;
    if (records.length === 0) return { batchItemFailures: [] };
    try {
      const summary = await processBatch(records, {
        ...deps,
        validateOptions: deps.validateOptions ?? {},
        windowSeconds,
        clock: deps.clock ?? systemClock,
      });
      report(summary, deps);
      return {
        batchItemFailures: summary.outcomes.flatMap((outcome, index) =>
          outcome.kind === 'retryable'
            ? [{ itemIdentifier: summary.positions[index]?.sequenceNumber ?? '' }]
            : [],
        ),
      };
    } finally {
      deps.metrics.flush();
    }
  };
}

function report(summary: BatchSummary, deps: IngestDependencies): void {
  const { metrics, logger } = deps;
  const counts = { forwarded: 0, quarantined: 0, retried: 0 };
  // Tallied here, counted once per dimension value: a metrics call per record cost microseconds.
  const forwardedByType = new Map<string, number>();
  const quarantinedByReason = new Map<QuarantineReason, number>();
  const retriedByStage = new Map<RetryStage, number>();
  const tally = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);
  metrics.count('RecordsReceived', summary.outcomes.length);
  for (const outcome of summary.outcomes) {
    if (outcome.kind === 'forwarded') {
      counts.forwarded += 1;
      tally(forwardedByType, outcome.eventType);
    } else if (outcome.kind === 'quarantined') {
      counts.quarantined += 1;
      tally(quarantinedByReason, outcome.reason);
    } else {
      counts.retried += 1;
      tally(retriedByStage, outcome.stage);
    }
  }
  for (const [eventType, n] of forwardedByType) metrics.count('RecordsForwarded', n, { eventType });
  for (const [reason, n] of quarantinedByReason) metrics.count('RecordsQuarantined', n, { reason });
  for (const [stage, n] of retriedByStage) metrics.count('RecordsRetried', n, { stage });
  metrics.count('TokenRequests', summary.tokenRequests);
  metrics.count('AggregateEventsApplied', summary.aggregates.applied);
  metrics.count('AggregateDuplicatesSkipped', summary.aggregates.duplicates);
  metrics.count('AggregateRepeatsSkipped', summary.aggregates.repeated);
  metrics.count('AggregateShardTakeovers', summary.aggregates.takeovers);
  for (const [eventType, n] of Object.entries(summary.aggregates.lateByType)) {
    metrics.count('LateEvents', n, { eventType });
  }
  const first = summary.positions[0];
  const failedAt = summary.outcomes.findIndex((o) => o.kind === 'retryable');
  logger.info('batch processed', {
    shardId: first?.shardId,
    records: summary.outcomes.length,
    ...counts,
    lateEvents: summary.aggregates.late,
    duplicateAggregateEvents: summary.aggregates.duplicates,
    repeatedAggregateEvents: summary.aggregates.repeated,
    aggregateShardTakeovers: summary.aggregates.takeovers,
    ...(failedAt >= 0 ? { retryFromSequenceNumber: summary.positions[failedAt]?.sequenceNumber } : {}),
  });
}
