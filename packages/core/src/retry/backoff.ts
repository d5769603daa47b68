/** The bounds of an exponential backoff. */
export interface BackoffBounds {
  /** Ceiling of the first backoff, in milliseconds. */
  baseDelayMillis: number;
  /** Largest ceiling, in milliseconds: the exponential growth stops here. */
  maxDelayMillis: number;
}

/** Each backoff ceiling is the previous one times this. */
export const BACKOFF_MULTIPLIER = 2;

/**
 * The ceiling of the wait before retry number `retry` (1-based): `base * 2^(retry - 1)`, capped
 * at `max`. Jitter is chosen under it ({@link fullJitterBackoffMillis}).
 *
 * @example backoffCeilingMillis(3, { baseDelayMillis: 100, maxDelayMillis: 5_000 }) // 400
 */
export function backoffCeilingMillis(retry: number, bounds: BackoffBounds): number {
  return Math.min(
    bounds.maxDelayMillis,
    bounds.baseDelayMillis * BACKOFF_MULTIPLIER ** Math.max(0, retry - 1),
  );
}

/**
 * The wait before retry number `retry` (1-based), "full jitter": uniform in whole milliseconds
 * in [0, ceiling). Clients that failed together spread apart instead of retrying in step.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 *
 * @example fullJitterBackoffMillis(2, { baseDelayMillis: 100, maxDelayMillis: 5_000 }) // 0..199
 */
export function fullJitterBackoffMillis(
  retry: number,
  bounds: BackoffBounds,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * backoffCeilingMillis(retry, bounds));
}
