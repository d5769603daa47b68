import type { BatchRetry } from '@residency/aws';
import { retry, sleepMillis } from '@residency/core';

/** First backoff delay before a retry. */
export const BACKOFF_BASE_MILLIS = 50;
/** Largest backoff delay between two attempts. */
export const BACKOFF_MAX_MILLIS = 2_000;
/** Time after which no new attempt starts. Keep it well under the function's timeout. */
export const RETRY_DEADLINE_MILLIS = 10_000;
/** Most attempts, the first included. */
export const RETRY_MAX_ATTEMPTS = 8;

/** How a call is retried: exponential backoff with full jitter, bounded by attempts and a deadline. */
export interface RetryPolicy {
  /** Default: {@link BACKOFF_BASE_MILLIS}. */
  baseDelayMillis: number;
  /** Default: {@link BACKOFF_MAX_MILLIS}. */
  maxDelayMillis: number;
  /** Default: {@link RETRY_DEADLINE_MILLIS}. */
  deadlineMillis: number;
  /** Default: {@link RETRY_MAX_ATTEMPTS}. */
  maxAttempts: number;
}

/** The defaults above. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  baseDelayMillis: BACKOFF_BASE_MILLIS,
  maxDelayMillis: BACKOFF_MAX_MILLIS,
  deadlineMillis: RETRY_DEADLINE_MILLIS,
  maxAttempts: RETRY_MAX_ATTEMPTS,
});

/** The outcome of one attempt: finished, or worth another try (with what is left to do). */
export type Attempt<T> = { done: true; value: T } | { done: false; value: T };

/** Result of {@link retryWithBackoff}: the last attempt's value, and whether retries ran out. */
export interface RetryResult<T> {
  value: T;
  attempts: number;
  /** True when the last attempt still wanted a retry (attempts or deadline exhausted). */
  exhausted: boolean;
}

/** Time and randomness, injectable for tests. */
export interface RetryEnvironment {
  nowMillis(): number;
  sleep(millis: number): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

const realEnvironment: RetryEnvironment = {
  nowMillis: () => Date.now(),
  sleep: (millis) => sleepMillis(millis),
  random: Math.random,
};

/**
 * Runs `attempt` until it is done, the attempts run out, or the next one would start after the
 * deadline, with full-jitter exponential backoff in between: {@link retry} from
 * `@residency/core` under this package's defaults and a deadline counted from the first attempt.
 * An exception thrown by `attempt` is not retried here: attempts classify their own failures.
 *
 * @example
 * const { value: failed } = await retryWithBackoff(async () => {
 *   pending = await putOnce(pending);
 *   return { done: pending.length === 0, value: pending };
 * });
 */
export async function retryWithBackoff<T>(
  attempt: (attemptNumber: number) => Promise<Attempt<T>>,
  policy: Partial<RetryPolicy> = {},
  environment: RetryEnvironment = realEnvironment,
): Promise<RetryResult<T>> {
  const { value, attempts, exhausted } = await retry(attempt, {
    ...retryBoundsOf(policy, environment),
    retryable: (outcome) => !outcome.done,
  });
  return { value: value.value, attempts, exhausted };
}

/**
 * A policy as {@link retry}'s bounds, with the deadline counted from now: what
 * {@link retryWithBackoff} runs under, and what `@residency/aws`'s batch reads and writes take.
 */
export function retryBoundsOf(
  policy: Partial<RetryPolicy> = {},
  environment: RetryEnvironment = realEnvironment,
): BatchRetry {
  const resolved = { ...DEFAULT_RETRY_POLICY, ...policy };
  return {
    baseDelayMillis: resolved.baseDelayMillis,
    maxDelayMillis: resolved.maxDelayMillis,
    maxAttempts: resolved.maxAttempts,
    deadlineAtMillis: environment.nowMillis() + resolved.deadlineMillis,
    clock: environment,
    sleep: (millis) => environment.sleep(millis),
    random: () => environment.random(),
  };
}
