import type { QuarantineEntry, QuarantinePort } from '../ports.ts';

/** A {@link QuarantinePort} in memory (not encrypted: tests only). Keyed by shard and sequence number, like the table. */
export interface InMemoryQuarantine extends QuarantinePort {
  readonly entries: ReadonlyMap<string, QuarantineEntry>;
}

/** Creates an {@link InMemoryQuarantine}. */
export function createInMemoryQuarantine(): InMemoryQuarantine {
  const entries = new Map<string, QuarantineEntry>();
  return {
    entries,
    async put(batch) {
      for (const entry of batch)
        entries.set(`${entry.position.shardId}#${entry.position.sequenceNumber}`, entry);
      return batch.map(() => ({ ok: true as const }));
    },
  };
}
