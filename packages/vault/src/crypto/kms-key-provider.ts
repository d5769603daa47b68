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
      const { CiphertextBlob, KeyId } = response;
      const plaintext = takeKey(response, 'GenerateDataKey');
      try {
        needs(
          CiphertextBlob && CiphertextBlob.length > 0,
          'Postcondition: GenerateDataKey returned a wrapped key',
        );
        checkKeyId(KeyId, 'GenerateDataKey');
      } catch (error) {
        plaintext.fill(0);
        throw error;
      }
      return { plaintext, wrapped: CiphertextBlob, keyArn };
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
      const plaintext = takeKey(response, 'Decrypt');
      try {
        checkKeyId(response.KeyId, 'Decrypt');
      } catch (error) {
        plaintext.fill(0);
        throw error;
      }
      return plaintext;
    },
  };

  /**
   * Postcondition: KMS answered for the configured key (its full ARN, as KMS names it in every
   * cryptographic response). An answer naming another key, or the same key id in another region
   * or account, is refused and its plaintext zeroed: fail closed, whatever the endpoint says.
   */
  function checkKeyId(keyId: string | undefined, operation: string): void {
    if (keyId !== keyArn) {
      throw new KeyServiceError(
        `KMS ${operation} answered for a key other than the configured one`,
        operation,
      );
    }
  }
}

/**
 * Copies the plaintext key out of a KMS response and zeroes the response's buffer, whatever
 * follows. Postcondition: a 256-bit key; a key of any other length is zeroed and refused.
 */
function takeKey(response: { Plaintext?: Uint8Array }, operation: string): Buffer {
  const { Plaintext } = response;
  if (Plaintext?.length !== 32) {
    Plaintext?.fill(0);
    throw new KeyServiceError(`KMS ${operation} returned no 256-bit key`, operation);
  }
  const plaintext = Buffer.from(Plaintext);
  Plaintext.fill(0);
  return plaintext;
}
