import { type Clock, needs } from '@residency/core';

/** Options of {@link createRotatingDataKey}. */
export interface RotatingDataKeyOptions<M extends { readonly key: Buffer }> {
  /** Makes a new data key (one KMS GenerateDataKey, and whatever must happen before first use). */
  generate: () => Promise<M>;
  clock: Clock;
  /** A data key encrypts for at most this long after it was made. */
  dataKeyMaxAgeSeconds: number;
  /** A data key encrypts at most this many values. */
  dataKeyMaxMessages: number;
}

/**
 * The encrypting side of envelope encryption: one current data key, bounded in age and uses,
 * zeroed when retired. Serves the vault's entries and the pipeline's quarantined payloads.
 */
export interface RotatingDataKey<M extends { readonly key: Buffer }> {
  /**
   * Runs `use` synchronously with a data key that is within its lifetime and has `messages`
   * uses left, which are counted as spent. Generates a new key first when needed: one KMS call
   * per key lifetime, shared by concurrent callers.
   *
   * Precondition: 1 ≤ messages ≤ dataKeyMaxMessages.
   */
  withDataKey<T>(messages: number, use: (material: M) => T): Promise<T>;
  /** Data keys generated so far. */
  readonly generated: number;
  /** Zeroes the current key; later calls generate a new one. */
  close(): void;
}

/**
 * Creates a {@link RotatingDataKey}. Keys are used only inside the synchronous `use` callback,
 * so a retired key can be zeroed the moment its successor is in place.
 *
 * @example
 * const dataKey = createRotatingDataKey({ generate, clock, dataKeyMaxAgeSeconds: 300, dataKeyMaxMessages: 10_000 });
 * const sealed = await dataKey.withDataKey(1, (material) => seal(material.key, plaintext));
 */
export function createRotatingDataKey<M extends { readonly key: Buffer }>(
  options: RotatingDataKeyOptions<M>,
): RotatingDataKey<M> {
  const maxAgeMillis = options.dataKeyMaxAgeSeconds * 1000;
  const maxMessages = options.dataKeyMaxMessages;
  needs(maxAgeMillis > 0, 'Precondition: dataKeyMaxAgeSeconds is positive');
  needs(
    Number.isInteger(maxMessages) && maxMessages > 0,
    'Precondition: dataKeyMaxMessages is a positive integer',
  );
  let current: { material: M; createdAtMillis: number; used: number } | undefined;
  let pending: Promise<void> | undefined;
  let generated = 0;

  const usable = (messages: number) =>
    current !== undefined &&
    options.clock.nowMillis() - current.createdAtMillis < maxAgeMillis &&
    current.used + messages <= maxMessages;

  async function rotate(): Promise<void> {
    const material = await options.generate();
    const retired = current;
    current = { material, createdAtMillis: options.clock.nowMillis(), used: 0 };
    generated += 1;
    // Safe to zero now: keys are only ever used inside a synchronous `use` callback.
    retired?.material.key.fill(0);
  }

  return {
    async withDataKey<T>(messages: number, use: (material: M) => T): Promise<T> {
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
