import { type Clock, needs } from '@residency/core';
import { LRUCache } from 'lru-cache';
import { DecryptionError } from '../errors.ts';
import type { VaultStore } from '../store/vault-store.ts';
import { DATA_KEY_BYTES } from './aes-gcm.ts';
import { dataKeyContext } from './data-key-cache.ts';
import type { DataKeyMaterial } from './envelope.ts';
import type { KeyProvider } from './key-provider.ts';

/** Options of {@link createDataKeyResolver}. */
export interface DataKeyResolverOptions {
  vault: string;
  keys: KeyProvider;
  store: VaultStore;
  clock: Clock;
  /** Unwrapped data keys kept for decryption. Default 64. */
  maxKeys?: number;
  /** An unwrapped key is dropped (and zeroed) this long after it was unwrapped. Default 300. */
  dataKeyMaxAgeSeconds?: number;
}

/** The decrypting side of envelope encryption: data keys by id, unwrapped through KMS once and kept a bounded time. */
export interface DataKeyResolver {
  /** Runs `use` synchronously with the data key `idHex`, unwrapping it first if needed. */
  withDataKey<T>(idHex: string, use: (material: DataKeyMaterial) => T): Promise<T>;
  /** Keeps a copy of a key this process just generated, so reading back its own entries needs no KMS call. */
  seed(material: DataKeyMaterial): void;
  /** Zeroes every key held. */
  close(): void;
}

interface Held {
  material: DataKeyMaterial;
  loadedAtMillis: number;
}

/** Creates a {@link DataKeyResolver}. */
export function createDataKeyResolver(options: DataKeyResolverOptions): DataKeyResolver {
  const maxAgeMillis = (options.dataKeyMaxAgeSeconds ?? 300) * 1000;
  const held = new LRUCache<string, Held>({
    max: options.maxKeys ?? 64,
    dispose: (value) => value.material.key.fill(0),
  });
  const loading = new Map<string, Promise<void>>();

  const fresh = (idHex: string): Held | undefined => {
    const entry = held.get(idHex);
    if (entry && options.clock.nowMillis() - entry.loadedAtMillis >= maxAgeMillis) {
      held.delete(idHex);
      return undefined;
    }
    return entry;
  };

  async function load(idHex: string): Promise<void> {
    const record = await options.store.getWrappedKey(`DK#${idHex}`);
    if (!record) throw new DecryptionError(`data key ${idHex} is not in the vault`);
    const key = await options.keys.decrypt(record.wrapped, dataKeyContext(options.vault, idHex));
    needs(key.length === DATA_KEY_BYTES, 'Postcondition: an unwrapped data key is 256 bits');
    held.set(idHex, {
      material: { id: Buffer.from(idHex, 'hex'), idHex, key },
      loadedAtMillis: options.clock.nowMillis(),
    });
  }

  return {
    async withDataKey<T>(idHex: string, use: (material: DataKeyMaterial) => T): Promise<T> {
      for (let attempt = 0; ; attempt++) {
        const entry = fresh(idHex);
        // Used synchronously right after the lookup: an eviction cannot zero it in between.
        if (entry) return use(entry.material);
        needs(attempt < 3, 'Postcondition: a loaded data key is available to its caller');
        let promise = loading.get(idHex);
        if (!promise) {
          promise = load(idHex).finally(() => loading.delete(idHex));
          loading.set(idHex, promise);
        }
        await promise;
      }
    },
    seed(material: DataKeyMaterial) {
      held.set(material.idHex, {
        material: { id: material.id, idHex: material.idHex, key: Buffer.from(material.key) },
        loadedAtMillis: options.clock.nowMillis(),
      });
    },
    close() {
      held.clear();
    },
  };
}
