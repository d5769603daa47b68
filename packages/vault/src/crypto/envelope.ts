import { needs } from '@residency/core';
import { DecryptionError } from '../errors.ts';
import { decryptGcm, encryptGcmInto, IV_BYTES, TAG_BYTES } from './aes-gcm.ts';
import type { RandomPool } from './random-pool.ts';

/**
 * The envelope of an encrypted value, one binary attribute per entry:
 *
 * ```
 * [0]       version (1)
 * [1..16]   data key id (16 bytes; the wrapped data key is stored once under this id)
 * [17..28]  IV (96 bits, random)
 * [29..n-16] AES-256-GCM ciphertext (same length as the plaintext)
 * [n-16..n] GCM tag (128 bits)
 * ```
 *
 * 45 bytes of overhead per value, against about 250 for the AWS Encryption SDK's message format.
 */
export const ENVELOPE_VERSION = 1;
/** Length of a data key id in bytes. */
export const DATA_KEY_ID_BYTES = 16;
const HEADER_BYTES = 1 + DATA_KEY_ID_BYTES + IV_BYTES;
/** Bytes an envelope adds to its plaintext. */
export const ENVELOPE_OVERHEAD_BYTES = HEADER_BYTES + TAG_BYTES;

/** A plaintext data key and its id, as held in memory. */
export interface DataKeyMaterial {
  /** 16-byte id, written into every envelope made with this key. */
  readonly id: Uint8Array;
  /** Hex of {@link id}, the key of the wrapped data key in the store. */
  readonly idHex: string;
  /** The 256-bit AES key. Zeroed when the key is retired; never logged. */
  readonly key: Buffer;
}

/**
 * Encrypts `plaintext` under a data key with AES-256-GCM ({@link encryptGcmInto}), a fresh
 * random IV and `aad`, into the envelope layout above.
 *
 * Precondition: the key is 256 bits and not zeroed; the IV is 96 bits.
 * Postcondition: the envelope is plaintext length + {@link ENVELOPE_OVERHEAD_BYTES}.
 */
export function sealEnvelope(
  material: DataKeyMaterial,
  plaintext: Uint8Array,
  aad: Uint8Array,
  random: RandomPool,
): Buffer {
  needs(material.id.length === DATA_KEY_ID_BYTES, 'Precondition: the data key id is 128 bits');
  const out = Buffer.allocUnsafe(ENVELOPE_OVERHEAD_BYTES + plaintext.length);
  out[0] = ENVELOPE_VERSION;
  out.set(material.id, 1);
  random.fill(out, 1 + DATA_KEY_ID_BYTES, IV_BYTES);
  const iv = out.subarray(1 + DATA_KEY_ID_BYTES, HEADER_BYTES);
  const tag = encryptGcmInto(material.key, iv, plaintext, aad, out, HEADER_BYTES);
  tag.copy(out, out.length - TAG_BYTES);
  return out;
}

/** The data key id of an envelope (hex), to find its key before opening it. */
export function envelopeDataKeyId(envelope: Uint8Array): string {
  // Stored bytes are input, not an invariant: a truncated item fails like any tampering.
  if (!(envelope instanceof Uint8Array) || envelope.length < ENVELOPE_OVERHEAD_BYTES) {
    throw new DecryptionError('envelope is shorter than its header and tag');
  }
  if (envelope[0] !== ENVELOPE_VERSION) {
    throw new DecryptionError(`unknown envelope version ${envelope[0]}`);
  }
  return Buffer.from(envelope.buffer, envelope.byteOffset + 1, DATA_KEY_ID_BYTES).toString('hex');
}

/**
 * Decrypts an envelope made by {@link sealEnvelope}. The caller passes the `aad` it expects
 * (built from what it asked for, never from the stored item), so GCM verifies the encryption
 * context: any difference, or any changed byte, fails with {@link DecryptionError}.
 *
 * Precondition: the envelope names this data key.
 * Postcondition: the plaintext is authentic under `aad`.
 */
export function openEnvelope(material: DataKeyMaterial, envelope: Uint8Array, aad: Uint8Array): Buffer {
  const idHex = envelopeDataKeyId(envelope);
  needs(idHex === material.idHex, 'Precondition: the envelope names the data key used to open it');
  const bytes = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.length);
  return decryptGcm(
    material.key,
    bytes.subarray(1 + DATA_KEY_ID_BYTES, HEADER_BYTES),
    bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES),
    bytes.subarray(bytes.length - TAG_BYTES),
    aad,
  );
}
