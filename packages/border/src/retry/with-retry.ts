import { type Clock, systemClock } from '@residency/core';

/** First backoff ceiling: the first retry waits up to this long. */
export const RETRY_BASE_DELAY_MILLIS = 100;
/** Backoff ceilings never grow past this. */
export const RETRY_MAX_DELAY_MILLIS = 5_000;
/** Each retry's ceiling is the previous one times this. */
export const RETRY_BACKOFF_MULTIPLIER = 2;

/** What one attempt reports: done with a value, or a retryable failure and why (no data in `reason`). */
export type Attempt<T> = { done: true; value: T } | { done: false; reason: string };

/** The result of {@link withRetry}: the value, or the last failure once the deadline or attempt budget ran out. */
export type RetryOutcome<T> =
  | { ok: true; value: T; attempts: number }
  | { ok: false; reason: string; attempts: number };

/** Options of {@link withRetry}. */
export interface RetryOptions {
  /** Epoch millis after which no attempt starts and no sleep ends. Required: retries are always bounded. */
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

const defaultSleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis));

/** The backoff before retry number `retry` (1-based): full jitter under an exponential ceiling. */
export function backoffMillis(
  retry: number,
  options: Pick<RetryOptions, 'baseDelayMillis' | 'maxDelayMillis' | 'random'> = {},
): number {
  const base = options.baseDelayMillis ?? RETRY_BASE_DELAY_MILLIS;
  const max = options.maxDelayMillis ?? RETRY_MAX_DELAY_MILLIS;
  const ceiling = Math.min(max, base * RETRY_BACKOFF_MULTIPLIER ** Math.max(0, retry - 1));
  // Full jitter spreads retries of many forwarders apart after a shared outage.
  // https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

/**
 * Runs `attempt` until it reports done, with exponential backoff and full jitter between tries,
 * never past `deadlineMillis`. Retryable failures are values; an exception from `attempt` is a bug
 * or a real failure and propagates at once.
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
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
  let attempts = 0;
  let reason = 'deadline passed before the first attempt';
  while (attempts < maxAttempts && clock.nowMillis() < options.deadlineMillis) {
    attempts += 1;
    const result = await attempt(attempts);
    if (result.done) return { ok: true, value: result.value, attempts };
    reason = result.reason;
    if (attempts >= maxAttempts) break;
    const remaining = options.deadlineMillis - clock.nowMillis();
    if (remaining <= 0) break;
    await sleep(Math.min(remaining, backoffMillis(attempts, options)));
  }
  return { ok: false, reason, attempts };
}
