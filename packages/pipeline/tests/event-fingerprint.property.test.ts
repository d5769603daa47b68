import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventFingerprint } from '../src/aggregates/items.ts';

// The definition: a UUID (either case) as its 16 bytes in base64url, anything else as it is.
function reference(eventId: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(eventId)) return eventId;
  return Buffer.from(eventId.replaceAll('-', ''), 'hex').toString('base64url');
}

const hexChar = fc.constantFrom(...'0123456789abcdefABCDEF');
const nearHex = fc.constantFrom(...'0123456789abcdefABCDEFgG-/:@`{ \u00e9\u0130');
const shaped = (char: fc.Arbitrary<string>) =>
  fc
    .array(char, { minLength: 32, maxLength: 32 })
    .map(
      (c) =>
        `${c.slice(0, 8).join('')}-${c.slice(8, 12).join('')}-${c.slice(12, 16).join('')}-${c.slice(16, 20).join('')}-${c.slice(20).join('')}`,
    );

describe('eventFingerprint', () => {
  it('is a UUID’s 16 bytes in base64url, and any other id unchanged', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uuid(),
          shaped(hexChar),
          shaped(nearHex),
          fc.string({ minLength: 36, maxLength: 36 }),
          fc.string(),
          fc.uuid().map((u) => u.replace('-', 'x')),
        ),
        (eventId) => {
          expect(eventFingerprint(eventId)).toBe(reference(eventId));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('tells two UUIDs apart, and is 22 characters', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), (a, b) => {
        expect(eventFingerprint(a)).toHaveLength(22);
        if (a.toLowerCase() !== b.toLowerCase()) expect(eventFingerprint(a)).not.toBe(eventFingerprint(b));
      }),
    );
  });
});
