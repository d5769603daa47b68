import { ConfigurationError } from '@residency/aws';
import { afterEach, describe, expect, it } from 'vitest';
import { createColdStart, VaultConfigurationError } from '../src/index.ts';

/** A start function that counts its calls and answers each with the next of `outcomes`. */
function countingStart(...outcomes: Array<() => Promise<string>>) {
  let calls = 0;
  const start = () => {
    const outcome = outcomes[Math.min(calls, outcomes.length - 1)] as () => Promise<string>;
    calls += 1;
    return outcome();
  };
  return { start, calls: () => calls };
}

/** Failures told to `onFailure`, in order. */
function recordingFailures() {
  const failures: Array<{ error: unknown; remembered: boolean }> = [];
  return {
    failures,
    onFailure: (error: unknown, remembered: boolean) => failures.push({ error, remembered }),
  };
}

/** Lets pending promise reactions and Node's unhandled-rejection check run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  unhandled.length = 0;
});

describe('createColdStart', () => {
  it('remembers a configuration failure: every call fails with it and start runs once', async () => {
    // Prepare
    const refusal = new VaultConfigurationError('the audit log needs its own table', 'auditTableName');
    const { start, calls } = countingStart(() => Promise.reject(refusal));
    const { failures, onFailure } = recordingFailures();
    const ready = createColdStart(start, { onFailure });

    // Act
    const reasons: unknown[] = [];
    for (let i = 0; i < 3; i += 1) reasons.push(await ready().catch((error: unknown) => error));

    // Assess
    expect(reasons).toEqual([refusal, refusal, refusal]);
    expect(calls()).toBe(1);
    expect(failures).toEqual([{ error: refusal, remembered: true }]);
  });

  it('retries a transient failure at the next call, and keeps the success', async () => {
    // Prepare
    const throttled = new Error('Rate exceeded');
    const { start, calls } = countingStart(
      () => Promise.reject(throttled),
      () => Promise.resolve('ready'),
    );
    const { failures, onFailure } = recordingFailures();
    const ready = createColdStart(start, { onFailure });

    // Act / Assess
    await expect(ready()).rejects.toBe(throttled);
    await expect(ready()).resolves.toBe('ready');
    await expect(ready()).resolves.toBe('ready');
    expect(calls()).toBe(2);
    expect(failures).toEqual([{ error: throttled, remembered: false }]);
  });

  it('gives calls made while an attempt runs that same attempt', async () => {
    // Prepare
    const { start, calls } = countingStart(() => Promise.resolve('ready'));
    const ready = createColdStart(start);

    // Act
    const answers = await Promise.all([ready(), ready(), ready()]);

    // Assess
    expect(answers).toEqual(['ready', 'ready', 'ready']);
    expect(calls()).toBe(1);
  });

  it('starts at once when eager, and the first call takes that attempt', async () => {
    // Prepare / Act
    const { start, calls } = countingStart(() => Promise.resolve('ready'));
    const ready = createColdStart(start, { eager: true });

    // Assess
    expect(calls()).toBe(1);
    await expect(ready()).resolves.toBe('ready');
    expect(calls()).toBe(1);
  });

  it('does not start until the first call when lazy (the default)', async () => {
    // Prepare
    const { start, calls } = countingStart(() => Promise.resolve('ready'));
    const ready = createColdStart(start);
    await settle();
    expect(calls()).toBe(0);

    // Act / Assess
    await expect(ready()).resolves.toBe('ready');
    expect(calls()).toBe(1);
  });

  it('handles an eager attempt that fails before anyone calls: no unhandled rejection', async () => {
    // Prepare
    process.on('unhandledRejection', onUnhandled);
    const transient = new Error('socket hang up');
    const refusal = new ConfigurationError('missing or invalid environment variables: KEY_ARN', 'KEY_ARN');
    const { failures, onFailure } = recordingFailures();

    // Act: both kinds of failure, with nobody awaiting either attempt.
    createColdStart(() => Promise.reject(transient), { eager: true, onFailure });
    createColdStart(() => Promise.reject(refusal), { eager: true, onFailure });
    await settle();

    // Assess
    expect(unhandled).toEqual([]);
    expect(failures).toEqual([
      { error: transient, remembered: false },
      { error: refusal, remembered: true },
    ]);
  });
});
