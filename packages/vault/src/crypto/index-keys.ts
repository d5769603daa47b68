import { type Clock, needs } from '@residency/core';
import { type BlindIndexer, createBlindIndexer, INDEX_VERSION_PATTERN } from '../blind-index.ts';
import type { VaultStore } from '../store/vault-store.ts';
import type { EncryptionContext } from './encryption-context.ts';
import type { KeyProvider } from './key-provider.ts';

/** Options of {@link createIndexKeyring}. */
export interface IndexKeyringOptions {
  vault: string;
  keys: KeyProvider;
  store: VaultStore;
  clock: Clock;
}

/** Index keys by version, each unwrapped once per process (cold start) and shared by concurrent callers. */
export interface IndexKeyring {
  /** The indexer of `version`, creating the version's key on first use anywhere. */
  indexer(version: string): Promise<BlindIndexer>;
  /** The indexer of `version` if already loaded in this process. */
  loaded(version: string): BlindIndexer | undefined;
  /** KMS calls made for index keys so far (for tests and the benchmark). */
  readonly unwraps: number;
  /** Zeroes every index key held. */
  close(): void;
}

/** The encryption context of an index key. */
export function indexKeyContext(vault: string, version: string): EncryptionContext {
  return { vault, purpose: 'index-key', version };
}

/**
 * Creates an {@link IndexKeyring}. An index key is a KMS data key stored only wrapped, at
 * `IK#<version>`. The first process to need a version creates it with a conditional put;
 * concurrent cold starts that lose the race zero their own key and unwrap the winner's.
 */
export function createIndexKeyring(options: IndexKeyringOptions): IndexKeyring {
  const indexers = new Map<string, BlindIndexer>();
  const loading = new Map<string, Promise<BlindIndexer>>();
  let unwraps = 0;

  async function load(version: string): Promise<Buffer> {
    const context = indexKeyContext(options.vault, version);
    const id = `IK#${version}`;
    const existing = await options.store.getWrappedKey(id);
    if (existing) {
      unwraps += 1;
      return options.keys.decrypt(existing.wrapped, context);
    }
    const made = await options.keys.generateDataKey(context);
    unwraps += 1;
    const outcome = await options.store.putWrappedKeyIfAbsent({
      id,
      wrapped: made.wrapped,
      keyArn: made.keyArn,
      createdAtMillis: options.clock.nowMillis(),
    });
    if (outcome.outcome === 'created') return made.plaintext;
    made.plaintext.fill(0);
    unwraps += 1;
    return options.keys.decrypt(outcome.existing.wrapped, context);
  }

  return {
    async indexer(version) {
      needs(INDEX_VERSION_PATTERN.test(version), 'Precondition: an index version is v1, v2, ...');
      const ready = indexers.get(version);
      if (ready) return ready;
      let promise = loading.get(version);
      if (!promise) {
        promise = load(version)
          .then((key) => {
            const indexer = createBlindIndexer(version, key);
            indexers.set(version, indexer);
            return indexer;
          })
          .finally(() => loading.delete(version));
        loading.set(version, promise);
      }
      return promise;
    },
    loaded(version) {
      return indexers.get(version);
    },
    get unwraps() {
      return unwraps;
    },
    close() {
      for (const indexer of indexers.values()) indexer.close();
      indexers.clear();
    },
  };
}
