import { describe, expect, it } from 'vitest';
import {
  backoffMillis,
  RETRY_BASE_DELAY_MILLIS,
  RETRY_MAX_DELAY_MILLIS,
  withRetry,
} from '../../src/retry/with-retry.ts';

/** A fake clock that sleeping moves forward. */
function fakeTime(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: { nowMillis: () => now },
    sleep: async (millis: number) => {
      sleeps.push(millis);
      now += millis;
    },
    sleeps,
    advance: (millis: number) => {
      now += millis;
    },
  };
}

describe('withRetry', () => {
  it('returns the first success and the number of attempts', async () => {
    // Prepare
    const time = fakeTime();
    let calls = 0;
    // Act
    const outcome = await withRetry(
      async () => (++calls < 3 ? { done: false, reason: 'down' } : { done: true, value: 'ok' }),
      {
        deadlineMillis: time.clock.nowMillis() + 60_000,
        clock: time.clock,
        sleep: time.sleep,
        random: () => 0.5,
      },
    );
    // Assess
    expect(outcome).toEqual({ ok: true, value: 'ok', attempts: 3 });
    expect(time.sleeps).toEqual([RETRY_BASE_DELAY_MILLIS * 0.5, RETRY_BASE_DELAY_MILLIS]);
  });

  it('stops at the deadline and reports the last reason', async () => {
    // Prepare
    const time = fakeTime();
    const deadline = time.clock.nowMillis() + 1_000;
    // Act
    const outcome = await withRetry(async (n) => ({ done: false, reason: `failure ${n}` }), {
      deadlineMillis: deadline,
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0.999,
    });
    // Assess
    expect(outcome.ok).toBe(false);
    expect(outcome.attempts).toBeGreaterThan(1);
    expect(time.clock.nowMillis()).toBeLessThanOrEqual(deadline);
    if (!outcome.ok) expect(outcome.reason).toBe(`failure ${outcome.attempts}`);
  });

  it('honours maxAttempts', async () => {
    // Prepare
    const time = fakeTime();
    // Act
    const outcome = await withRetry(async () => ({ done: false, reason: 'no' }), {
      deadlineMillis: time.clock.nowMillis() + 60_000,
      maxAttempts: 2,
      clock: time.clock,
      sleep: time.sleep,
    });
    // Assess
    expect(outcome).toEqual({ ok: false, reason: 'no', attempts: 2 });
    expect(time.sleeps).toHaveLength(1);
  });

  it('lets exceptions through: they are bugs, not retryable outcomes', async () => {
    // Prepare
    const time = fakeTime();
    // Act
    const attempt = withRetry(
      async () => {
        throw new TypeError('bug');
      },
      { deadlineMillis: time.clock.nowMillis() + 1_000, clock: time.clock, sleep: time.sleep },
    );
    // Assess
    await expect(attempt).rejects.toThrow('bug');
  });
});

describe('backoffMillis', () => {
  it('grows exponentially under a cap, with full jitter', () => {
    // Prepare
    const top = () => 0.999999;
    // Act
    const ceilings = [1, 2, 3, 4, 20].map((retry) => backoffMillis(retry, { random: top }));
    // Assess
    expect(ceilings.slice(0, 4)).toEqual([99, 199, 399, 799]);
    expect(ceilings[4]).toBe(RETRY_MAX_DELAY_MILLIS - 1);
    expect(backoffMillis(3, { random: () => 0 })).toBe(0);
  });
});

describe('withRetry at the edges of its budget', () => {
  it('makes no attempt when the deadline has passed or no attempt is allowed', async () => {
    // Prepare
    const time = fakeTime();
    let calls = 0;
    const attempt = async () => {
      calls += 1;
      return { done: true as const, value: 1 };
    };
    // Act
    const late = await withRetry(attempt, { deadlineMillis: time.clock.nowMillis(), clock: time.clock });
    const none = await withRetry(attempt, {
      deadlineMillis: time.clock.nowMillis() + 1_000,
      maxAttempts: 0,
      clock: time.clock,
    });
    // Assess
    expect(late).toEqual({ ok: false, reason: 'deadline passed before the first attempt', attempts: 0 });
    expect(none.attempts).toBe(0);
    expect(calls).toBe(0);
  });

  it('gives up without sleeping a backoff that would end past the deadline', async () => {
    // Prepare
    const time = fakeTime();
    const deadline = time.clock.nowMillis() + 150;
    // Act
    const outcome = await withRetry(async () => ({ done: false, reason: 'down' }), {
      deadlineMillis: deadline,
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0.999,
    });
    // Assess: 99, then 199 would pass the deadline.
    expect(outcome).toEqual({ ok: false, reason: 'down', attempts: 2 });
    expect(time.sleeps).toEqual([99]);
  });
});
