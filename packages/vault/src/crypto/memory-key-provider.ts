import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KeyServiceError } from '../errors.ts';
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
  const master = randomBytes(32);
  const calls = { GenerateDataKey: 0, Decrypt: 0 };
  return {
    calls,
    async generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
      calls.GenerateDataKey += 1;
      const plaintext = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', master, iv);
      cipher.setAAD(canonicalContext(context));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return { plaintext, wrapped: Buffer.concat([iv, body, cipher.getAuthTag()]), keyArn };
    },
    async decrypt(wrapped: Uint8Array, context: EncryptionContext): Promise<Buffer> {
      calls.Decrypt += 1;
      const bytes = Buffer.from(wrapped);
      try {
        const decipher = createDecipheriv('aes-256-gcm', master, bytes.subarray(0, 12));
        decipher.setAAD(canonicalContext(context));
        decipher.setAuthTag(bytes.subarray(bytes.length - 16));
        return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
      } catch (cause) {
        throw new KeyServiceError('memory key provider: wrapped key or context does not match', 'Decrypt', {
          cause,
        });
      }
    },
  };
}
