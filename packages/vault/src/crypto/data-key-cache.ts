import { randomBytes } from 'node:crypto';
import { type Clock, needs } from '@residency/core';
import type { VaultStore } from '../store/vault-store.ts';
import type { EncryptionContext } from './encryption-context.ts';
import { DATA_KEY_BYTES, DATA_KEY_ID_BYTES, type DataKeyMaterial } from './envelope.ts';
import type { KeyProvider } from './key-provider.ts';

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

/** The encrypting side of envelope encryption: one current data key, bounded in age and uses. */
export interface DataKeyCache {
  /**
   * Runs `use` synchronously with a data key that is within its lifetime and has `messages`
   * uses left, which are counted as spent. Generates (and stores, wrapped) a new key first when
   * needed: one KMS call per key lifetime, shared by concurrent callers.
   *
   * Precondition: 1 ≤ messages ≤ dataKeyMaxMessages.
   */
  withDataKey<T>(messages: number, use: (material: DataKeyMaterial) => T): Promise<T>;
  /** Data keys generated so far. */
  readonly generated: number;
  /** Zeroes the current key; later calls generate a new one. */
  close(): void;
}

/** The encryption context of a data key: the vault and the key's id. */
export function dataKeyContext(vault: string, dataKeyIdHex: string): EncryptionContext {
  return { vault, purpose: 'data-key', dataKeyId: dataKeyIdHex };
}

/** Creates a {@link DataKeyCache}. */
export function createDataKeyCache(options: DataKeyCacheOptions): DataKeyCache {
  const maxAgeMillis = (options.dataKeyMaxAgeSeconds ?? 300) * 1000;
  const maxMessages = options.dataKeyMaxMessages ?? 100_000;
  needs(maxAgeMillis > 0, 'Precondition: dataKeyMaxAgeSeconds is positive');
  needs(
    Number.isInteger(maxMessages) && maxMessages > 0,
    'Precondition: dataKeyMaxMessages is a positive integer',
  );
  let current: { material: DataKeyMaterial; createdAtMillis: number; used: number } | undefined;
  let pending: Promise<void> | undefined;
  let generated = 0;

  const usable = (messages: number) =>
    current !== undefined &&
    options.clock.nowMillis() - current.createdAtMillis < maxAgeMillis &&
    current.used + messages <= maxMessages;

  async function rotate(): Promise<void> {
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
    const retired = current;
    current = { material, createdAtMillis: options.clock.nowMillis(), used: 0 };
    generated += 1;
    // Safe to zero now: keys are only ever used inside a synchronous `use` callback.
    retired?.material.key.fill(0);
    options.onGenerated?.(material);
  }

  return {
    async withDataKey<T>(messages: number, use: (material: DataKeyMaterial) => T): Promise<T> {
      needs(
        Number.isInteger(messages) && messages >= 1 && messages <= maxMessages,
        'Precondition: a lease asks for 1..dataKeyMaxMessages uses',
      );
      while (!usable(messages)) {
        pending ??= rotate().finally(() => {
          pending = undefined;
        });
        await pending;
      }
      const key = current as NonNullable<typeof current>;
      needs(
        key.material.key.some((b) => b !== 0),
        'Precondition: the data key is not zeroed',
      );
      key.used += messages;
      return use(key.material);
    },
    get generated() {
      return generated;
    },
    close() {
      current?.material.key.fill(0);
      current = undefined;
    },
  };
}
