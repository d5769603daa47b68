import { createCipheriv, createDecipheriv } from 'node:crypto';
import { needs } from '@residency/core';
import { DecryptionError } from '../errors.ts';

/** AES-GCM IV length: 96 bits, the length GCM is specified for (NIST SP 800-38D). */
export const IV_BYTES = 12;
/** GCM tag length: the full 128 bits. */
export const TAG_BYTES = 16;
/** AES-256 key length. */
export const DATA_KEY_BYTES = 32;

/**
 * AES-256-GCM, the one cipher of every envelope in this repository (vault entries, quarantined
 * payloads): encrypts `plaintext` under `key`, `iv` and `aad`, writes the ciphertext (as long as
 * the plaintext) into `out` at `offset`, and returns the 128-bit tag. The caller owns the layout
 * and draws `iv` at random for every call: a repeated IV under one key breaks GCM.
 *
 * Precondition: a 256-bit key that is not zeroed, a 96-bit IV, room in `out`.
 * Postcondition: the ciphertext is as long as the plaintext; the tag is 128 bits.
 *
 * @example const tag = encryptGcmInto(key, randomBytes(IV_BYTES), plaintext, aad, out, 0);
 */
export function encryptGcmInto(
  key: Buffer,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  out: Uint8Array,
  offset: number,
): Buffer {
  needs(key.length === DATA_KEY_BYTES, 'Precondition: the data key is 256 bits');
  needs(iv.length === IV_BYTES, 'Precondition: the IV is 96 bits');
  needs(offset + plaintext.length <= out.length, 'Precondition: the ciphertext fits its buffer');
  // GCM's tag is 128 bits unless asked otherwise; the option object costs ~1 us per call.
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const rest = cipher.final();
  needs(
    body.length + rest.length === plaintext.length,
    'Postcondition: the ciphertext is as long as the plaintext',
  );
  body.copy(out, offset);
  rest.copy(out, offset + body.length);
  const tag = cipher.getAuthTag();
  needs(tag.length === TAG_BYTES, 'Postcondition: the GCM tag is 128 bits');
  return tag;
}

/**
 * Decrypts what {@link encryptGcmInto} made. The caller passes the `aad` it expects (built from
 * what it asked for, never from the stored item), so GCM verifies the encryption context: any
 * difference, or any changed byte, fails with {@link DecryptionError} and leaves no plaintext.
 *
 * Precondition: a 256-bit key, a 96-bit IV and a 128-bit tag.
 * Postcondition: the plaintext is authentic under `aad`.
 */
export function decryptGcm(
  key: Buffer,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array,
): Buffer {
  needs(key.length === DATA_KEY_BYTES, 'Precondition: the data key is 256 bits');
  needs(iv.length === IV_BYTES && tag.length === TAG_BYTES, 'Precondition: a 96-bit IV and a 128-bit tag');
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const body = decipher.update(ciphertext);
  try {
    const rest = decipher.final();
    return rest.length === 0 ? body : Buffer.concat([body, rest]);
  } catch (cause) {
    body.fill(0);
    throw new DecryptionError('ciphertext failed authentication (wrong key, context or bytes)', undefined, {
      cause,
    });
  }
}
