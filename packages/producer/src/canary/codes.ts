import { createHmac } from 'node:crypto';

/** Shortest accepted canary secret, in bytes. */
export const MIN_CANARY_SECRET_BYTES = 32;

/** The kinds of canary value a detector recognises on its own. */
export type CanaryKind = 'patientId' | 'phone' | 'email' | 'nationalId';

/** Digits of the nonce and of the keyed tag in each kind of canary value. */
export const CANARY_LAYOUT: Readonly<Record<CanaryKind, { nonceDigits: number; tagDigits: number }>> = {
  patientId: { nonceDigits: 6, tagDigits: 8 },
  // Operator digit plus three digits of nonce: a Bangladeshi mobile number has only 9 free digits.
  phone: { nonceDigits: 4, tagDigits: 5 },
  email: { nonceDigits: 4, tagDigits: 8 },
  // Birth year and three digits, then the tag: a 17-digit Bangladesh NID.
  nationalId: { nonceDigits: 7, tagDigits: 10 },
};

/**
 * The keyed tag of a canary value: decimal digits of HMAC-SHA256(secret, kind, nonce). Only a
 * holder of the secret can compute or check it, so canaries need no list to be recognised.
 */
export function canaryTag(secret: Uint8Array, kind: CanaryKind, nonce: string): string {
  const mac = createHmac('sha256', secret).update(`residency-canary:v1:${kind}:${nonce}`).digest();
  return decimalDigits(mac, 0, CANARY_LAYOUT[kind].tagDigits);
}

/** `count` decimal digits (at most 18) read from 8 bytes of `bytes` at `offset`. */
export function decimalDigits(bytes: Uint8Array, offset: number, count: number): string {
  const value = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readBigUInt64BE(offset);
  return (value % 10n ** BigInt(count)).toString().padStart(count, '0');
}
