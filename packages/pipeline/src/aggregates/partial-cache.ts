import type { FencedPartial } from '@residency/core/aggregates';
import { LRUCache } from 'lru-cache';
import type { PartialItem } from './items.ts';

/** A partial as this writer last put it, under the claim it held on the partial's (window, shard). */
export interface CachedPartial {
  item: PartialItem;
  fenced: FencedPartial;
  /** The claim token the shard item carried when this was put. */
  claim: string;
}

/** Default of the bytes a store keeps between batches: 64 MiB. */
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

/** Options of {@link createPartialCache}. */
export interface PartialCacheOptions {
  /** Approximate bytes of partials kept (see {@link approximateBytes}). Default: 64 MiB. */
  maxBytes?: number;
}

/**
 * The partials one writer put, by table key (`pk\nsk`), so that the next batch of the same shard
 * need not read them again. An entry is only as good as its claim: the store uses it when the
 * shard item's `writer` still holds that claim (no other writer claimed the (window, shard) since),
 * and reads the item from the table otherwise. Least recently used entries go first when the
 * bound is reached; an evicted partial is read again, so the bound trades memory for reads.
 */
export function createPartialCache(options: PartialCacheOptions = {}) {
  const entries = new LRUCache<string, CachedPartial>({
    maxSize: Math.max(1, Math.floor(options.maxBytes ?? DEFAULT_CACHE_BYTES)),
    sizeCalculation: (entry) => approximateBytes(entry.item),
  });
  return {
    /** The entry of `key` if it was put under `claim`; a stale one is dropped. */
    valid(key: string, claim: string | undefined): CachedPartial | undefined {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (claim !== undefined && entry.claim === claim) return entry;
      entries.delete(key);
      return undefined;
    },
    has: (key: string) => entries.has(key),
    set: (key: string, entry: CachedPartial) => void entries.set(key, entry),
    delete: (key: string) => void entries.delete(key),
  };
}

/** What a cached partial holds in memory, roughly: its sets' strings dominate. */
export function approximateBytes(item: PartialItem): number {
  return 1_024 + (item.subjects?.size ?? 0) * 96;
}
