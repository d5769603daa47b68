import type { FencedPartial, PartialWrite } from '@residency/core/aggregates';
import { type PartialEntry, partialEntryOf, type SubjectsChunkItem } from './items.ts';
import { subjectsChunkKey } from './keys.ts';

/**
 * Bytes of subject tokens a partial keeps before it seals them into chunks, and the most a chunk
 * holds: a third of DynamoDB's 400 KB item, so that a page with the partial and each chunk stay
 * well within it (about 4,000 tokens).
 */
export const SEAL_SUBJECT_BYTES = 128 * 1024;

/** What one planned write puts: its chunks of sealed subjects (first), then the partial's entry. */
export interface SealedWrite {
  write: PartialWrite;
  entry: PartialEntry;
  /** The partial as the entry holds it (no subjects once they are sealed), for the store's copy. */
  fenced: FencedPartial;
  chunks: SubjectsChunkItem[];
}

/**
 * What a planned write puts. When the partial's unsealed subjects come to more than
 * `sealBytes`, all of them go to new chunks, numbered on from the stored partial's
 * `sealedSubjects`, each at most `sealBytes`; the partial then keeps none and counts the chunks.
 * A cell's distinct subjects are therefore not bounded by the item size. Chunk numbers depend only
 * on the stored partial, so a retried write puts the same chunk keys again (the partial, put last,
 * decides which chunks count).
 */
export function sealSubjects(
  shardId: string,
  write: PartialWrite,
  stored: PartialEntry | undefined,
  expiresAt: number,
  sealBytes = SEAL_SUBJECT_BYTES,
): SealedWrite {
  const entry = partialEntryOf(write);
  const sealed = stored?.sealedSubjects ?? 0;
  const { subjects } = write.state.partial;
  // Most partials are far below the threshold: a character is at most 3 bytes of UTF-8 (a
  // surrogate pair 4 for 2), so a count of characters settles them without measuring.
  const unsealed: SealedWrite = {
    write,
    entry: sealed > 0 ? { ...entry, sealedSubjects: sealed } : entry,
    fenced: write.state,
    chunks: [],
  };
  let characters = subjects.length;
  for (const subject of subjects) characters += subject.length;
  if (characters * 3 <= sealBytes) return unsealed;
  const groups: string[][] = [];
  let bytes = 0;
  for (const subject of subjects) {
    const size = Buffer.byteLength(subject) + 1;
    const last = groups.at(-1);
    if (!last || bytes + size > sealBytes) {
      groups.push([subject]);
      bytes = size;
    } else {
      last.push(subject);
      bytes += size;
    }
  }
  if (groups.length <= 1 && bytes <= sealBytes) return unsealed;
  const { subjects: _kept, ...rest } = entry;
  const chunks = groups.map((group, i) => ({
    ...subjectsChunkKey(write.window, shardId, write.cellId, sealed + i),
    kind: 'subjects' as const,
    cellId: write.cellId,
    n: sealed + i,
    subjects: new Set(group),
    expiresAt,
  }));
  return {
    write,
    entry: { ...rest, sealedSubjects: sealed + chunks.length },
    fenced: { ...write.state, partial: { ...write.state.partial, subjects: [] } },
    chunks,
  };
}
