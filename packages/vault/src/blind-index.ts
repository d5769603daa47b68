import { keyedMac, needs } from '@residency/core';

/** Index key versions look like `v1`, `v2`, ... */
export const INDEX_VERSION_PATTERN = /^v[1-9][0-9]{0,5}$/;

/**
 * Computes blind indexes under one version of the index key: HMAC-SHA256 over the kind and the
 * normalized value, as 64 hex characters. Keyed, so it can be stored; without the key it cannot
 * be recomputed from a guessed identifier (a bare hash could, by enumerating phone numbers).
 */
export interface BlindIndexer {
  /** The index key version, e.g. `v1`. */
  readonly version: string;
  /** The blind index of a normalized identifier of `kind`. */
  blindIndex(kind: string, value: string): string;
  /** The same HMAC-SHA256 as {@link blindIndex}, as its 32 bytes. */
  mac(kind: string, value: string): Buffer;
  /** Zeroes the index key; the indexer is unusable afterwards. */
  close(): void;
}

/**
 * Creates a {@link BlindIndexer} over a 256-bit index key. The key buffer is kept (HMAC with a
 * raw key is ~1.5x faster than with a KeyObject here) and zeroed by `close`.
 *
 * Precondition: the key is 256 bits; the version matches {@link INDEX_VERSION_PATTERN}.
 * @example createBlindIndexer('v1', indexKey).blindIndex('phone', '+919876543210')
 */
export function createBlindIndexer(version: string, key: Buffer): BlindIndexer {
  needs(key.length === 32, 'Precondition: an index key is 256 bits');
  needs(INDEX_VERSION_PATTERN.test(version), 'Precondition: an index version is v1, v2, ...');
  let open = true;
  return {
    version,
    blindIndex(kind, value) {
      needs(open, 'Precondition: the index key has not been zeroed');
      return keyedMac(key, kind, value).toString('hex');
    },
    mac(kind, value) {
      needs(open, 'Precondition: the index key has not been zeroed');
      return keyedMac(key, kind, value);
    },
    close() {
      open = false;
      key.fill(0);
    },
  };
}
