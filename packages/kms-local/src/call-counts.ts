/**
 * Requests received by operation, keyed like @residency/aws's client-side counter
 * (`KMS.GenerateDataKey`), so both sides of a load test can be compared. Every request with a
 * known operation counts, whether it succeeded or not.
 */
export interface CallCounts {
  /** Counts one request. */
  add(operation: string): void;
  /** A copy of the counts so far, e.g. `{ 'KMS.Decrypt': 3 }`. */
  snapshot(): Record<string, number>;
  /** Sets every count back to zero. */
  reset(): void;
}

/** Creates an empty {@link CallCounts}. */
export function createCallCounts(): CallCounts {
  let counts = new Map<string, number>();
  return {
    add(operation) {
      const key = `KMS.${operation}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
    snapshot: () => Object.fromEntries(counts),
    reset() {
      counts = new Map();
    },
  };
}
