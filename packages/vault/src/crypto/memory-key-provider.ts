import { randomBytes } from 'node:crypto';
import { KeyServiceError } from '../errors.ts';
import { DATA_KEY_BYTES, decryptGcm, encryptGcmInto, IV_BYTES, TAG_BYTES } from './aes-gcm.ts';
import { canonicalContext, type EncryptionContext } from './encryption-context.ts';
import type { GeneratedDataKey, KeyProvider } from './key-provider.ts';

/** A {@link KeyProvider} held in memory, with call counts, for tests and in-process benchmarks. */
export interface MemoryKeyProvider extends KeyProvider {
  /** Calls so far, by operation: `GenerateDataKey`, `Decrypt`. */
  readonly calls: Readonly<Record<'GenerateDataKey' | 'Decrypt', number>>;
}

/**
 * Creates a {@link MemoryKeyProvider}: data keys wrapped with AES-256-GCM under a random master
 * key that lives only in this object, the encryption context as AAD (so, like KMS, a wrong
 * context fails). Not for production: the master key dies with the process.
 *
 * @example const vault = createVaultWithPorts({ keys: createMemoryKeyProvider(), ... })
 */
export function createMemoryKeyProvider(
  keyArn = 'arn:aws:kms:ap-south-1:000000000000:key/memory',
): MemoryKeyProvider {
  const master = randomBytes(DATA_KEY_BYTES);
  const calls = { GenerateDataKey: 0, Decrypt: 0 };
  return {
    calls,
    async generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
      calls.GenerateDataKey += 1;
      const plaintext = randomBytes(DATA_KEY_BYTES);
      // Wrapped as IV | ciphertext | tag.
      const wrapped = Buffer.allocUnsafe(IV_BYTES + DATA_KEY_BYTES + TAG_BYTES);
      const iv = randomBytes(IV_BYTES);
      iv.copy(wrapped, 0);
      const tag = encryptGcmInto(master, iv, plaintext, canonicalContext(context), wrapped, IV_BYTES);
      tag.copy(wrapped, IV_BYTES + DATA_KEY_BYTES);
      return { plaintext, wrapped, keyArn };
    },
    async decrypt(wrapped: Uint8Array, context: EncryptionContext): Promise<Buffer> {
      calls.Decrypt += 1;
      const bytes = Buffer.from(wrapped);
      try {
        return decryptGcm(
          master,
          bytes.subarray(0, IV_BYTES),
          bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES),
          bytes.subarray(bytes.length - TAG_BYTES),
          canonicalContext(context),
        );
      } catch (cause) {
        throw new KeyServiceError('memory key provider: wrapped key or context does not match', 'Decrypt', {
          cause,
        });
      }
    },
  };
}
