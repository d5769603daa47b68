import { type Clock, needs } from '@residency/core';
import { type BlindIndexer, createBlindIndexer, INDEX_VERSION_PATTERN } from '../blind-index.ts';
import type { VaultStore } from '../store/vault-store.ts';
import type { EncryptionContext } from './encryption-context.ts';
import type { KeyProvider } from './key-provider.ts';

/**
 * What a keyring's keys are for: blind indexes (`IK#<version>`) or keyed tokens (`TK#<version>`).
 * Each purpose has keys of its own, bound to it by the encryption context.
 */
export type KeyringPurpose = 'index-key' | 'token-key';

const ID_PREFIXES: Record<KeyringPurpose, string> = { 'index-key': 'IK#', 'token-key': 'TK#' };

/** Options of {@link createIndexKeyring}. */
export interface IndexKeyringOptions {
  vault: string;
  keys: KeyProvider;
  store: VaultStore;
  clock: Clock;
  /** Default `index-key`. */
  purpose?: KeyringPurpose;
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

/** The encryption context of an index key (or, with `purpose`, of a token key). */
export function indexKeyContext(
  vault: string,
  version: string,
  purpose: KeyringPurpose = 'index-key',
): EncryptionContext {
  return { vault, purpose, version };
}

/**
 * Creates an {@link IndexKeyring}. An index key is a KMS data key stored only wrapped, at
 * `IK#<version>` (a token key at `TK#<version>`). The first process to need a version creates it
 * with a conditional put; concurrent cold starts that lose the race zero their own key and unwrap
 * the winner's.
 */
export function createIndexKeyring(options: IndexKeyringOptions): IndexKeyring {
  const purpose = options.purpose ?? 'index-key';
  const indexers = new Map<string, BlindIndexer>();
  const loading = new Map<string, Promise<BlindIndexer>>();
  let unwraps = 0;

  async function load(version: string): Promise<Buffer> {
    const context = indexKeyContext(options.vault, version, purpose);
    const id = `${ID_PREFIXES[purpose]}${version}`;
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
