import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { type Clock, needs, systemClock } from '@residency/core';
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

/** Seals and opens payloads. A port: the vault's envelope primitives can implement it later. */
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

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

interface DataKey {
  plaintext: Buffer;
  wrapped: Uint8Array;
  createdAtMillis: number;
  uses: number;
}

/**
 * Envelope encryption for quarantined payloads: one KMS GenerateDataKey per data key lifetime
 * (bounded by age and use count, then zeroed), AES-256-GCM with a random 96-bit IV per payload,
 * the context bound as additional data. The wrapped data key travels with each payload, so a
 * payload opens with a single KMS Decrypt and nothing else. Quarantine is the cold path; the
 * vault's denser format (data keys stored once, by id) is for the hot path.
 *
 * @example const encryptor = createKmsPayloadEncryptor({ kms: clients.kms, keyArn });
 */
export function createKmsPayloadEncryptor(options: KmsPayloadEncryptorOptions): PayloadEncryptor {
  const purpose = options.purpose ?? 'residency-quarantine';
  const maxAgeMillis = (options.dataKeyMaxAgeSeconds ?? 300) * 1000;
  const maxMessages = options.dataKeyMaxMessages ?? 10_000;
  const clock = options.clock ?? systemClock;
  let current: Promise<DataKey> | undefined;

  const fresh = async (): Promise<DataKey> => {
    const output = await options.kms.send(
      new GenerateDataKeyCommand({
        KeyId: options.keyArn,
        KeySpec: 'AES_256',
        EncryptionContext: { purpose },
      }),
    );
    needs(output.Plaintext?.length === KEY_BYTES, 'Postcondition: KMS returned a 256-bit data key');
    needs(
      output.CiphertextBlob && output.CiphertextBlob.length > 0,
      'Postcondition: KMS returned the wrapped data key',
    );
    return {
      plaintext: Buffer.from(output.Plaintext),
      wrapped: output.CiphertextBlob,
      createdAtMillis: clock.nowMillis(),
      uses: 0,
    };
  };

  const acquire = async (): Promise<DataKey> => {
    const key = current ? await current.catch(() => undefined) : undefined;
    if (key && key.uses < maxMessages && clock.nowMillis() - key.createdAtMillis < maxAgeMillis) return key;
    if (key) key.plaintext.fill(0);
    current = fresh();
    return current;
  };

  return {
    async seal(plaintext, context) {
      const key = await acquire();
      key.uses += 1;
      needs(!key.plaintext.every((b) => b === 0), 'Precondition: the data key is not zeroed');
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key.plaintext, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(purpose, context));
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return {
        v: 1,
        alg: 'AES-256-GCM',
        keyArn: options.keyArn,
        wrappedKey: key.wrapped,
        iv,
        ciphertext,
        tag: cipher.getAuthTag(),
      };
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
            EncryptionContext: { purpose },
          }),
        );
        needs(output.Plaintext?.length === KEY_BYTES, 'Postcondition: KMS returned a 256-bit data key');
        key = Buffer.from(output.Plaintext);
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(additionalData(purpose, context));
        decipher.setAuthTag(sealed.tag);
        return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
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

/** The canonical additional data: the purpose and the context, sorted by key, as JSON. */
function additionalData(purpose: string, context: PayloadContext): Buffer {
  const pairs = Object.entries({ ...context, purpose }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(pairs), 'utf8');
}
