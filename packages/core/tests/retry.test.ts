import { describe, expect, it } from 'vitest';
import { backoffCeilingMillis, fullJitterBackoffMillis, InvariantError, retry } from '../src/index.ts';

const bounds = { baseDelayMillis: 100, maxDelayMillis: 1_000 };

/** A fake clock that sleeping moves forward; records the sleeps. */
function fakeTime(random = 0.5) {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: { nowMillis: () => now },
    sleep: async (millis: number) => {
      sleeps.push(millis);
      now += millis;
    },
    random: () => random,
  };
}

describe('backoff', () => {
  it('doubles the ceiling per retry up to the cap', () => {
    // Act
    const ceilings = [1, 2, 3, 4, 5, 60].map((n) => backoffCeilingMillis(n, bounds));
    // Assess
    expect(ceilings).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoffCeilingMillis(0, bounds)).toBe(100);
  });

  it('draws full jitter in whole millis below the ceiling', () => {
    expect(fullJitterBackoffMillis(3, bounds, () => 0)).toBe(0);
    expect(fullJitterBackoffMillis(3, bounds, () => 0.999999)).toBe(399);
    expect(fullJitterBackoffMillis(9, bounds, () => 0.5)).toBe(500);
  });
});

describe('retry', () => {
  it('retries a retryable outcome with growing backoff until it is not', async () => {
    // Prepare
    const time = fakeTime(0.5);
    let left = 3;
    // Act
    const result = await retry(async () => --left, {
      ...bounds,
      ...time,
      maxAttempts: 10,
      retryable: (n) => n > 0,
    });
    // Assess
    expect(result).toEqual({ value: 0, attempts: 3, exhausted: false });
    expect(time.sleeps).toEqual([50, 100]);
  });

  it('stops at the attempt limit with the last outcome', async () => {
    // Prepare
    const time = fakeTime(0.999);
    // Act
    const result = await retry(async (n) => `failure ${n}`, {
      ...bounds,
      ...time,
      maxAttempts: 4,
      retryable: () => true,
    });
    // Assess
    expect(result).toEqual({ value: 'failure 4', attempts: 4, exhausted: true });
    expect(time.sleeps).toEqual([99, 199, 399]);
  });

  it('does not sleep into the deadline nor start an attempt after it', async () => {
    // Prepare
    const time = fakeTime(0.999);
    const deadline = time.clock.nowMillis() + 1_000;
    // Act
    const result = await retry(async () => 'down', {
      ...bounds,
      ...time,
      deadlineAtMillis: deadline,
      retryable: () => true,
    });
    // Assess: 99 + 199 + 399 = 697; another 799 would end past the deadline.
    expect(result).toEqual({ value: 'down', attempts: 4, exhausted: true });
    expect(time.clock.nowMillis()).toBeLessThan(deadline);
  });

  it('stops when a late timer ends past the deadline', async () => {
    // Prepare
    const time = fakeTime(0.5);
    const deadline = time.clock.nowMillis() + 1_000;
    const lateSleep = async (millis: number) => time.sleep(millis + 2_000);
    // Act
    const result = await retry(async () => 'down', {
      ...bounds,
      ...time,
      sleep: lateSleep,
      deadlineAtMillis: deadline,
      retryable: () => true,
    });
    // Assess
    expect(result.attempts).toBe(1);
    expect(result.exhausted).toBe(true);
  });

  it('stops when aborted, also in the middle of a real sleep', async () => {
    // Prepare
    const controller = new AbortController();
    const started = Date.now();
    // Act
    const result = await retry(
      async (n) => {
        if (n === 1) setTimeout(() => controller.abort(), 20);
        return 'down';
      },
      {
        baseDelayMillis: 60_000,
        maxDelayMillis: 60_000,
        maxAttempts: 5,
        random: () => 0.5,
        signal: controller.signal,
        retryable: () => true,
      },
    );
    // Assess
    expect(result).toEqual({ value: 'down', attempts: 1, exhausted: true });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('lets exceptions through: they are bugs or real failures, not retryable outcomes', async () => {
    const time = fakeTime();
    const run = retry(
      async () => {
        throw new TypeError('bug');
      },
      { ...bounds, ...time, maxAttempts: 3, retryable: () => true },
    );
    await expect(run).rejects.toThrow('bug');
    expect(time.sleeps).toEqual([]);
  });

  it('Precondition: refuses unbounded retries', async () => {
    const run = retry(async () => 1, { ...bounds, retryable: () => true });
    await expect(run).rejects.toThrow(InvariantError);
  });
});
