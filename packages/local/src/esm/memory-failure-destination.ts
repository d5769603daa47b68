import type { FailureDestination, OnFailureRecord } from './on-failure-record.ts';

/** A {@link FailureDestination} that keeps records in memory, for tests. */
export interface MemoryFailureDestination extends FailureDestination {
  /** Records received so far, oldest first. */
  readonly records: readonly OnFailureRecord[];
}

/**
 * Creates a {@link MemoryFailureDestination}.
 *
 * @example
 * const onFailure = createMemoryFailureDestination();
 * createEventSourceMapping({ ..., maximumRetryAttempts: 2, onFailure });
 * // later: onFailure.records[0].KinesisBatchInfo.startSequenceNumber
 */
export function createMemoryFailureDestination(): MemoryFailureDestination {
  const records: OnFailureRecord[] = [];
  return {
    records,
    async send(record) {
      records.push(structuredClone(record));
    },
  };
}
