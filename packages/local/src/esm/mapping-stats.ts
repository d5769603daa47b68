/** Progress of one shard, as `stats()` reports it. */
export interface ShardStats {
  shardId: string;
  /** Last checkpointed sequence number. */
  checkpoint: string | undefined;
  /** The shard is closed (resharding) and every record in it is finished. */
  ended: boolean;
  /** Records read but not finished yet. */
  unfinishedRecords: number;
  /** Batches being invoked (at most the parallelization factor). */
  inFlightBatches: number;
}

/** Counters of an event source mapping since `start()`; `stats()` returns a copy. */
export interface EventSourceMappingStats {
  /** Handler invocations. */
  invocations: number;
  /** Records sent to the handler, counting each delivery (retries deliver again). */
  recordsDelivered: number;
  /** Records finished by a successful invocation (or the successful part of a partial one). */
  recordsSucceeded: number;
  /** Invocations that threw, rejected or timed out. */
  functionErrors: number;
  /** Of those, invocations that timed out. */
  timeouts: number;
  /** Partial batch responses honoured (`ReportBatchItemFailures`). */
  partialFailures: number;
  /** Responses with a malformed batch item failure (the whole batch failed). */
  malformedResponses: number;
  /** Batches split in two after a function error. */
  bisections: number;
  /** Retries scheduled. */
  retries: number;
  /** Batches discarded (retries exhausted or records too old). */
  batchesDiscarded: number;
  /** Records skipped with those batches. */
  recordsDiscarded: number;
  shards: ShardStats[];
}

/** The counters without the shard list. */
export type MappingCounters = Omit<EventSourceMappingStats, 'shards'>;

/** Fresh zeroed counters. */
export function createCounters(): MappingCounters {
  return {
    invocations: 0,
    recordsDelivered: 0,
    recordsSucceeded: 0,
    functionErrors: 0,
    timeouts: 0,
    partialFailures: 0,
    malformedResponses: 0,
    bisections: 0,
    retries: 0,
    batchesDiscarded: 0,
    recordsDiscarded: 0,
  };
}
