import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CheckpointStoreError } from '../errors.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { type CoalescingWriter, createCoalescingWriter } from '../fs/coalescing-writer.ts';
import { type CheckpointStore, type ShardCheckpoint, ShardCheckpointSchema } from './checkpoint-store.ts';

const CheckpointFileSchema = z.object({
  version: z.literal(1),
  mappingId: z.string(),
  shards: z.record(z.string(), ShardCheckpointSchema),
});

/** Options of {@link createFileCheckpointStore}. */
export interface FileCheckpointStoreOptions {
  /** Directory for the checkpoint files (one JSON file per mapping), e.g. `DIR/checkpoints`. */
  directory: string;
}

interface MappingFile {
  shards: Map<string, ShardCheckpoint>;
  writer: CoalescingWriter;
}

/**
 * A {@link CheckpointStore} in JSON files under the data directory, one per mapping
 * (`<directory>/<encoded mapping id>.json`), replaced atomically. Writes that arrive while one is
 * running are merged into the next, so a busy mapping does not write once per batch.
 *
 * @example createFileCheckpointStore({ directory: join(dataDir, 'checkpoints') })
 */
export function createFileCheckpointStore(options: FileCheckpointStoreOptions): CheckpointStore {
  const files = new Map<string, Promise<MappingFile>>();
  const pathOf = (mappingId: string) => join(options.directory, `${encodeURIComponent(mappingId)}.json`);

  const load = async (mappingId: string): Promise<MappingFile> => {
    const path = pathOf(mappingId);
    const shards = new Map<string, ShardCheckpoint>();
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new CheckpointStoreError(`cannot read checkpoint file ${path}`, path, { cause: error });
      }
    }
    if (text !== undefined) {
      let parsed: z.infer<typeof CheckpointFileSchema>;
      try {
        parsed = CheckpointFileSchema.parse(JSON.parse(text));
      } catch (error) {
        throw new CheckpointStoreError(`${path} is not a valid checkpoint file`, path, { cause: error });
      }
      for (const [shardId, checkpoint] of Object.entries(parsed.shards)) shards.set(shardId, checkpoint);
    }
    const writer = createCoalescingWriter(() =>
      writeFileAtomic(
        path,
        `${JSON.stringify({ version: 1, mappingId, shards: Object.fromEntries(shards) }, null, 2)}\n`,
      ),
    );
    return { shards, writer };
  };

  const fileOf = (mappingId: string) => {
    let file = files.get(mappingId);
    if (!file) {
      file = load(mappingId);
      files.set(mappingId, file);
      file.catch(() => files.delete(mappingId));
    }
    return file;
  };

  return {
    async get(mappingId, shardId) {
      const checkpoint = (await fileOf(mappingId)).shards.get(shardId);
      return checkpoint ? { ...checkpoint } : undefined;
    },
    async put(mappingId, shardId, checkpoint) {
      const file = await fileOf(mappingId);
      file.shards.set(shardId, { ...checkpoint });
      await file.writer.request();
    },
  };
}
