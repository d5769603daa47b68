import type { BufferedRecord } from './stream-record.ts';

/** A batch on its way through invocations, retries and bisection. */
export interface PendingBatch {
  records: BufferedRecord[];
  /** Retries spent so far (bisection does not spend any). */
  retries: number;
  /** Invocations that included these records (for `approximateInvokeCount`). */
  invokeCount: number;
  /** Whether the last invocation was a function error. */
  lastFunctionError: boolean;
  /** Wait the retry backoff before invoking. */
  backoff: boolean;
}

/** How one invocation ended, once the response is read. */
export type InvocationOutcome =
  | { kind: 'success' }
  | { kind: 'partial'; lowestFailedIndex: number }
  | { kind: 'failure'; functionError: boolean };

/** The retry settings of the mapping. */
export interface RetryPolicy {
  maximumRetryAttempts: number;
  bisectBatchOnFunctionError: boolean;
}

/** What to do next with a batch after an invocation. */
export interface RetryDecision {
  /** Records that are finished and can be checkpointed. */
  succeeded: BufferedRecord[];
  /** Batches to run next, in order, before anything else from this slot. */
  next: PendingBatch[];
  /** Records to skip, after their metadata goes to the on-failure destination. */
  exhausted?: PendingBatch;
}

/**
 * Lambda's error handling for stream batches
 * (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html):
 *
 * - A partial batch response checkpoints the records before the lowest failed one and retries the
 *   rest; that retry counts against `MaximumRetryAttempts`. With bisection on as well, AWS
 *   "bisects at the returned sequence number", which is the same split.
 * - A function error with `BisectBatchOnFunctionError` splits the batch in two halves, retried one
 *   after the other; "splitting a batch does not count towards the retry quota". A single record
 *   cannot be split, so its failures count.
 * - Any other failure (a function error without bisection, a malformed response) retries the same
 *   batch and counts. When retries exceed `MaximumRetryAttempts` (unless -1) the batch is discarded.
 */
export function decideAfterInvocation(
  batch: PendingBatch,
  outcome: InvocationOutcome,
  policy: RetryPolicy,
): RetryDecision {
  const invoked = { ...batch, invokeCount: batch.invokeCount + 1 };
  if (outcome.kind === 'success') return { succeeded: batch.records, next: [] };
  if (outcome.kind === 'partial') {
    const succeeded = batch.records.slice(0, outcome.lowestFailedIndex);
    const rest = {
      ...invoked,
      records: batch.records.slice(outcome.lowestFailedIndex),
      lastFunctionError: false,
    };
    return { succeeded, ...retryOrExhaust(rest, policy) };
  }
  const failed = { ...invoked, lastFunctionError: outcome.functionError };
  if (outcome.functionError && policy.bisectBatchOnFunctionError && batch.records.length > 1) {
    const middle = Math.ceil(batch.records.length / 2);
    return {
      succeeded: [],
      next: [
        { ...failed, records: batch.records.slice(0, middle), backoff: false },
        { ...failed, records: batch.records.slice(middle), backoff: false },
      ],
    };
  }
  return { succeeded: [], ...retryOrExhaust(failed, policy) };
}

function retryOrExhaust(batch: PendingBatch, policy: RetryPolicy): Omit<RetryDecision, 'succeeded'> {
  const retried = { ...batch, retries: batch.retries + 1, backoff: true };
  if (policy.maximumRetryAttempts !== -1 && retried.retries > policy.maximumRetryAttempts) {
    return { next: [], exhausted: retried };
  }
  return { next: [retried] };
}

/** Exponential backoff before the n-th retry (1-based), capped. */
export function retryDelayMillis(retries: number, baseMillis: number, maxMillis: number): number {
  if (retries <= 0 || baseMillis === 0) return 0;
  return Math.min(maxMillis, baseMillis * 2 ** Math.min(retries - 1, 20));
}
