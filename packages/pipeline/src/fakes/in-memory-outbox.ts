import type { OutboxEntry, OutboxPort, OutboxResult } from '../ports.ts';

/** An {@link OutboxPort} in memory, for tests and in-process load tests. */
export interface InMemoryOutbox extends OutboxPort {
  /** Every entry accepted, in order. */
  readonly entries: readonly OutboxEntry[];
  /** Makes the next `count` entries fail (transiently), to exercise retries. */
  failNext(count: number): void;
}

/** Creates an {@link InMemoryOutbox}. */
export function createInMemoryOutbox(): InMemoryOutbox {
  const entries: OutboxEntry[] = [];
  let failures = 0;
  let sequence = 0;
  return {
    entries,
    failNext(count) {
      failures = count;
    },
    async send(batch) {
      return batch.map((entry): OutboxResult => {
        if (failures > 0) {
          failures -= 1;
          return { ok: false, errorCode: 'ProvisionedThroughputExceededException' };
        }
        entries.push(structuredClone(entry));
        sequence += 1;
        return { ok: true, shardId: 'shardId-000000000000', sequenceNumber: String(sequence) };
      });
    },
  };
}
