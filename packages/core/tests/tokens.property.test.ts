import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatToken, TokenSchema, tokenPrefixFor } from '../src/index.ts';

/** The definition, spelled out: the 128 bits as one big-endian number, 5 bits a character. */
function referenceToken(kind: string, bytes: Uint8Array): string {
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let out = '';
  for (let i = 0; i < 26; i++) {
    out = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return `${tokenPrefixFor(kind)}_${out}`;
}

describe('formatToken', () => {
  it('spells the 128 bits big-endian in Crockford base32, as a valid token, for any bytes and kind', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.constantFrom('patient', 'phone', 'doctor', 'nationalId', 'xray', 'Lab-Order 7'),
        (bytes, kind) => {
          const token = formatToken(kind, bytes);
          expect(token).toBe(referenceToken(kind, bytes));
          expect(TokenSchema.safeParse(token).success).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('puts the top 3 bits in the first character', () => {
    expect(formatToken('patient', new Uint8Array(16).fill(255))).toBe(`pat_7${'Z'.repeat(25)}`);
    expect(formatToken('patient', new Uint8Array(16))).toBe(`pat_${'0'.repeat(26)}`);
  });
});
