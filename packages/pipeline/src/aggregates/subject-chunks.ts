import { randomBytes } from 'node:crypto';
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
  /** The entry put on a page: the subjects it adds to the cell, or none once they are sealed. */
  entry: PartialEntry;
  /**
   * The partial as the writer holds it from now on: the cell's unsealed subjects, all of them, so
   * that the next entry need only add what is new (none once they are sealed).
   */
  fenced: FencedPartial;
  chunks: SubjectsChunkItem[];
}

/** What the writer holds of a cell before a write (see `HeldPartial`). */
export interface StoredCell {
  entry: PartialEntry;
  fenced: FencedPartial;
}

/**
 * What a planned write puts. The write's partial holds the cell's unsealed subjects: the stored
 * ones and the batch's. When they come to more than `sealBytes`, all of them go to new chunks,
 * numbered on from the stored partial's `sealedSubjects`, each at most `sealBytes`; the entry then
 * holds none and counts the chunks. A cell's distinct subjects are therefore not bounded by the
 * item size.
 *
 * Each seal has an id of its own (see {@link newSealId}), in its chunks' keys and in the entry's
 * `chunkSeals`: two deliveries that seal the same cell from the same stored partial (a timed-out
 * one and its bisected retry, say) number their chunks alike but hold different subjects, and
 * whichever entry wins counts the chunks it was written with, not the other's. A retry of the same
 * planned write puts the same items again; a new delivery's chunks are new items, and the ones of a
 * delivery that lost are not read (the table's TTL deletes them).
 *
 * Otherwise the entry holds only the subjects the stored partial does not (see
 * `PartialEntry.subjects`): a batch puts the subjects it adds, not every subject of the cell again.
 */
export function sealSubjects(
  shardId: string,
  write: PartialWrite,
  stored: StoredCell | undefined,
  expiresAt: number,
  sealBytes = SEAL_SUBJECT_BYTES,
): SealedWrite {
  const sealed = stored?.entry.sealedSubjects ?? 0;
  const { subjects } = write.state.partial;
  // Most partials are far below the threshold: a character is at most 3 bytes of UTF-8 (a
  // surrogate pair 4 for 2), so a count of characters settles them without measuring.
  let characters = subjects.length;
  for (const subject of subjects) characters += subject.length;
  if (characters * 3 <= sealBytes) return unsealed(write, stored, sealed);
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
  if (groups.length <= 1 && bytes <= sealBytes) return unsealed(write, stored, sealed);
  const { subjects: _kept, ...rest } = partialEntryOf(write, []);
  const seal = newSealId();
  const chunks = groups.map(
    (group, i): SubjectsChunkItem => ({
      ...subjectsChunkKey(write.window, shardId, write.cellId, sealed + i, seal),
      kind: 'subjects',
      cellId: write.cellId,
      n: sealed + i,
      seal,
      subjects: new Set(group),
      expiresAt,
    }),
  );
  const chunkSeals = [...sealsOf(stored?.entry), ...chunks.map(() => seal)];
  return {
    write,
    entry: { ...rest, sealedSubjects: chunkSeals.length, chunkSeals },
    fenced: { ...write.state, partial: { ...write.state.partial, subjects: [] } },
    chunks,
  };
}

// The write's entry with the subjects the stored partial does not hold.
function unsealed(write: PartialWrite, stored: StoredCell | undefined, sealed: number): SealedWrite {
  const entry = partialEntryOf(
    write,
    newSubjects(write.state.partial.subjects, stored?.fenced.partial.subjects),
  );
  return {
    write,
    entry: sealed > 0 ? { ...entry, sealedSubjects: sealed, chunkSeals: sealsOf(stored?.entry) } : entry,
    fenced: write.state,
    chunks: [],
  };
}

/**
 * A new seal's id: 12 random base64url characters. Random rather than derived from the write, so
 * that no two seals share one, whatever their deliveries hold.
 */
export function newSealId(): string {
  return randomBytes(9).toString('base64url');
}

// The seal of each chunk an entry counts (`''` for chunks written before seals had ids).
function sealsOf(entry: PartialEntry | undefined): string[] {
  const sealed = entry?.sealedSubjects ?? 0;
  return Array.from({ length: sealed }, (_, n) => entry?.chunkSeals?.[n] ?? '');
}

/** The subjects of `all` that `held` does not have; both sorted (code unit order) and unique. */
export function newSubjects(all: readonly string[], held: readonly string[] | undefined): readonly string[] {
  if (held === undefined || held.length === 0) return all;
  const added: string[] = [];
  let h = 0;
  for (const subject of all) {
    while (h < held.length && (held[h] as string) < subject) h++;
    if (h < held.length && held[h] === subject) continue;
    added.push(subject);
  }
  return added;
}

/**
 * The entry of a held cell with all of its unsealed subjects (the ones its earlier entries added
 * too): what a compaction puts, since the pages that held those go.
 */
export function wholeEntryOf(cell: StoredCell): PartialEntry {
  const { subjects } = cell.fenced.partial;
  const { subjects: _added, ...rest } = cell.entry;
  return subjects.length > 0 ? { ...rest, subjects: [...subjects] } : rest;
}

/**
 * Bytes of the JSON of a held cell's entry with all of its unsealed subjects, from the bytes of the
 * entry as put (with the subjects it added): about what a compaction would write for it.
 */
export function wholeBytesOf(cell: StoredCell, entryBytes: number): number {
  return entryBytes - subjectBytes(cell.entry.subjects ?? []) + subjectBytes(cell.fenced.partial.subjects);
}

// A subject's bytes in a JSON array of tokens: its characters (tokens are ASCII), quotes and comma.
function subjectBytes(subjects: readonly string[]): number {
  let bytes = 0;
  for (const subject of subjects) bytes += subject.length + 3;
  return bytes;
}
