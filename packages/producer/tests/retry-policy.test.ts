import { describe, expect, it } from 'vitest';
import {
  BACKOFF_MAX_MILLIS,
  backoffDelayMillis,
  DEFAULT_RETRY_POLICY,
  withinRetryDeadline,
} from '../src/index.ts';

describe('retry policy', () => {
  it('backs off exponentially with equal jitter, capped', () => {
    // Act
    const low = [1, 2, 3, 4].map((n) => backoffDelayMillis(DEFAULT_RETRY_POLICY, n, () => 0));
    const high = [1, 2, 3, 4].map((n) => backoffDelayMillis(DEFAULT_RETRY_POLICY, n, () => 1));
    const capped = backoffDelayMillis(DEFAULT_RETRY_POLICY, 30, () => 1);

    // Assess
    expect(low).toEqual([50, 100, 200, 400]);
    expect(high).toEqual([100, 200, 400, 800]);
    expect(capped).toBe(BACKOFF_MAX_MILLIS);
  });

  it('stops at the deadline counted from acceptance', () => {
    expect(withinRetryDeadline(DEFAULT_RETRY_POLICY, 0, 120_000)).toBe(true);
    expect(withinRetryDeadline(DEFAULT_RETRY_POLICY, 0, 120_001)).toBe(false);
  });
});
