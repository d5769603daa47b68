/**
 * Tracks which records of one shard are finished (processed, or skipped after an on-failure
 * record) and derives the checkpoint: the highest sequence number before which nothing is
 * pending. With a parallelization factor above 1, records finish out of read order, so the
 * checkpoint only advances over a contiguous prefix (a restart may redeliver a few finished
 * records, never skip an unfinished one).
 */
export interface ShardProgress {
  /** Registers a record just read; returns its position. */
  add(sequenceNumber: string): number;
  /** Marks positions finished; returns the new checkpoint when it advanced. */
  finish(positions: Iterable<number>): string | undefined;
  /** Records read but not finished (buffered, in flight, or waiting for a retry). */
  readonly unfinished: number;
  /** Last checkpointed sequence number, if any. */
  readonly checkpoint: string | undefined;
}

const COMPACT_AFTER = 4096;

/** Creates a {@link ShardProgress}, starting from a stored checkpoint when there is one. */
export function createShardProgress(initialCheckpoint?: string): ShardProgress {
  let sequences: string[] = [];
  let finished: boolean[] = [];
  let base = 0; // position of sequences[0]
  let head = 0; // index of the first unfinished record
  let added = 0;
  let finishedCount = 0;
  let checkpoint = initialCheckpoint;
  return {
    add(sequenceNumber) {
      sequences.push(sequenceNumber);
      finished.push(false);
      added += 1;
      return base + sequences.length - 1;
    },
    finish(positions) {
      for (const position of positions) {
        const index = position - base;
        if (index < head || index >= finished.length || finished[index]) continue;
        finished[index] = true;
        finishedCount += 1;
      }
      const before = head;
      while (head < finished.length && finished[head]) head += 1;
      if (head === before) return undefined;
      checkpoint = sequences[head - 1];
      if (head >= COMPACT_AFTER) {
        sequences = sequences.slice(head);
        finished = finished.slice(head);
        base += head;
        head = 0;
      }
      return checkpoint;
    },
    get unfinished() {
      return added - finishedCount;
    },
    get checkpoint() {
      return checkpoint;
    },
  };
}
