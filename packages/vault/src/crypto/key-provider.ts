import type { EncryptionContext } from './encryption-context.ts';

/** A fresh 256-bit data key: its plaintext (for memory only) and its wrapped form (for storage). */
export interface GeneratedDataKey {
  /** Plaintext key. The caller zeroes it when done. */
  plaintext: Buffer;
  /** The key wrapped under the master key; safe to store. */
  wrapped: Uint8Array;
  /** Full ARN of the master key that wrapped it. */
  keyArn: string;
}

/**
 * The port to the key service that holds the master key (KMS in the data region). The vault
 * calls it once per cold start (the index key) and once per data-key lifetime, never per
 * identifier. {@link createKmsKeyProvider} is the adapter; {@link createMemoryKeyProvider} the fake.
 */
export interface KeyProvider {
  /** Creates a data key bound to `context` (the same context is needed to unwrap it). */
  generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey>;
  /** Unwraps a key made by {@link generateDataKey}; fails unless `context` is the one it was made with. */
  decrypt(wrapped: Uint8Array, context: EncryptionContext): Promise<Buffer>;
}
