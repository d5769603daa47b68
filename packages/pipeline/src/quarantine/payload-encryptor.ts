import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { type Clock, needs, systemClock } from '@residency/core';
import {
  canonicalContext,
  createRotatingDataKey,
  DATA_KEY_BYTES,
  decryptGcm,
  encryptGcmInto,
  IV_BYTES,
  TAG_BYTES,
} from '@residency/vault';
import { PayloadDecryptionError } from '../errors.ts';

/** Key-value pairs a sealed payload is bound to (AES-GCM additional data). */
export type PayloadContext = Readonly<Record<string, string>>;

/** A payload sealed under a KMS data key (envelope encryption), as stored in the quarantine table. */
export interface SealedPayload {
  v: 1;
  alg: 'AES-256-GCM';
  /** The KMS key that wraps the data key. */
  keyArn: string;
  /** The data key, encrypted by KMS (`CiphertextBlob`). */
  wrappedKey: Uint8Array;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

/** Seals and opens payloads. */
export interface PayloadEncryptor {
  seal(plaintext: Uint8Array, context: PayloadContext): Promise<SealedPayload>;
  /** Opens a payload; throws `PayloadDecryptionError` unless the context is the one it was sealed with. */
  open(sealed: SealedPayload, context: PayloadContext): Promise<Uint8Array>;
}

/** Options of {@link createKmsPayloadEncryptor}. */
export interface KmsPayloadEncryptorOptions {
  kms: KMSClient;
  /** The in-region customer managed key (full ARN). */
  keyArn: string;
  /** KMS encryption context `purpose` of the data keys. Default: `residency-quarantine`. */
  purpose?: string;
  /** A data key is retired after this many seconds. Default: 300. */
  dataKeyMaxAgeSeconds?: number;
  /** A data key is retired after sealing this many payloads. Default: 10000. */
  dataKeyMaxMessages?: number;
  /** Default: the system clock. */
  clock?: Clock;
}

/** A data key as held in memory: the plaintext (never logged, zeroed when retired) and its wrapped form. */
interface PayloadDataKey {
  key: Buffer;
  wrapped: Uint8Array;
}

/**
 * Envelope encryption for quarantined payloads, on the vault's primitives: a rotating data key
 * (one KMS GenerateDataKey per lifetime, bounded by age and use count, then zeroed), AES-256-GCM
 * with a random 96-bit IV per payload, and the context bound as additional data in the vault's
 * canonical encoding (verified on open).
 *
 * Why not the vault's envelope format: the wrapped data key travels with each payload, so a
 * payload opens with a single KMS Decrypt and nothing else, and the quarantine never writes data
 * keys into the vault's table. Quarantine is the cold path, where a few hundred bytes per item do
 * not matter; the vault's denser format (data keys stored once, by id) is for the hot path.
 * Why not the vault's `KeyProvider`: KMS is called here directly so that a failed call keeps its
 * own error name in the quarantine result, and a payload is unwrapped under the key it names.
 *
 * @example const encryptor = createKmsPayloadEncryptor({ kms: clients.kms, keyArn });
 */
export function createKmsPayloadEncryptor(options: KmsPayloadEncryptorOptions): PayloadEncryptor {
  const purpose = options.purpose ?? 'residency-quarantine';
  const keyContext = { purpose };
  const dataKey = createRotatingDataKey<PayloadDataKey>({
    clock: options.clock ?? systemClock,
    dataKeyMaxAgeSeconds: options.dataKeyMaxAgeSeconds ?? 300,
    dataKeyMaxMessages: options.dataKeyMaxMessages ?? 10_000,
    async generate() {
      const output = await options.kms.send(
        new GenerateDataKeyCommand({
          KeyId: options.keyArn,
          KeySpec: 'AES_256',
          EncryptionContext: keyContext,
        }),
      );
      needs(output.Plaintext?.length === DATA_KEY_BYTES, 'Postcondition: KMS returned a 256-bit data key');
      needs(
        output.CiphertextBlob && output.CiphertextBlob.length > 0,
        'Postcondition: KMS returned the wrapped data key',
      );
      const key = Buffer.from(output.Plaintext);
      output.Plaintext.fill(0);
      return { key, wrapped: output.CiphertextBlob };
    },
  });

  return {
    async seal(plaintext, context) {
      const aad = additionalData(purpose, context);
      return dataKey.withDataKey(1, (material) => {
        const iv = randomBytes(IV_BYTES);
        const ciphertext = Buffer.allocUnsafe(plaintext.length);
        const tag = encryptGcmInto(material.key, iv, plaintext, aad, ciphertext, 0);
        return {
          v: 1,
          alg: 'AES-256-GCM',
          keyArn: options.keyArn,
          wrappedKey: material.wrapped,
          iv,
          ciphertext,
          tag,
        } satisfies SealedPayload;
      });
    },

    async open(sealed, context) {
      needs(sealed.v === 1 && sealed.alg === 'AES-256-GCM', 'Precondition: a known payload format');
      needs(
        sealed.iv.length === IV_BYTES && sealed.tag.length === TAG_BYTES,
        'Precondition: a 96-bit IV and a 128-bit tag',
      );
      let key: Buffer | undefined;
      try {
        const output = await options.kms.send(
          new DecryptCommand({
            CiphertextBlob: sealed.wrappedKey,
            KeyId: sealed.keyArn,
            EncryptionContext: keyContext,
          }),
        );
        needs(output.Plaintext?.length === DATA_KEY_BYTES, 'Postcondition: KMS returned a 256-bit data key');
        key = Buffer.from(output.Plaintext);
        output.Plaintext.fill(0);
        return decryptGcm(key, sealed.iv, sealed.ciphertext, sealed.tag, additionalData(purpose, context));
      } catch (cause) {
        throw new PayloadDecryptionError('the quarantined payload does not open under this context', {
          cause,
        });
      } finally {
        key?.fill(0);
      }
    },
  };
}

/** The canonical additional data: the context with the purpose (which wins over a `purpose` key). */
function additionalData(purpose: string, context: PayloadContext): Buffer {
  return canonicalContext({ ...context, purpose });
}
