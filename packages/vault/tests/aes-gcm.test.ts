import { randomBytes } from 'node:crypto';
import { InvariantError } from '@residency/core';
import { describe, expect, it } from 'vitest';
import { DecryptionError, decryptGcm, encryptGcmInto, IV_BYTES } from '../src/index.ts';

describe('AES-256-GCM primitives', () => {
  const key = randomBytes(32);
  const aad = Buffer.from('context');

  it('round-trips into a caller-owned buffer at an offset', () => {
    // Prepare
    const iv = randomBytes(IV_BYTES);
    const out = Buffer.alloc(3 + 5);
    // Act
    const tag = encryptGcmInto(key, iv, Buffer.from('hello'), aad, out, 3);
    // Assess
    expect(decryptGcm(key, iv, out.subarray(3), tag, aad).toString()).toBe('hello');
  });

  it('Postcondition: a different context or a changed byte does not open', () => {
    // Prepare
    const iv = randomBytes(IV_BYTES);
    const out = Buffer.alloc(5);
    const tag = encryptGcmInto(key, iv, Buffer.from('hello'), aad, out, 0);
    const flipped = Buffer.from(out);
    flipped[0] = (flipped[0] as number) ^ 1;
    // Assess
    expect(() => decryptGcm(key, iv, out, tag, Buffer.from('other'))).toThrow(DecryptionError);
    expect(() => decryptGcm(key, iv, flipped, tag, aad)).toThrow(DecryptionError);
  });

  it('Precondition: a 256-bit key, a 96-bit IV and room for the ciphertext', () => {
    const iv = randomBytes(IV_BYTES);
    expect(() => encryptGcmInto(key.subarray(0, 16), iv, Buffer.from('x'), aad, Buffer.alloc(1), 0)).toThrow(
      InvariantError,
    );
    expect(() => encryptGcmInto(key, randomBytes(16), Buffer.from('x'), aad, Buffer.alloc(1), 0)).toThrow(
      InvariantError,
    );
    expect(() => encryptGcmInto(key, iv, Buffer.from('xy'), aad, Buffer.alloc(1), 0)).toThrow(InvariantError);
  });
});
