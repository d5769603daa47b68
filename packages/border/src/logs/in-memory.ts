import type { EgressLog, EgressLogEntry } from './egress-log.ts';
import { type Quarantine, type QuarantineEntry, quarantineSortKey } from './quarantine.ts';

/** In-memory {@link EgressLog} for tests: `entries` holds the latest state of every batch, by batch id and time. */
export interface InMemoryEgressLog extends EgressLog {
  readonly entries: EgressLogEntry[];
}

/** Creates an {@link InMemoryEgressLog}. */
export function createInMemoryEgressLog(): InMemoryEgressLog {
  const entries: EgressLogEntry[] = [];
  const find = (entry: Pick<EgressLogEntry, 'batchId' | 'sentAt'>) =>
    entries.findIndex((e) => e.batchId === entry.batchId && e.sentAt === entry.sentAt);
  return {
    entries,
    async begin(entry) {
      entries.push({ ...entry, status: 'sending' });
    },
    async finish(entry, outcome) {
      const index = find(entry);
      const next = { ...entry, ...outcome };
      if (index >= 0) entries[index] = next;
      else entries.push(next);
    },
  };
}

/** In-memory {@link Quarantine} for tests: one entry per stream position. */
export interface InMemoryQuarantine extends Quarantine {
  readonly entries: Map<string, QuarantineEntry>;
}

/** Creates an {@link InMemoryQuarantine}. */
export function createInMemoryQuarantine(): InMemoryQuarantine {
  const entries = new Map<string, QuarantineEntry>();
  return {
    entries,
    async put(list) {
      for (const entry of list) entries.set(quarantineSortKey(entry), entry);
    },
  };
}
