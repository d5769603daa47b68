import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openBlob, readBlobHeader, sealBlob } from '../src/blob.ts';
import { BLOB_FORMAT_VERSION, canonicalContext, KmsApiError } from '../src/index.ts';

const contextArb = fc.dictionary(fc.string({ minLength: 1 }), fc.string());

describe('ciphertext blob', () => {
  it('canonical context is the same whatever order the entries were written in', () => {
    fc.assert(
      fc.property(contextArb, (context) => {
        const reversed = Object.fromEntries(Object.entries(context).reverse());
        expect(canonicalContext(reversed).equals(canonicalContext(context))).toBe(true);
      }),
    );
  });

  it('round-trips any plaintext and context, and names its key and material version', () => {
    const material = randomBytes(32);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 4096 }), contextArb, (plaintext, context) => {
        const header = { keyId: randomUUID(), materialVersion: 7 };
        const blob = sealBlob(material, header, Buffer.from(plaintext), context);

        expect(blob[0]).toBe(BLOB_FORMAT_VERSION);
        expect(readBlobHeader(blob)).toEqual(header);
        expect(openBlob(material, blob, { ...context }).equals(Buffer.from(plaintext))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('Postcondition: a changed context, key id, version or byte fails with InvalidCiphertextException', () => {
    const material = randomBytes(32);
    const blob = sealBlob(material, { keyId: randomUUID(), materialVersion: 1 }, Buffer.from('secret'), {
      a: '1',
    });
    const variants = [1, 17, 25, blob.length - 1].map((offset) => {
      const copy = Buffer.from(blob);
      copy[offset]! ^= 0x01;
      return copy;
    });

    expect(() => openBlob(material, blob, { a: '2' })).toThrow(KmsApiError);
    expect(() => openBlob(material, blob, {})).toThrow(/not valid/);
    for (const variant of variants)
      expect(() => openBlob(material, variant, { a: '1' })).toThrow(KmsApiError);
    expect(() => readBlobHeader(Buffer.from('short'))).toThrow(KmsApiError);
  });
});
