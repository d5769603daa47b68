import { backoffCeilingMillis } from '@residency/core';

/** First backoff after a failed attempt, before jitter, in milliseconds. */
export const BACKOFF_BASE_MILLIS = 100;
/** Longest backoff between two attempts of one record, in milliseconds. */
export const BACKOFF_MAX_MILLIS = 5_000;
/** Time after acceptance past which a failing record is not tried again, in milliseconds. */
export const RETRY_DEADLINE_MILLIS = 120_000;

/** How records are retried: exponential backoff with jitter, bounded by a deadline. */
export interface RetryPolicy {
  baseDelayMillis: number;
  maxDelayMillis: number;
  deadlineMillis: number;
}

/** The default {@link RetryPolicy}, from the named constants. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMillis: BACKOFF_BASE_MILLIS,
  maxDelayMillis: BACKOFF_MAX_MILLIS,
  deadlineMillis: RETRY_DEADLINE_MILLIS,
};

/**
 * The wait before the next attempt after `attempts` failed ones: the shared exponential ceiling
 * of `@residency/core` ({@link backoffCeilingMillis}), with "equal jitter" (half fixed, half
 * random) rather than the full jitter of `retry`: a throttled shard is never hit again at once,
 * yet producers throttled together still spread out. The producer schedules retries on timers per
 * record group (ordering by partition key), so it takes only the delay, not the retry loop.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 *
 * @example backoffDelayMillis(DEFAULT_RETRY_POLICY, 3) // 200..400
 */
export function backoffDelayMillis(
  policy: RetryPolicy,
  attempts: number,
  random: () => number = Math.random,
): number {
  const exponential = backoffCeilingMillis(attempts, policy);
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/**
 * Whether an attempt starting at `attemptAtMillis` is still inside the deadline of a record
 * accepted at `startedAtMillis`.
 *
 * @example withinRetryDeadline(DEFAULT_RETRY_POLICY, acceptedAt, Date.now() + delay)
 */
export function withinRetryDeadline(
  policy: RetryPolicy,
  startedAtMillis: number,
  attemptAtMillis: number,
): boolean {
  return attemptAtMillis - startedAtMillis <= policy.deadlineMillis;
}
