import type { FencedPartial } from '@residency/core/aggregates';
import { LRUCache } from 'lru-cache';
import type { PartialEntry } from './items.ts';

/** One cell's partial as this writer last put it (or read it). */
export interface HeldPartial {
  entry: PartialEntry;
  fenced: FencedPartial;
  /**
   * Bytes of the entry's JSON with all of the cell's unsealed subjects (`fenced` holds them; the
   * entry only those it added): about what a compaction puts for the cell.
   */
  bytes: number;
}

/**
 * Every partial of one (window, shard), as this writer holds it: complete, so a cell not in
 * `cells` has no partial yet, and the pages they are in.
 */
export interface HeldShard {
  /** The claim token the shard item carried when these were put. */
  claim: string;
  cells: Map<string, HeldPartial>;
  /** The (window, shard)'s page items in the table, by sort key, with their bytes of entries. */
  pages: Map<string, number>;
}

/** Default of the bytes a store keeps between batches: 64 MiB. */
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

/** Options of {@link createPartialCache}. */
export interface PartialCacheOptions {
  /** Approximate bytes of partials kept (see {@link approximateBytes}). Default: 64 MiB. */
  maxBytes?: number;
}

/**
 * The partials one writer put, per (window, shard) by the shard item's key text, so that the next
 * batch of the same shard need not read them again. An entry is only as good as its claim: the
 * store uses it when the shard item's `writer` still holds that claim (no other writer claimed the
 * (window, shard) since), and reads the pages from the table otherwise. Least recently used
 * (window, shard)s go first when the bound is reached; an evicted one is read again, so the bound
 * trades memory for reads.
 */
export function createPartialCache(options: PartialCacheOptions = {}) {
  const entries = new LRUCache<string, HeldShard>({
    maxSize: Math.max(1, Math.floor(options.maxBytes ?? DEFAULT_CACHE_BYTES)),
    sizeCalculation: (held) => {
      let bytes = 1_024 + held.pages.size * 128;
      for (const cell of held.cells.values()) bytes += approximateBytes(cell);
      return Math.max(1, bytes);
    },
  });
  return {
    /** The (window, shard) of `key` if it was put under `claim`; a stale one is dropped. */
    valid(key: string, claim: string | undefined): HeldShard | undefined {
      const held = entries.get(key);
      if (!held) return undefined;
      if (claim !== undefined && held.claim === claim) return held;
      entries.delete(key);
      return undefined;
    },
    /** Keeps (or keeps again, after a change, so that its size is counted anew) a (window, shard). */
    set: (key: string, held: HeldShard) => void entries.set(key, held),
    delete: (key: string) => void entries.delete(key),
  };
}

/**
 * What a held partial takes in memory, roughly: its subjects' strings dominate (the entry's are
 * some of the fenced partial's, shared).
 */
export function approximateBytes(cell: Pick<HeldPartial, 'entry' | 'fenced'>): number {
  return 1_024 + cell.fenced.partial.subjects.length * 96 + (cell.entry.subjects?.length ?? 0) * 8;
}
