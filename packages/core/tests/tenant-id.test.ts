import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clinicbook, createCountryResolver, scanValue, TenantIdSchema, validateEvent } from '../src/index.ts';
import { booked } from './events.ts';

describe('TenantIdSchema', () => {
  it.each([
    'dhk-mirpur-01',
    'kol-salt-lake-01',
    'clinic-a',
    't1',
    'x',
    'residency-canary',
    'clinic-123456',
    '3f2b8c1e-9d4a-4e7b-8c2d-1a0b9c8d7e6f',
  ])('accepts %s', (id) => {
    expect(TenantIdSchema.safeParse(id).success).toBe(true);
  });

  it.each([
    ['digits glued to a prefix', 'dhk01711234567'],
    ['digits joined by underscores', 'dhk_0171_123_4567'],
    ['digits joined by hyphens', 'dhk-0171-123-4567'],
    ['a BD NID', 'nid19902612345123456x'],
    ['an Aadhaar', 'aadhaar234567890124x'],
    ['an address with its @ spelled as dots', 'rahim.uddin.gmail.com'],
    ['an address', 'rahim@example.com'],
    ['seven digits split across words', 'ward-1711-bed-234'],
    ['upper case', 'DHK-Mirpur-01'],
    ['a UUID in upper case', '3F2B8C1E-9D4A-4E7B-8C2D-1A0B9C8D7E6F'],
    ['a UUID of no random version', '3f2b8c1e-9d4a-1e7b-8c2d-1a0b9c8d7e6f'],
    ['a path', '../../etc/passwd'],
    ['an empty id', ''],
    ['a doubled hyphen', 'dhk--mirpur'],
    ['65 characters', 'a'.repeat(65)],
  ])('rejects %s', (_, id) => {
    expect(TenantIdSchema.safeParse(id).success).toBe(false);
  });

  it('rejects the event at validation, and the reason does not echo the id', () => {
    // Act
    const result = validateEvent(clinicbook, { ...booked, tenantId: 'dhk01711234567' });
    // Assess
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('01711234567');
  });

  it('property: an id it accepts holds too few digits for any phone, national id or card number', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]{1,10}(?:-[a-z0-9]{1,10}){0,4}$/), (id) => {
        // Act
        const accepted = TenantIdSchema.safeParse(id).success;
        // Assess
        if (accepted) {
          expect(id.replace(/\D/g, '').length).toBeLessThanOrEqual(6);
          const rules = scanValue(id).map((f) => f.rule);
          for (const rule of ['phone', 'aadhaar', 'bd-nid', 'card'] as const)
            expect(rules).not.toContain(rule);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('createCountryResolver', () => {
  it('reads only its own entries: a tenant or prefix named like an Object member is one like any other', () => {
    const countryOf = createCountryResolver({ byTenant: { 'dhk-01': 'BD' }, byPrefix: { 'kol-': 'IN' } });
    expect(countryOf('constructor')).toBe('BD');
    expect(countryOf('__proto__')).toBe('BD');
    expect(countryOf('kol-constructor')).toBe('IN');
    expect(countryOf('dhk-01')).toBe('BD');
    const named = createCountryResolver({
      defaultCountry: 'IN',
      byTenant: { constructor: 'BD' } as Record<string, 'BD'>,
    });
    expect(named('constructor')).toBe('BD');
    expect(named('toString')).toBe('IN');
  });
});
