import { inspect } from 'node:util';
import { aadhaar, appId, bdNid, bdPhone, email, inPhone } from '@residency/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NormalizerName } from '../src/model/classes.ts';
import { createCachedNormalizer } from '../src/normalize/cache.ts';
import { foldIdentifier } from '../src/normalize/fold.ts';
import { normalizeIdentifier } from '../src/normalize/index.ts';
import { foldText } from '../src/text.ts';

// The tricks foldText exists for: full-width and native digits, invisible and bidi characters.
const disguise = (value: string) =>
  fc
    .constantFrom<(s: string) => string>(
      (s) => s,
      (s) => s.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))),
      (s) => s.replace(/\d/g, (d) => String.fromCharCode(0x09e6 + Number(d))),
      (s) => s.replace(/\d/g, (d) => String.fromCharCode(0x0966 + Number(d))),
      (s) => `${s.slice(0, 3)}\u200B${s.slice(3)}\u200F`,
      (s) => ` \uFEFF${s.toUpperCase()} `,
    )
    .map((f) => f(value));

const rawIdentifier = fc.oneof(
  fc.oneof(bdPhone, inPhone, email, aadhaar, bdNid, appId('P')).chain(disguise),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.stringMatching(/^[+0-9 ()-]{0,20}$/),
  fc.constantFrom('', ' ', '12345', 'call me', '+880 1711-234567 ext', '9876543210', '919876543210'),
);
const normalizerName = fc.constantFrom<NormalizerName>('phone', 'email', 'nationalId', 'opaque');
const country = fc.constantFrom('BD' as const, 'IN' as const, 'US' as const);

describe('foldIdentifier', () => {
  it('is foldText for every string (the ASCII fast path changes no result)', () => {
    fc.assert(
      fc.property(fc.oneof(rawIdentifier, fc.string({ unit: 'grapheme' })), (raw) => {
        expect(foldIdentifier(raw)).toBe(foldText(raw));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('createCachedNormalizer', () => {
  it('returns what normalizeIdentifier returns, on a miss and on a hit, failures included', () => {
    const cached = createCachedNormalizer({ maxEntries: 64 });
    fc.assert(
      fc.property(normalizerName, rawIdentifier, country, (name, raw, c) => {
        const expected = normalizeIdentifier(name, raw, { country: c });
        expect(cached.normalize(name, raw, { country: c })).toEqual(expected);
        expect(cached.normalize(name, raw, { country: c })).toEqual(expected);
      }),
      { numRuns: 1500 },
    );
  });

  it('keys phones by country: one raw value, two tenants, two readings', () => {
    const cached = createCachedNormalizer();
    const bd = cached.normalize('phone', '9876543210', { country: 'BD' });
    const india = cached.normalize('phone', '9876543210', { country: 'IN' });
    expect(bd).toEqual(normalizeIdentifier('phone', '9876543210', { country: 'BD' }));
    expect(india).toEqual({ ok: true, value: '+919876543210' });
    expect(bd).not.toEqual(india);
  });

  it('holds a failure like a success: the same reason, never the value', () => {
    const cached = createCachedNormalizer();
    const first = cached.normalize('phone', '+88017-SECRET-99', { country: 'BD' });
    const again = cached.normalize('phone', '+88017-SECRET-99', { country: 'BD' });
    expect(first).toEqual(normalizeIdentifier('phone', '+88017-SECRET-99', { country: 'BD' }));
    expect(again).toBe(first);
    expect(JSON.stringify(again)).not.toContain('SECRET');
    expect(cached.size()).toBe(1);
  });

  it('hands out frozen results, so one caller cannot change what the next one gets', () => {
    const cached = createCachedNormalizer();
    const result = cached.normalize('email', 'Rahim.Uddin+x@gmail.com', { country: 'BD' });
    expect(Object.isFrozen(result)).toBe(true);
    expect(() => {
      (result as { value: string }).value = 'someone-else@example.org';
    }).toThrow(TypeError);
    expect(cached.normalize('email', 'Rahim.Uddin+x@gmail.com', { country: 'BD' })).toEqual({
      ok: true,
      value: 'rahimuddin@gmail.com',
    });
  });

  it('shows nothing it holds when logged: only its count is readable', () => {
    const cached = createCachedNormalizer();
    cached.normalize('phone', '01711-234567', { country: 'BD' });
    cached.normalize('email', 'rahima.khatun@example.org', { country: 'BD' });
    const shown = `${inspect(cached, { depth: 10, showHidden: true })} ${JSON.stringify(cached)}`;
    for (const leak of ['1711', '234567', 'rahima', 'example.org']) expect(shown).not.toContain(leak);
    expect(cached.size()).toBe(2);
  });

  it('is bounded: never more than maxEntries, and still right after evictions', () => {
    const cached = createCachedNormalizer({ maxEntries: 5 });
    fc.assert(
      fc.property(fc.array(fc.tuple(normalizerName, rawIdentifier, country), { maxLength: 60 }), (calls) => {
        for (const [name, raw, c] of calls) {
          expect(cached.normalize(name, raw, { country: c })).toEqual(
            normalizeIdentifier(name, raw, { country: c }),
          );
          expect(cached.size()).toBeLessThanOrEqual(5);
        }
      }),
    );
    cached.clear();
    for (let i = 0; i < 50; i++)
      cached.normalize('nationalId', `19${String(i).padStart(8, '0')}`, { country: 'BD' });
    expect(cached.size()).toBe(5);
  });

  it('holds neither values longer than maxRawLength nor opaque ids (cheaper to run than to look up)', () => {
    const cached = createCachedNormalizer({ maxRawLength: 16 });
    const long = `${'a'.repeat(20)}@example.org`;
    expect(cached.normalize('email', long, { country: 'BD' })).toEqual(
      normalizeIdentifier('email', long, { country: 'BD' }),
    );
    expect(cached.normalize('opaque', 'P-00012345', { country: 'BD' })).toEqual({
      ok: true,
      value: 'P-00012345',
    });
    expect(cached.size()).toBe(0);
    cached.normalize('email', 'a@example.org', { country: 'BD' });
    expect(cached.size()).toBe(1);
  });
});
