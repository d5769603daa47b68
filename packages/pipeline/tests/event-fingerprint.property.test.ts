import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packIds, unpackIds } from '../src/aggregates/event-log.ts';
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

describe('packIds and unpackIds (the event log item)', () => {
  const base64urlChar = fc.constantFrom(
    ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= ',
  );
  const anyId = fc.oneof(
    fc.uuid().map(eventFingerprint),
    fc.array(base64urlChar, { minLength: 22, maxLength: 22 }).map((c) => c.join('')),
    fc.string({ minLength: 21, maxLength: 23 }),
    fc.string(),
  );

  it('gives back every id it was given, and packs exactly the fingerprints of UUIDs', () => {
    fc.assert(
      fc.property(fc.uniqueArray(anyId, { maxLength: 40 }), (ids) => {
        const { packed, others } = packIds(ids);
        const back = unpackIds({ ...(packed ? { packed } : {}), ...(others ? { ids: others } : {}) });
        expect(new Set(back)).toEqual(new Set(ids));
        expect(back).toHaveLength(ids.length);
        const canonical = ids.filter(
          (id) => Buffer.from(id, 'base64url').toString('base64url') === id && id.length === 22,
        );
        expect(packed?.length ?? 0).toBe(canonical.length * 16);
        expect(others?.size ?? 0).toBe(ids.length - canonical.length);
      }),
      { numRuns: 2_000 },
    );
  });

  it('packs a batch of UUID fingerprints into 16 bytes each, with nothing else', () => {
    const ids = Array.from({ length: 2_500 }, (_, i) =>
      eventFingerprint(`7d1f3c1e-8a51-4d7e-9a7a-${i.toString(16).padStart(12, '0')}`),
    );
    const { packed, others } = packIds(ids);
    expect(packed?.length).toBe(40_000);
    expect(others).toBeUndefined();
    expect(unpackIds({ packed: new Uint8Array(packed as Uint8Array) })).toEqual(ids);
  });

  it('reads an item logged before packing, whose ids are all in the set', () => {
    expect(unpackIds({ ids: new Set(['a', 'b']) })).toEqual(['a', 'b']);
  });
});
