import { describe, expect, it } from 'vitest';
import { type RetryEnvironment, retryWithBackoff } from '../src/index.ts';

function fakeTime(random = 0.5) {
  let now = 0;
  const sleeps: number[] = [];
  const environment: RetryEnvironment = {
    nowMillis: () => now,
    sleep: async (millis) => {
      sleeps.push(millis);
      now += millis;
    },
    random: () => random,
  };
  return { environment, sleeps };
}

describe('retryWithBackoff', () => {
  it('retries with jittered exponential backoff until the attempt is done', async () => {
    // Prepare
    const { environment, sleeps } = fakeTime(0.5);
    let left = 3;

    // Act
    const result = await retryWithBackoff(
      async () => {
        left -= 1;
        return { done: left === 0, value: left };
      },
      { baseDelayMillis: 100, maxDelayMillis: 1000 },
      environment,
    );

    // Assess
    expect(result).toEqual({ value: 0, attempts: 3, exhausted: false });
    expect(sleeps).toEqual([50, 100]);
  });

  it('stops at the attempt limit, and caps the delay', async () => {
    const { environment, sleeps } = fakeTime(0.999);
    const result = await retryWithBackoff(
      async () => ({ done: false, value: 'x' }),
      {
        baseDelayMillis: 100,
        maxDelayMillis: 250,
        maxAttempts: 4,
        deadlineMillis: 60_000,
      },
      environment,
    );
    expect(result).toEqual({ value: 'x', attempts: 4, exhausted: true });
    expect(sleeps).toEqual([99, 199, 249]);
  });

  it('does not start an attempt after the deadline', async () => {
    const { environment } = fakeTime(0.999);
    const result = await retryWithBackoff(
      async () => ({ done: false, value: 1 }),
      {
        baseDelayMillis: 1000,
        maxDelayMillis: 1000,
        maxAttempts: 100,
        deadlineMillis: 2500,
      },
      environment,
    );
    expect(result.attempts).toBe(3);
    expect(result.exhausted).toBe(true);
  });
});
