import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-GCM IV length in bytes: 96 bits, the size GCM is specified for (NIST SP 800-38D). */
export const IV_BYTES = 12;
/** AES-GCM authentication tag length in bytes. */
export const TAG_BYTES = 16;

/**
 * Encrypts with AES-256-GCM under a fresh random 96-bit IV and returns IV | ciphertext | tag.
 * Precondition: `key` is 32 bytes.
 */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/**
 * Decrypts IV | ciphertext | tag made by {@link seal}. Returns undefined when the tag does not
 * verify (wrong key, wrong AAD, tampered bytes), so callers choose the error to raise.
 */
export function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer | undefined {
  if (sealed.length < IV_BYTES + TAG_BYTES) return undefined;
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const out = decipher.update(body);
  try {
    return Buffer.concat([out, decipher.final()]);
  } catch {
    return undefined;
  } finally {
    out.fill(0);
  }
}
