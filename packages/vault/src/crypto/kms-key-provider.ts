import {
  DecryptCommand,
  GenerateDataKeyCommand,
  type GenerateDataKeyCommandOutput,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { needs } from '@residency/core';
import { KeyServiceError } from '../errors.ts';
import type { EncryptionContext } from './encryption-context.ts';
import type { GeneratedDataKey, KeyProvider } from './key-provider.ts';

/** Options of {@link createKmsKeyProvider}. */
export interface KmsKeyProviderOptions {
  /** A KMS client pinned to the data region. */
  kms: KMSClient;
  /** Full ARN of the customer managed key in the data region. */
  keyArn: string;
}

/**
 * The {@link KeyProvider} adapter for AWS KMS (or kms-local): GenerateDataKey (AES_256) and
 * Decrypt, with the encryption context passed to KMS, which refuses to unwrap under any other
 * (https://docs.aws.amazon.com/kms/latest/developerguide/encrypt_context.html). Decrypt names the
 * key, so a blob wrapped by another key is refused too. Key rotation needs nothing here: KMS
 * keeps every version of the key material and picks the right one from the blob.
 *
 * @example createKmsKeyProvider({ kms: clients.kms, keyArn: endpoints.keyArn })
 */
export function createKmsKeyProvider(options: KmsKeyProviderOptions): KeyProvider {
  const { kms, keyArn } = options;
  return {
    async generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
      let response: GenerateDataKeyCommandOutput;
      try {
        response = await kms.send(
          new GenerateDataKeyCommand({
            KeyId: keyArn,
            KeySpec: 'AES_256',
            EncryptionContext: { ...context },
          }),
        );
      } catch (cause) {
        throw new KeyServiceError('KMS GenerateDataKey failed', 'GenerateDataKey', { cause });
      }
      const { Plaintext, CiphertextBlob, KeyId } = response;
      needs(Plaintext?.length === 32, 'Postcondition: GenerateDataKey returned a 256-bit key');
      needs(
        CiphertextBlob && CiphertextBlob.length > 0,
        'Postcondition: GenerateDataKey returned a wrapped key',
      );
      needs(KeyId === keyArn, 'Postcondition: the data key was wrapped by the configured key');
      const plaintext = Buffer.from(Plaintext);
      Plaintext.fill(0);
      return { plaintext, wrapped: CiphertextBlob, keyArn: KeyId };
    },

    async decrypt(wrapped: Uint8Array, context: EncryptionContext): Promise<Buffer> {
      let response: { Plaintext?: Uint8Array; KeyId?: string };
      try {
        response = await kms.send(
          new DecryptCommand({ KeyId: keyArn, CiphertextBlob: wrapped, EncryptionContext: { ...context } }),
        );
      } catch (cause) {
        throw new KeyServiceError('KMS Decrypt failed', 'Decrypt', { cause });
      }
      const { Plaintext, KeyId } = response;
      needs(Plaintext?.length === 32, 'Postcondition: Decrypt returned a 256-bit key');
      needs(KeyId === keyArn, 'Postcondition: the key was unwrapped by the configured key');
      const plaintext = Buffer.from(Plaintext);
      Plaintext.fill(0);
      return plaintext;
    },
  };
}
