import { LimitExceededException } from '@aws-sdk/client-kinesis';
import { ConfigurationError, RegionMismatchError } from '@residency/aws';
import { VaultConfigurationError } from '@residency/vault';
import { describe, expect, it } from 'vitest';
import { coldStart } from '../src/handlers/lambda-runtime.ts';
import { recordingLogger } from './support/recording-logger.ts';

/** An init whose attempts the test settles one by one, in order. */
function controlledInit<T>() {
  const attempts: Array<{ resolve(value: T): void; reject(error: unknown): void }> = [];
  const init = () =>
    new Promise<T>((resolve, reject) => {
      attempts.push({ resolve, reject });
    });
  return { init, attempts };
}

/** What DescribeStreamSummary throws past its 20 TPS per account, with a message it must not log. */
const throttled = () =>
  new LimitExceededException({
    message: 'Rate exceeded for stream events-P-0001 under account 000000000000',
    $metadata: { httpStatusCode: 400 },
  });

describe('coldStart', () => {
  it('runs the init again at the next invocation after a transient failure, and keeps the success', async () => {
    // Prepare: the import-time attempt is still running when the first batch arrives.
    const { logger, lines } = recordingLogger();
    const { init, attempts } = controlledInit<string>();
    const ready = coldStart(init, logger);

    // Act: the first attempt is throttled, the second succeeds.
    const first = ready();
    attempts[0]?.reject(throttled());
    await expect(first).rejects.toBeInstanceOf(LimitExceededException);
    const second = ready();
    attempts[1]?.resolve('handler');

    // Assess
    await expect(second).resolves.toBe('handler');
    await expect(ready()).resolves.toBe('handler');
    expect(attempts).toHaveLength(2);
    expect(lines).toEqual([
      {
        level: 'error',
        message: 'cold start failed; the next invocation tries again',
        attributes: { errorName: 'LimitExceededException', httpStatus: 400 },
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain('P-0001');
  });

  it('retries at the first invocation when the import-time init failed before any batch arrived', async () => {
    // Prepare
    const { logger } = recordingLogger();
    let calls = 0;
    const ready = coldStart(async () => {
      calls += 1;
      if (calls === 1) throw new Error('socket hang up');
      return calls;
    }, logger);
    await new Promise((resolve) => setImmediate(resolve));

    // Act / Assess
    await expect(ready()).resolves.toBe(2);
    expect(calls).toBe(2);
  });

  it('turns a synchronous throw of the init into a failed attempt, retried at the next invocation', async () => {
    let calls = 0;
    const ready = coldStart(() => {
      calls += 1;
      if (calls === 1) throw new TypeError('not wired yet');
      return Promise.resolve('handler');
    }, recordingLogger().logger);
    await new Promise((resolve) => setImmediate(resolve));

    await expect(ready()).resolves.toBe('handler');
    expect(calls).toBe(2);
  });

  it.each([
    [
      'ConfigurationError',
      () => new ConfigurationError('missing or invalid environment variables: KEY_ARN', 'KEY_ARN'),
    ],
    ['RegionMismatchError', () => new RegionMismatchError('KMS key', 'eu-central-1', 'ap-south-1')],
    [
      'VaultConfigurationError',
      () => new VaultConfigurationError('the audit log needs its own table', 'auditTableName'),
    ],
  ])('remembers a %s: every invocation refuses with it and the init never runs again', async (name, make) => {
    // Prepare
    const { logger, lines } = recordingLogger();
    const refusal = make();
    let calls = 0;
    const ready = coldStart(async () => {
      calls += 1;
      throw refusal;
    }, logger);

    // Act: three batches, one after the other.
    const reasons: unknown[] = [];
    for (let i = 0; i < 3; i += 1) reasons.push(await ready().catch((error: unknown) => error));

    // Assess: the same error each time, one init, and the reason logged (it names settings only).
    for (const reason of reasons) expect(reason).toBe(refusal);
    expect(reasons).toHaveLength(3);
    expect(calls).toBe(1);
    expect(lines).toEqual(
      Array(3).fill({
        level: 'error',
        message: 'refusing to start',
        attributes: { errorName: name, reason: refusal.message },
      }),
    );
  });
});
