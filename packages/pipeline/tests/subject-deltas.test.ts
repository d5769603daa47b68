import type { FencedPartial, PartialWrite } from '@residency/core/aggregates';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countsChunk,
  fencedPartialOf,
  latestOf,
  type PartialEntry,
  type SubjectsChunkItem,
} from '../src/aggregates/items.ts';
import {
  newSubjects,
  type SealedWrite,
  type StoredCell,
  sealSubjects,
  wholeEntryOf,
} from '../src/aggregates/subject-chunks.ts';

const window = { startMillis: Date.UTC(2026, 2, 1, 10), seconds: 60 };
const group = { catalog: 'clinicbook', type: 'note.added', tenantId: 't1', dimensions: {} };
const cellId = `c${'0'.repeat(32)}`;
const patient = (n: number) => `pat_${String(n).padStart(26, '0')}`;

function entry(lastSequence: number, subjects: number[], sealedSubjects?: number): PartialEntry {
  return {
    cellId,
    ...group,
    lastSequence: String(lastSequence),
    count: lastSequence,
    ...(subjects.length > 0 ? { subjects: subjects.map(patient).sort() } : {}),
    ...(sealedSubjects ? { sealedSubjects } : {}),
    metrics: {},
  };
}

// A planned write of one cell: the held partial's subjects and the batch's, as the planner makes it.
function writeOf(
  stored: StoredCell | undefined,
  sequence: number,
  subjects: readonly string[],
): PartialWrite {
  const all = new Set([...(stored?.fenced.partial.subjects ?? []), ...subjects]);
  const state: FencedPartial = {
    lastSequenceNumber: String(sequence),
    partial: { count: sequence, subjects: [...all].sort(), metrics: {} },
  };
  return {
    cellId,
    window,
    group,
    previousSequenceNumber: stored?.fenced.lastSequenceNumber,
    state,
    sequenceNumbers: [String(sequence)],
    eventIds: [],
  };
}

describe('newSubjects', () => {
  it('is the sorted difference of two sorted sets', () => {
    const sortedSet = fc.uniqueArray(fc.string({ maxLength: 4 }), { maxLength: 30 }).map((a) => a.sort());
    fc.assert(
      fc.property(sortedSet, sortedSet, (all, held) => {
        expect(newSubjects(all, held)).toEqual(all.filter((s) => !held.includes(s)));
      }),
    );
  });
});

describe('latestOf: subjects of a cell', () => {
  it('puts on the latest entry the subjects each entry since the seal added', () => {
    // Arrange: three pages of one cell, each entry adding the patients new since the one before
    const pages = [[entry(10, [1, 2])], [entry(20, [3])], [entry(30, [])]];

    // Act
    const latest = latestOf(pages).get(cellId);

    // Assert: the fence, count and seal of the latest, the subjects of all three
    expect(latest?.lastSequence).toBe('30');
    expect(latest?.count).toBe(30);
    expect(latest?.subjects).toEqual([1, 2, 3].map(patient));
  });

  it('reads entries that hold every subject (written before subjects were added as they came) the same', () => {
    const whole = [[entry(10, [1, 2])], [entry(20, [1, 2, 3])]];
    const mixed = [[entry(10, [1, 2])], [entry(20, [1, 2, 3])], [entry(30, [4])]];
    expect(latestOf(whole).get(cellId)?.subjects).toEqual([1, 2, 3].map(patient));
    expect(latestOf(mixed).get(cellId)?.subjects).toEqual([1, 2, 3, 4].map(patient));
  });

  it('leaves out the entries of an earlier seal: their subjects are in the chunks it counts', () => {
    // Arrange: subjects 1 to 3 sealed into chunk 0 by the entry at 30; 4 and 5 added since
    const pages = [[entry(10, [1, 2])], [entry(20, [3])], [entry(30, [], 1)], [entry(40, [4, 5], 1)]];

    // Act
    const latest = latestOf(pages).get(cellId);

    // Assert
    expect([latest?.subjects, latest?.sealedSubjects]).toEqual([[4, 5].map(patient), 1]);
    expect(latestOf(pages.slice(0, 3)).get(cellId)?.subjects).toBeUndefined();
  });

  it('does not change the pages it reads', () => {
    const pages = [[entry(10, [1, 2])], [entry(20, [3])]];
    const before = structuredClone(pages);
    latestOf(pages);
    expect(pages).toEqual(before);
  });
});

describe('sealSubjects: what a write puts', () => {
  it('puts only the subjects the held partial does not have, and holds all of them after', () => {
    // Arrange: a cell held with patients 1 and 2
    const first = sealSubjects(
      'shardId-000000000000',
      writeOf(undefined, 10, [1, 2].map(patient)),
      undefined,
      0,
    );

    // Act: a batch of patients 2 and 3
    const second = sealSubjects('shardId-000000000000', writeOf(first, 20, [2, 3].map(patient)), first, 0);

    // Assert
    expect(first.entry.subjects).toEqual([1, 2].map(patient));
    expect(second.entry.subjects).toEqual([patient(3)]);
    expect(second.fenced.partial.subjects).toEqual([1, 2, 3].map(patient));
    expect(wholeEntryOf(second).subjects).toEqual([1, 2, 3].map(patient));
    expect(second.chunks).toEqual([]);
  });

  it('seals every held subject once they pass the bound, and the entry then holds none', () => {
    // Arrange: 30-character tokens, a bound of 200 bytes (about 6 tokens): 4 held, 4 more come
    const held = sealSubjects(
      'shardId-000000000000',
      writeOf(undefined, 10, [1, 2, 3, 4].map(patient)),
      undefined,
      0,
      200,
    );

    // Act
    const next = sealSubjects(
      'shardId-000000000000',
      writeOf(held, 20, [5, 6, 7, 8].map(patient)),
      held,
      0,
      200,
    );

    // Assert: all 8 in chunks, none on the entry or held, and the chunks counted
    expect(next.chunks.flatMap((chunk) => [...chunk.subjects]).sort()).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map(patient),
    );
    expect([next.entry.subjects, next.fenced.partial.subjects, next.entry.sealedSubjects]).toEqual([
      undefined,
      [],
      next.chunks.length,
    ]);
  });

  it('gives the cell exactly the subjects applied, over any batches, seals and compactions (property)', () => {
    // A writer's batches of one cell, as the store runs them: entries on pages, chunks keyed by
    // number (a later one replaces an earlier of the same number), a compaction now and then
    // (every entry whole, older pages gone). The closer's reading must give every subject once.
    const batches = fc.array(
      fc.record({
        subjects: fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 12 }),
        compact: fc.boolean(),
      }),
      { minLength: 1, maxLength: 25 },
    );
    fc.assert(
      fc.property(batches, (runs) => {
        let pages: PartialEntry[][] = [];
        const chunks = new Map<string, SubjectsChunkItem>();
        let held: SealedWrite | undefined;
        const applied = new Set<string>();
        runs.forEach((run, n) => {
          const subjects = run.subjects.map(patient);
          for (const subject of subjects) applied.add(subject);
          const put = sealSubjects(
            'shardId-000000000000',
            writeOf(held, 10 * (n + 1), subjects),
            held,
            0,
            200,
          );
          for (const chunk of put.chunks) chunks.set(chunk.sk, chunk);
          if (run.compact) pages = [[wholeEntryOf(put)]];
          else pages.push([put.entry]);
          held = put;
        });
        const latest = latestOf(pages).get(cellId);
        const read = new Set(latest?.subjects ?? []);
        for (const chunk of chunks.values()) {
          if (latest && countsChunk(latest, chunk)) for (const subject of chunk.subjects) read.add(subject);
        }
        expect([...read].sort()).toEqual([...applied].sort());
      }),
    );
  });
});

describe('seals of two deliveries from one stored partial', () => {
  const shard = 'shardId-000000000000';
  const read = (pages: PartialEntry[][], chunks: Iterable<SubjectsChunkItem>) => {
    const latest = latestOf(pages).get(cellId);
    const subjects = new Set(latest?.subjects ?? []);
    for (const chunk of chunks) {
      if (latest && countsChunk(latest, chunk)) for (const subject of chunk.subjects) subjects.add(subject);
    }
    return [...subjects].sort();
  };

  it('the entry that wins counts its own chunks, whichever delivery put the same numbers last (property)', () => {
    // A writer's history, then two deliveries from its stored partial: A (a batch) and B (A's
    // first part, as a bisected retry puts it after A timed out). Both may seal; their chunks are
    // put in either order, and A's entry (the greater fence) is read. It must give every subject
    // applied up to A's fence: the history's and A's.
    const subjectsOf = fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 14 });
    fc.assert(
      fc.property(
        fc.array(subjectsOf, { maxLength: 6 }),
        subjectsOf,
        fc.integer({ min: 0, max: 14 }),
        fc.boolean(),
        (history, batch, cut, bFirst) => {
          let held: SealedWrite | undefined;
          const pages: PartialEntry[][] = [];
          const chunks = new Map<string, SubjectsChunkItem>();
          const put = (sealed: SealedWrite) => {
            for (const chunk of sealed.chunks) chunks.set(chunk.sk, chunk);
          };
          const applied = new Set<string>();
          history.forEach((subjects, n) => {
            const names = subjects.map(patient);
            for (const subject of names) applied.add(subject);
            held = sealSubjects(shard, writeOf(held, 10 * (n + 1), names), held, 0, 200);
            put(held);
            pages.push([held.entry]);
          });
          const names = batch.map(patient);
          for (const subject of names) applied.add(subject);
          const a = sealSubjects(shard, writeOf(held, 1_000, names), held, 0, 200);
          const b = sealSubjects(shard, writeOf(held, 500, names.slice(0, cut)), held, 0, 200);
          if (bFirst) [b, a].forEach(put);
          else [a, b].forEach(put);
          pages.push([b.entry], [a.entry]);
          expect(read(pages, chunks.values())).toEqual([...applied].sort());
        },
      ),
    );
  });

  it('counts the chunks of entries written before seals had ids, and of seals put on top of them', () => {
    // Arrange: a cell sealed by older code (chunks 0 and 1, no seal in key or item; an entry with
    // `sealedSubjects` and no `chunkSeals`), and a stray chunk 2 of an attempt that did not finish
    const legacyChunk = (n: number, subjects: number[]): SubjectsChunkItem => ({
      pk: 'p',
      sk: `S#${cellId}#${String(n).padStart(6, '0')}`,
      kind: 'subjects',
      cellId,
      n,
      subjects: new Set(subjects.map(patient)),
    });
    const legacy = [legacyChunk(0, [1, 2, 3]), legacyChunk(1, [4, 5, 6]), legacyChunk(2, [99])];
    const stored = entry(60, [7], 2);
    const held: StoredCell = { entry: stored, fenced: fencedPartialOf(stored) };

    // Act: this code adds a subject, then seals on top of the legacy chunks
    const added = sealSubjects(shard, writeOf(held, 70, [patient(8)]), held, 0, 200);
    const sealed = sealSubjects(
      shard,
      writeOf(added, 80, [9, 10, 11, 12, 13, 14].map(patient)),
      added,
      0,
      200,
    );

    // Assert
    expect(read([[stored]], legacy)).toEqual([1, 2, 3, 4, 5, 6, 7].map(patient));
    expect([added.entry.subjects, added.entry.chunkSeals]).toEqual([[patient(8)], ['', '']]);
    expect(read([[stored], [added.entry]], legacy)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map(patient));
    expect(sealed.entry.chunkSeals?.slice(0, 2)).toEqual(['', '']);
    expect(sealed.chunks.every((chunk) => chunk.n >= 2 && chunk.sk.endsWith(`#${chunk.seal}`))).toBe(true);
    expect(read([[stored], [added.entry], [sealed.entry]], [...legacy, ...sealed.chunks])).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14].map(patient),
    );
  });
});
