import { randomBytes } from 'node:crypto';
import { type Clock, needs } from '@residency/core';
import type { VaultStore } from '../store/vault-store.ts';
import { DATA_KEY_BYTES } from './aes-gcm.ts';
import type { EncryptionContext } from './encryption-context.ts';
import { DATA_KEY_ID_BYTES, type DataKeyMaterial } from './envelope.ts';
import type { KeyProvider } from './key-provider.ts';
import { createRotatingDataKey, type RotatingDataKey } from './rotating-data-key.ts';

/** Options of {@link createDataKeyCache}. */
export interface DataKeyCacheOptions {
  /** Vault name (the table name): part of every data key's encryption context. */
  vault: string;
  keys: KeyProvider;
  store: VaultStore;
  clock: Clock;
  /** A data key encrypts for at most this long after it was made. Default 300. */
  dataKeyMaxAgeSeconds?: number;
  /** A data key encrypts at most this many values. Default 100,000. */
  dataKeyMaxMessages?: number;
  /** Called with each new data key (e.g. to let the decrypt side use it without a KMS call). */
  onGenerated?: (material: DataKeyMaterial) => void;
}

/** The vault's {@link RotatingDataKey}: its keys have ids and are stored, wrapped, before first use. */
export type DataKeyCache = RotatingDataKey<DataKeyMaterial>;

/** The encryption context of a data key: the vault and the key's id. */
export function dataKeyContext(vault: string, dataKeyIdHex: string): EncryptionContext {
  return { vault, purpose: 'data-key', dataKeyId: dataKeyIdHex };
}

/** Creates a {@link DataKeyCache}. */
export function createDataKeyCache(options: DataKeyCacheOptions): DataKeyCache {
  return createRotatingDataKey({
    clock: options.clock,
    dataKeyMaxAgeSeconds: options.dataKeyMaxAgeSeconds ?? 300,
    dataKeyMaxMessages: options.dataKeyMaxMessages ?? 100_000,
    async generate(): Promise<DataKeyMaterial> {
      const id = randomBytes(DATA_KEY_ID_BYTES);
      const idHex = id.toString('hex');
      const { plaintext, wrapped, keyArn } = await options.keys.generateDataKey(
        dataKeyContext(options.vault, idHex),
      );
      try {
        needs(plaintext.length === DATA_KEY_BYTES, 'Postcondition: a data key is 256 bits');
        // Stored before first use: an envelope must never name a key that cannot be found again.
        const stored = await options.store.putWrappedKeyIfAbsent({
          id: `DK#${idHex}`,
          wrapped,
          keyArn,
          createdAtMillis: options.clock.nowMillis(),
        });
        needs(stored.outcome === 'created', 'Postcondition: a new data key id is unique');
      } catch (error) {
        plaintext.fill(0);
        throw error;
      }
      const material: DataKeyMaterial = { id, idHex, key: plaintext };
      options.onGenerated?.(material);
      return material;
    },
  });
}
