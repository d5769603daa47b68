import { interpretBatchResponse } from './batch-response.ts';
import { invokeHandler } from './invoke.ts';
import type { MappingCounters } from './mapping-stats.ts';
import { buildOnFailureRecord, type OnFailureCondition } from './on-failure-record.ts';
import type { ResolvedMappingOptions } from './options.ts';
import {
  decideAfterInvocation,
  type InvocationOutcome,
  type PendingBatch,
  retryDelayMillis,
} from './retry-decision.ts';
import { type BufferedRecord, toKinesisEvent } from './stream-record.ts';

/** What a batch run needs from its shard. */
export interface BatchRunnerContext {
  options: ResolvedMappingOptions;
  functionArn: string;
  streamArn: string;
  shardId: string;
  counters: MappingCounters;
  isStopping(): boolean;
  /** Sleeps, waking early on stop. */
  sleep(millis: number): Promise<void>;
  /** Marks records finished and checkpoints what became contiguous. */
  finish(records: readonly BufferedRecord[]): Promise<void>;
  onInvocation(delta: 1 | -1): void;
}

/** Backoff between attempts to reach a failing on-failure destination. */
const DESTINATION_RETRY_BASE_MILLIS = 100;

/**
 * Runs one batch to its end: invocations, retries, bisection, record age, and the on-failure
 * destination, as Lambda does for one batch of a shard. Records are finished only when they
 * succeeded or their metadata reached the destination; a stop in between leaves them unfinished,
 * so they are read again after a restart (at least once, never lost).
 */
export async function runBatch(records: BufferedRecord[], context: BatchRunnerContext): Promise<void> {
  const { options, counters } = context;
  const policy = {
    maximumRetryAttempts: options.maximumRetryAttempts,
    bisectBatchOnFunctionError: options.bisectBatchOnFunctionError,
  };
  const queue: PendingBatch[] = [
    { records, retries: 0, invokeCount: 0, lastFunctionError: false, backoff: false },
  ];
  while (queue.length > 0 && !context.isStopping()) {
    let batch = queue.shift() as PendingBatch;
    if (batch.backoff) {
      await context.sleep(
        retryDelayMillis(batch.retries, options.retryBaseDelayMillis, options.retryMaxDelayMillis),
      );
      if (context.isStopping()) return;
    }
    const expiredCount = countExpired(batch.records, options);
    if (expiredCount > 0) {
      const expired = { ...batch, records: batch.records.slice(0, expiredCount) };
      if (!(await discard(expired, 'RecordAgeExceeded', context))) return;
      batch = { ...batch, records: batch.records.slice(expiredCount) };
      if (batch.records.length === 0) continue;
    }
    const outcome = await invoke(batch.records, context);
    const decision = decideAfterInvocation(batch, outcome, policy);
    if (decision.succeeded.length > 0) {
      counters.recordsSucceeded += decision.succeeded.length;
      await context.finish(decision.succeeded);
    }
    if (decision.exhausted) {
      if (!(await discard(decision.exhausted, 'RetryAttemptsExhausted', context))) return;
    } else if (decision.next.length === 2) {
      counters.bisections += 1;
    } else if (decision.next.length === 1) {
      counters.retries += 1;
    }
    queue.unshift(...decision.next);
  }
}

// Records age out from the front: a batch is in arrival order.
function countExpired(records: readonly BufferedRecord[], options: ResolvedMappingOptions): number {
  if (options.maximumRecordAgeSeconds === -1) return 0;
  const oldestAllowed = options.clock() - options.maximumRecordAgeSeconds * 1000;
  let count = 0;
  while (count < records.length && (records[count] as BufferedRecord).arrivalMillis < oldestAllowed)
    count += 1;
  return count;
}

async function invoke(records: BufferedRecord[], context: BatchRunnerContext): Promise<InvocationOutcome> {
  const { options, counters } = context;
  counters.invocations += 1;
  counters.recordsDelivered += records.length;
  context.onInvocation(1);
  try {
    const result = await invokeHandler({
      handler: options.handler,
      event: toKinesisEvent(records),
      functionName: options.functionName,
      functionArn: context.functionArn,
      timeoutMillis: options.functionTimeoutMillis,
    });
    if (result.kind === 'functionError') {
      counters.functionErrors += 1;
      if (result.timedOut) counters.timeouts += 1;
      return { kind: 'failure', functionError: true };
    }
    const verdict = interpretBatchResponse(
      result.response,
      records.map((record) => record.sequenceNumber),
      options.functionResponseTypes.includes('ReportBatchItemFailures'),
    );
    if (verdict.kind === 'malformed') {
      counters.malformedResponses += 1;
      return { kind: 'failure', functionError: false };
    }
    if (verdict.kind === 'partial') counters.partialFailures += 1;
    return verdict;
  } finally {
    context.onInvocation(-1);
  }
}

async function discard(
  batch: PendingBatch,
  condition: OnFailureCondition,
  context: BatchRunnerContext,
): Promise<boolean> {
  const { options, counters } = context;
  if (options.onFailure) {
    const record = buildOnFailureRecord({
      records: batch.records,
      condition,
      invokeCount: batch.invokeCount,
      lastFunctionError: batch.lastFunctionError,
      functionArn: context.functionArn,
      streamArn: context.streamArn,
      shardId: context.shardId,
      now: options.clock(),
    });
    // The metadata is the only trace of skipped records: keep trying until it is delivered.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await options.onFailure.send(record);
        break;
      } catch (error) {
        options.logger.warn('on-failure destination failed; retrying', { shardId: context.shardId, error });
        if (context.isStopping()) return false;
        await context.sleep(
          retryDelayMillis(attempt, DESTINATION_RETRY_BASE_MILLIS, options.retryMaxDelayMillis),
        );
        if (context.isStopping()) return false;
      }
    }
  }
  counters.batchesDiscarded += 1;
  counters.recordsDiscarded += batch.records.length;
  await context.finish(batch.records);
  return true;
}
