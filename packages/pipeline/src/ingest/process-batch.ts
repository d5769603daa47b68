import {
  type Clock,
  type CompiledCatalog,
  needs,
  type OutboundRecord,
  type TokenMap,
  type TokenPort,
  tokenRequestsFor,
  toOutbound,
  type ValidatedEvent,
  type ValidateOptions,
} from '@residency/core';
import {
  type AggregateWindow,
  aggregateSpecOf,
  type Observation,
  observationOf,
  windowKeyOf,
  windowOf,
} from '@residency/core/aggregates';
import type { PipelineLogger } from '../observability/logger.ts';
import type {
  AggregatePort,
  AggregatePreparation,
  OutboxEntry,
  OutboxPort,
  QuarantineEntry,
  QuarantinePort,
} from '../ports.ts';
import { describeError } from '../support/safe-error.ts';
import { type DecodedRecord, decodeRecord, type QuarantineReason } from './decode.ts';
import { type KinesisEventRecord, positionOf, type RecordPosition } from './envelope.ts';

/** What became of one record. Retryable records are reported in `batchItemFailures`. */
export type RecordOutcome =
  | { kind: 'forwarded'; eventType: string }
  | { kind: 'quarantined'; reason: QuarantineReason }
  | { kind: 'retryable'; stage: RetryStage };

/**
 * Where a record failed. `deferred`: not attempted because an earlier record of the batch failed;
 * Lambda redelivers everything from the lowest failure anyway.
 */
export type RetryStage = 'quarantine' | 'tokenize' | 'outbox' | 'aggregate' | 'deferred';

/** Everything a batch did, for the response, the logs and the metrics. */
export interface BatchSummary {
  outcomes: RecordOutcome[];
  positions: RecordPosition[];
  tokenRequests: number;
  aggregates: {
    applied: number;
    late: number;
    duplicates: number;
    /** Records whose event another record already counts (a producer's repeat). */
    repeated: number;
    /** (window, shard)s taken over from another writer. */
    takeovers: number;
    lateByType: Record<string, number>;
  };
}

/** What {@link processBatch} works with. */
export interface BatchDependencies {
  catalog: CompiledCatalog;
  tokenPort: TokenPort;
  outbox: OutboxPort;
  quarantine: QuarantinePort;
  aggregates: AggregatePort;
  logger: PipelineLogger;
  validateOptions: ValidateOptions;
  windowSeconds: number;
  clock: Clock;
}

/**
 * One batch, in phases so that every remote call is per batch, not per record: decode all,
 * quarantine the malformed (one batched write), tokenize the valid (one vault call), put the
 * outbound records on the outbox (batched, retried), then apply the aggregates of the records
 * before the first failure. Records after a failure are redelivered by Lambda anyway, so they
 * do not touch the aggregates now (the fences would make that harmless, but this keeps the
 * applied set a prefix of the shard, which is what the fence's invariant assumes).
 */
export async function processBatch(
  records: readonly KinesisEventRecord[],
  deps: BatchDependencies,
): Promise<BatchSummary> {
  const positions = records.map(positionOf);
  const decoded: DecodedRecord[] = records.map((r) =>
    decodeRecord(r.kinesis.data, deps.catalog, deps.validateOptions),
  );
  const prepared = prepareAggregates(decoded, positions, deps);
  const outcomes: Array<RecordOutcome | undefined> = new Array(records.length);
  const fail = (index: number, stage: RetryStage) => {
    outcomes[index] = { kind: 'retryable', stage };
  };
  const lowestFailure = () => {
    const index = outcomes.findIndex((o) => o?.kind === 'retryable');
    return index === -1 ? records.length : index;
  };

  await quarantineMalformed(decoded, positions, outcomes, fail, deps);

  const valid: Array<{ index: number; event: ValidatedEvent }> = [];
  decoded.forEach((d, index) => {
    if (d.kind === 'valid') valid.push({ index, event: d.event });
  });
  const summary: BatchSummary = {
    outcomes: [],
    positions,
    tokenRequests: 0,
    aggregates: { applied: 0, late: 0, duplicates: 0, repeated: 0, takeovers: 0, lateByType: {} },
  };
  let tokens: TokenMap | undefined;
  let recordIds: readonly string[] = [];
  if (valid.length > 0) {
    const requests = tokenRequestsFor(valid.map((v) => v.event));
    summary.tokenRequests = requests.length;
    try {
      [tokens, recordIds] = await Promise.all([
        deps.tokenPort.tokenize(requests),
        deps.tokenPort.recordIds(valid.map((v) => v.event.data.eventId as string)),
      ]);
    } catch (error) {
      deps.logger.warn('tokenization failed; the batch will be retried', describeError(error));
      for (const { index } of valid) fail(index, 'tokenize');
    }
  }

  const forwarded: Forwarded[] = [];
  if (tokens) {
    needs(recordIds.length === valid.length, 'Postcondition: the token port derives one record id per event');
    const before = lowestFailure();
    const outbound: Forwarded[] = [];
    const entries: OutboxEntry[] = [];
    for (let v = 0; v < valid.length; v++) {
      const { index, event } = valid[v] as { index: number; event: ValidatedEvent };
      if (index >= before) {
        fail(index, 'deferred');
        continue;
      }
      // toOutbound throws only on a bug (a token the port did not return): let it fail the invocation.
      const record = toOutbound(event, tokens, recordIds[v] as string);
      outbound.push({ index, event, record });
      entries.push({ partitionKey: record.subject ?? record.recordId, message: { kind: 'record', record } });
    }
    const results = await deps.outbox.send(entries).catch((error: unknown) => {
      deps.logger.warn('outbox write failed; the batch will be retried', describeError(error));
      return entries.map(() => ({ ok: false as const, errorCode: 'Exception' }));
    });
    for (let i = 0; i < outbound.length; i++) {
      const sent = outbound[i] as Forwarded;
      if (!results[i]?.ok) {
        fail(sent.index, 'outbox');
        continue;
      }
      outcomes[sent.index] = forwardedOutcome(sent.event.def.type);
      forwarded.push(sent);
    }
  }

  await applyAggregates(forwarded, positions, lowestFailure(), fail, summary, deps, prepared);
  summary.outcomes = outcomes.map((o) => o ?? { kind: 'retryable', stage: 'deferred' });
  return summary;
}

// One outcome object per event type, shared: outcomes are read, never changed.
const forwardedOutcomes = new Map<string, RecordOutcome>();
function forwardedOutcome(eventType: string): RecordOutcome {
  let outcome = forwardedOutcomes.get(eventType);
  if (outcome === undefined) {
    outcome = Object.freeze({ kind: 'forwarded', eventType });
    // Event types come from the catalog, a closed set; the bound is only a guard.
    if (forwardedOutcomes.size < 1024) forwardedOutcomes.set(eventType, outcome);
  }
  return outcome;
}

/** A record the outbox took: its observation is built only if the aggregates get to it. */
interface Forwarded {
  index: number;
  event: ValidatedEvent;
  record: OutboundRecord;
}

async function quarantineMalformed(
  decoded: readonly DecodedRecord[],
  positions: readonly RecordPosition[],
  outcomes: Array<RecordOutcome | undefined>,
  fail: (index: number, stage: 'quarantine') => void,
  deps: BatchDependencies,
): Promise<void> {
  const malformed: Array<{ index: number; entry: QuarantineEntry }> = [];
  decoded.forEach((d, index) => {
    if (d.kind !== 'malformed') return;
    const position = positions[index] as RecordPosition;
    malformed.push({
      index,
      entry: {
        position,
        reason: d.reason,
        issues: d.issues,
        payload: d.payload,
        receivedAtMillis: deps.clock.nowMillis(),
        ...(d.eventType ? { eventType: d.eventType } : {}),
      },
    });
  });
  if (malformed.length === 0) return;
  const results = await deps.quarantine.put(malformed.map((m) => m.entry)).catch((error: unknown) => {
    deps.logger.warn('quarantine write failed; the records will be retried', describeError(error));
    return malformed.map(() => ({ ok: false as const, errorCode: 'Exception' }));
  });
  malformed.forEach(({ index, entry }, i) => {
    if (!results[i]?.ok) {
      fail(index, 'quarantine');
      return;
    }
    outcomes[index] = { kind: 'quarantined', reason: entry.reason };
    deps.logger.warn('record quarantined', {
      reason: entry.reason,
      issues: entry.issues,
      shardId: entry.position.shardId,
      sequenceNumber: entry.position.sequenceNumber,
      ...(entry.eventType ? { eventType: entry.eventType } : {}),
    });
  });
}

// Lets the aggregates port start reading the windows of the batch's valid events, per shard,
// before the batch tokenizes and writes its outbox (a superset of the windows it will apply).
function prepareAggregates(
  decoded: readonly DecodedRecord[],
  positions: readonly RecordPosition[],
  deps: BatchDependencies,
): Map<string, AggregatePreparation> {
  const prepared = new Map<string, AggregatePreparation>();
  const { aggregates } = deps;
  if (aggregates.prepare === undefined) return prepared;
  // By window key: a read names each key once.
  const windowsByShard = new Map<string, Map<string, AggregateWindow>>();
  decoded.forEach((d, index) => {
    if (d.kind !== 'valid') return;
    const shardId = positions[index]?.shardId ?? '';
    let windows = windowsByShard.get(shardId);
    if (windows === undefined) {
      windows = new Map();
      windowsByShard.set(shardId, windows);
    }
    const window = windowOf(d.event.occurredAtMillis, deps.windowSeconds);
    windows.set(windowKeyOf(window), window);
  });
  for (const [shardId, windows] of windowsByShard) {
    try {
      prepared.set(shardId, aggregates.prepare(shardId, [...windows.values()]));
    } catch (error) {
      // Only a read saved: `apply` reads for itself.
      deps.logger.warn('aggregate read-ahead failed; the batch reads when it applies', describeError(error));
    }
  }
  return prepared;
}

async function applyAggregates(
  forwarded: readonly Forwarded[],
  positions: readonly RecordPosition[],
  before: number,
  fail: (index: number, stage: 'aggregate') => void,
  summary: BatchSummary,
  deps: BatchDependencies,
  prepared: ReadonlyMap<string, AggregatePreparation>,
): Promise<void> {
  const byShard = new Map<string, Array<{ index: number; observation: Observation }>>();
  for (const { index, event, record } of forwarded) {
    if (index >= before) continue;
    const position = positions[index];
    const shardId = position?.shardId ?? '';
    let list = byShard.get(shardId);
    if (list === undefined) {
      list = [];
      byShard.set(shardId, list);
    }
    list.push({
      index,
      observation: observationOf(aggregateSpecOf(event.def), {
        record,
        occurredAtMillis: event.occurredAtMillis,
        sequenceNumber: position?.sequenceNumber ?? '',
        windowSeconds: deps.windowSeconds,
      }),
    });
  }
  for (const [shardId, items] of byShard) {
    const indexBySequence = new Map(items.map((i) => [i.observation.sequenceNumber, i.index]));
    try {
      // A wrapped port (a meter, a proxy) may hand the preparation over as a promise.
      const preparation = await Promise.resolve(prepared.get(shardId)).catch(() => undefined);
      const result = await deps.aggregates.apply(
        shardId,
        items.map((i) => i.observation),
        { nowMillis: deps.clock.nowMillis(), ...(preparation ? { prepared: preparation } : {}) },
      );
      summary.aggregates.applied += result.applied;
      summary.aggregates.late += result.late;
      summary.aggregates.duplicates += result.duplicates;
      summary.aggregates.repeated += result.repeated;
      summary.aggregates.takeovers += result.takeovers ?? 0;
      for (const [type, n] of Object.entries(result.lateByType)) {
        summary.aggregates.lateByType[type] = (summary.aggregates.lateByType[type] ?? 0) + n;
      }
      for (const sequence of result.retry) {
        const index = indexBySequence.get(sequence);
        if (index !== undefined) fail(index, 'aggregate');
      }
    } catch (error) {
      deps.logger.warn('aggregate update failed; the batch will be retried', describeError(error));
      for (const { index } of items) fail(index, 'aggregate');
    }
  }
}
