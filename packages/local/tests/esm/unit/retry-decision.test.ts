import { describe, expect, it } from 'vitest';
import {
  decideAfterInvocation,
  type PendingBatch,
  retryDelayMillis,
} from '../../../src/esm/retry-decision.ts';
import type { BufferedRecord } from '../../../src/esm/stream-record.ts';

const records = (count: number) =>
  Array.from(
    { length: count },
    (_, position) => ({ sequenceNumber: String(100 + position), position }) as BufferedRecord,
  );

const batch = (count: number, overrides: Partial<PendingBatch> = {}): PendingBatch => ({
  records: records(count),
  retries: 0,
  invokeCount: 0,
  lastFunctionError: false,
  backoff: false,
  ...overrides,
});

const policy = { maximumRetryAttempts: 2, bisectBatchOnFunctionError: false };

describe('decideAfterInvocation', () => {
  it('finishes every record of a successful batch', () => {
    // Act
    const decision = decideAfterInvocation(batch(3), { kind: 'success' }, policy);
    // Assess
    expect(decision.succeeded.map((record) => record.position)).toEqual([0, 1, 2]);
    expect(decision.next).toEqual([]);
  });

  it('finishes the records before the lowest failure and retries the rest, spending a retry', () => {
    // Act
    const decision = decideAfterInvocation(batch(4), { kind: 'partial', lowestFailedIndex: 1 }, policy);
    // Assess
    expect(decision.succeeded.map((record) => record.position)).toEqual([0]);
    expect(decision.next).toHaveLength(1);
    expect(decision.next[0]?.records.map((record) => record.position)).toEqual([1, 2, 3]);
    expect(decision.next[0]).toMatchObject({ retries: 1, invokeCount: 1, backoff: true });
  });

  it('bisects a function error without spending a retry', () => {
    // Act
    const decision = decideAfterInvocation(
      batch(5, { retries: 1 }),
      { kind: 'failure', functionError: true },
      { ...policy, bisectBatchOnFunctionError: true },
    );
    // Assess
    expect(decision.next.map((half) => half.records.map((record) => record.position))).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
    expect(decision.next.map((half) => half.retries)).toEqual([1, 1]);
  });

  it('does not bisect a malformed response (not a function error)', () => {
    // Act
    const decision = decideAfterInvocation(
      batch(4),
      { kind: 'failure', functionError: false },
      { ...policy, bisectBatchOnFunctionError: true },
    );
    // Assess
    expect(decision.next).toHaveLength(1);
    expect(decision.next[0]?.records).toHaveLength(4);
  });

  it('spends retries on a single record that cannot be split', () => {
    // Act
    const decision = decideAfterInvocation(
      batch(1),
      { kind: 'failure', functionError: true },
      { ...policy, bisectBatchOnFunctionError: true },
    );
    // Assess
    expect(decision.next[0]).toMatchObject({ retries: 1 });
  });

  it('exhausts a batch once retries exceed maximumRetryAttempts', () => {
    // Act
    const decision = decideAfterInvocation(
      batch(2, { retries: 2, invokeCount: 3 }),
      { kind: 'failure', functionError: true },
      policy,
    );
    // Assess
    expect(decision.next).toEqual([]);
    expect(decision.exhausted).toMatchObject({ retries: 3, invokeCount: 4, lastFunctionError: true });
  });

  it('retries forever with maximumRetryAttempts -1', () => {
    // Act
    const decision = decideAfterInvocation(
      batch(2, { retries: 10_000 }),
      { kind: 'failure', functionError: true },
      { ...policy, maximumRetryAttempts: -1 },
    );
    // Assess
    expect(decision.exhausted).toBeUndefined();
    expect(decision.next).toHaveLength(1);
  });
});

describe('retryDelayMillis', () => {
  it('doubles from the base delay up to the cap', () => {
    // Act
    const delays = [1, 2, 3, 4, 5].map((retries) => retryDelayMillis(retries, 100, 500));
    // Assess
    expect(delays).toEqual([100, 200, 400, 500, 500]);
  });
});
