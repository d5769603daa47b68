import { z } from 'zod';

/** Where one shard stands for one mapping. */
export const ShardCheckpointSchema = z.object({
  /** Last sequence number finished (processed, or skipped with an on-failure record). */
  sequenceNumber: z.string().regex(/^\d+$/).optional(),
  /** The shard is closed and every record in it is finished: do not read it again. */
  shardEnded: z.boolean().optional(),
});

/** See {@link ShardCheckpointSchema}. */
export type ShardCheckpoint = z.infer<typeof ShardCheckpointSchema>;

/**
 * The port through which an event source mapping keeps its per-shard position, so that a
 * restarted mapping resumes where it stopped (Lambda keeps this state for you on AWS).
 * `mappingId` separates mappings that read the same stream.
 */
export interface CheckpointStore {
  get(mappingId: string, shardId: string): Promise<ShardCheckpoint | undefined>;
  put(mappingId: string, shardId: string, checkpoint: ShardCheckpoint): Promise<void>;
}

/**
 * A {@link CheckpointStore} in memory: the default, and the fake for tests. Share one instance
 * between two mappings (or two runs of one) to resume within a process.
 *
 * @example
 * const checkpoints = createMemoryCheckpointStore();
 * createEventSourceMapping({ ..., checkpointStore: checkpoints });
 */
export function createMemoryCheckpointStore(): CheckpointStore & {
  /** A copy of everything stored, by mapping id then shard id. */
  snapshot(): Record<string, Record<string, ShardCheckpoint>>;
} {
  const mappings = new Map<string, Map<string, ShardCheckpoint>>();
  return {
    async get(mappingId, shardId) {
      const checkpoint = mappings.get(mappingId)?.get(shardId);
      return checkpoint ? { ...checkpoint } : undefined;
    },
    async put(mappingId, shardId, checkpoint) {
      let shards = mappings.get(mappingId);
      if (!shards) {
        shards = new Map();
        mappings.set(mappingId, shards);
      }
      shards.set(shardId, { ...checkpoint });
    },
    snapshot() {
      return Object.fromEntries(
        [...mappings].map(([mappingId, shards]) => [mappingId, Object.fromEntries(shards)]),
      );
    },
  };
}
