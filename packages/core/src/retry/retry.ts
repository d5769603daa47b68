import { needs } from '../needs.ts';
import { type Clock, systemClock } from '../ports.ts';
import { type BackoffBounds, fullJitterBackoffMillis } from './backoff.ts';

/** Options of {@link retry}. Give at least one bound: `maxAttempts` or `deadlineAtMillis`. */
export interface RetryOptions<T> extends BackoffBounds {
  /** Whether an attempt's outcome calls for another attempt (a retryable failure, work left). */
  retryable: (outcome: T) => boolean;
  /** Attempts at most, the first included. Default: unlimited (then the deadline bounds it). */
  maxAttempts?: number;
  /** Epoch millis by which the next attempt must start, or none is made. Default: none. */
  deadlineAtMillis?: number;
  /** Stops the retries: no sleep goes on and no attempt starts once it is aborted. Default: none. */
  signal?: AbortSignal;
  /** Time source for the deadline. Default: the system clock. */
  clock?: Clock;
  /** Waits, and may end early when `signal` aborts. Default: `setTimeout`. */
  sleep?: (millis: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform random in [0, 1), for the jitter. Default: `Math.random`. */
  random?: () => number;
}

/** Result of {@link retry}: the last attempt's outcome and whether it still wanted a retry. */
export interface RetryResult<T> {
  value: T;
  attempts: number;
  /** True when the last outcome was retryable but attempts, deadline or signal said stop. */
  exhausted: boolean;
}

/** Resolves after `millis`, or as soon as `signal` aborts (never rejects). */
export function sleepMillis(millis: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, millis);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `attempt` until its outcome is not `retryable`, sleeping a full-jitter exponential backoff
 * in between ({@link fullJitterBackoffMillis}). The first attempt always runs; later ones stop at
 * `maxAttempts`, when the backoff would end at or after `deadlineAtMillis` (no pointless last
 * sleep) or did, or when `signal` aborts. Retryable failures are values; an exception from `attempt` is
 * a bug or a real failure and propagates at once.
 *
 * @example
 * const { value, exhausted } = await retry(() => putOnce(pending), {
 *   retryable: (left) => left.length > 0,
 *   baseDelayMillis: 50,
 *   maxDelayMillis: 2_000,
 *   maxAttempts: 8,
 * });
 */
export async function retry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions<T>,
): Promise<RetryResult<T>> {
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
  needs(
    Number.isFinite(maxAttempts) || options.deadlineAtMillis !== undefined,
    'Precondition: retries are bounded by attempts or a deadline',
  );
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? sleepMillis;
  const deadline = options.deadlineAtMillis ?? Number.POSITIVE_INFINITY;
  for (let n = 1; ; n++) {
    const value = await attempt(n);
    if (!options.retryable(value)) return { value, attempts: n, exhausted: false };
    if (n >= maxAttempts || options.signal?.aborted) return { value, attempts: n, exhausted: true };
    const delay = fullJitterBackoffMillis(n, options, options.random);
    if (clock.nowMillis() + delay >= deadline) return { value, attempts: n, exhausted: true };
    await sleep(delay, options.signal);
    // A timer may fire late: no attempt starts past the deadline either way.
    if (options.signal?.aborted || clock.nowMillis() >= deadline)
      return { value, attempts: n, exhausted: true };
  }
}
