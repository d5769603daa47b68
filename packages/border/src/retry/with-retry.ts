import { BACKOFF_MULTIPLIER, type Clock, fullJitterBackoffMillis, retry, systemClock } from '@residency/core';

/** First backoff ceiling: the first retry waits up to this long. */
export const RETRY_BASE_DELAY_MILLIS = 100;
/** Backoff ceilings never grow past this. */
export const RETRY_MAX_DELAY_MILLIS = 5_000;
/** Each retry's ceiling is the previous one times this. */
export const RETRY_BACKOFF_MULTIPLIER = BACKOFF_MULTIPLIER;

/** What one attempt reports: done with a value, or a retryable failure and why (no data in `reason`). */
export type Attempt<T> = { done: true; value: T } | { done: false; reason: string };

/** The result of {@link withRetry}: the value, or the last failure once the deadline or attempt budget ran out. */
export type RetryOutcome<T> =
  | { ok: true; value: T; attempts: number }
  | { ok: false; reason: string; attempts: number };

/** Options of {@link withRetry}. */
export interface RetryOptions {
  /**
   * Epoch millis after which no attempt starts; a backoff that would end there is not slept, the
   * retries stop at once. Required: retries are always bounded.
   */
  deadlineMillis: number;
  /** Ceiling of the first backoff. Default: {@link RETRY_BASE_DELAY_MILLIS} (100). */
  baseDelayMillis?: number;
  /** Largest backoff ceiling. Default: {@link RETRY_MAX_DELAY_MILLIS} (5000). */
  maxDelayMillis?: number;
  /** Attempts at most, the first included. Default: unlimited (the deadline bounds it). */
  maxAttempts?: number;
  /** Uniform random in [0, 1), for the jitter. Default: `Math.random`. */
  random?: () => number;
  /** Waits. Default: `setTimeout`. */
  sleep?: (millis: number) => Promise<void>;
  /** Time source for the deadline. Default: the system clock. */
  clock?: Clock;
}

/** The backoff before retry number `retryNumber` (1-based): full jitter under an exponential ceiling. */
export function backoffMillis(
  retryNumber: number,
  options: Pick<RetryOptions, 'baseDelayMillis' | 'maxDelayMillis' | 'random'> = {},
): number {
  // Full jitter spreads retries of many forwarders apart after a shared outage.
  return fullJitterBackoffMillis(retryNumber, boundsOf(options), options.random);
}

function boundsOf(options: Pick<RetryOptions, 'baseDelayMillis' | 'maxDelayMillis'>) {
  return {
    baseDelayMillis: options.baseDelayMillis ?? RETRY_BASE_DELAY_MILLIS,
    maxDelayMillis: options.maxDelayMillis ?? RETRY_MAX_DELAY_MILLIS,
  };
}

/**
 * Runs `attempt` until it reports done, with exponential backoff and full jitter between tries,
 * never past `deadlineMillis`: {@link retry} from `@residency/core` under this package's
 * defaults. Retryable failures are values; an exception from `attempt` is a bug or a real failure
 * and propagates at once.
 *
 * @example
 * const outcome = await withRetry(() => send(batch), { deadlineMillis: Date.now() + 10_000 });
 * if (!outcome.ok) reportBatchItemFailures();
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<Attempt<T>>,
  options: RetryOptions,
): Promise<RetryOutcome<T>> {
  const clock = options.clock ?? systemClock;
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
  if (!(maxAttempts >= 1) || clock.nowMillis() >= options.deadlineMillis)
    return { ok: false, reason: 'deadline passed before the first attempt', attempts: 0 };
  const { value: last, attempts } = await retry(attempt, {
    ...boundsOf(options),
    retryable: (outcome) => !outcome.done,
    maxAttempts,
    deadlineAtMillis: options.deadlineMillis,
    clock,
    sleep: options.sleep,
    random: options.random,
  });
  return last.done ? { ok: true, value: last.value, attempts } : { ok: false, reason: last.reason, attempts };
}
