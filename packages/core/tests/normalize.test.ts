import { describe, expect, it } from 'vitest';
import {
  normalizeEmail,
  normalizeNationalId,
  normalizeOpaque,
  normalizePhone,
  verhoeffCheckDigit,
} from '../src/index.ts';

describe('normalizePhone', () => {
  it.each([
    '+880 1711-234567',
    '01711234567',
    '8801711234567',
    '+8801711234567',
    '০১৭১১২৩৪৫৬৭',
    '０１７１１２３４５６７',
    '017\u200B1123\u200F4567',
  ])('reads %s as the one Bangladeshi number +8801711234567', (raw) => {
    expect(normalizePhone(raw, 'BD')).toEqual({ ok: true, value: '+8801711234567' });
  });

  it.each(['+91 98765 43210', '09876543210', '9876543210', '919876543210'])(
    'reads Indian %s as +919876543210',
    (raw) => {
      expect(normalizePhone(raw, 'IN')).toEqual({ ok: true, value: '+919876543210' });
    },
  );

  it('keeps an international number whatever the tenant country', () => {
    expect(normalizePhone('+91 98765 43210', 'BD')).toEqual({ ok: true, value: '+919876543210' });
  });

  it.each(['12345', '0171123', 'call me', '+880 1711-234567 ext', ''])(
    'rejects %j without echoing it',
    (raw) => {
      const result = normalizePhone(raw, 'BD');
      expect(result.ok).toBe(false);
      if (!result.ok && raw.length > 0) expect(result.reason).not.toContain(raw);
    },
  );
});

describe('normalizeEmail', () => {
  it('lower-cases and folds Gmail dots and tags to one inbox', () => {
    expect(normalizeEmail(' Rahim.Uddin+clinic@GoogleMail.com ')).toEqual({
      ok: true,
      value: 'rahimuddin@gmail.com',
    });
    expect(normalizeEmail('rahimuddin@gmail.com')).toEqual({ ok: true, value: 'rahimuddin@gmail.com' });
  });

  it('keeps dots and tags on other domains', () => {
    expect(normalizeEmail('A.B+x@Clinic.com.bd')).toEqual({ ok: true, value: 'a.b+x@clinic.com.bd' });
  });

  it('folds full-width and zero-width tricks', () => {
    expect(normalizeEmail('ａｂｃ\u200B@example.org')).toEqual({ ok: true, value: 'abc@example.org' });
  });

  it.each(['not-an-email', 'a@b', '@example.org', 'a@@example.org'])('rejects %j', (raw) => {
    expect(normalizeEmail(raw).ok).toBe(false);
  });
});

describe('normalizeNationalId', () => {
  const base = '23456789012';
  const valid = `${base}${verhoeffCheckDigit(base)}`;
  const wrong = `${base}${(Number(verhoeffCheckDigit(base)) + 1) % 10}`;

  it('accepts Aadhaar with its check digit, in any grouping', () => {
    const grouped = `${valid.slice(0, 4)} ${valid.slice(4, 8)}-${valid.slice(8)}`;
    expect(normalizeNationalId(grouped)).toEqual({ ok: true, value: `IN-AADHAAR:${valid}` });
  });

  it('rejects Aadhaar with a wrong check digit, without echoing it', () => {
    const result = normalizeNationalId(wrong);
    expect(result).toMatchObject({ ok: false, code: 'invalid_national_id' });
    if (!result.ok) expect(result.reason).not.toContain(wrong);
  });

  it('rejects Aadhaar starting with 0 or 1', () => {
    const base1 = '12345678901';
    expect(normalizeNationalId(`${base1}${verhoeffCheckDigit(base1)}`).ok).toBe(false);
  });

  it.each(['1234567890', '1990123456789', '19901234567890123'])(
    'accepts a Bangladesh NID of %s digits',
    (raw) => {
      expect(normalizeNationalId(raw)).toEqual({ ok: true, value: `BD-NID:${raw}` });
    },
  );

  it('rejects a 17-digit NID without a birth year and other lengths', () => {
    expect(normalizeNationalId('00001234567890123').ok).toBe(false);
    expect(normalizeNationalId('123456').ok).toBe(false);
    expect(normalizeNationalId('12345678901a').ok).toBe(false);
  });
});

describe('normalizeOpaque', () => {
  it('trims and folds but keeps case', () => {
    expect(normalizeOpaque(' P-00a1 ')).toEqual({ ok: true, value: 'P-00a1' });
  });

  it('rejects empty, control characters and over-long ids', () => {
    expect(normalizeOpaque('  ').ok).toBe(false);
    expect(normalizeOpaque('P\u0000').ok).toBe(false);
    expect(normalizeOpaque('x'.repeat(129)).ok).toBe(false);
  });

  it('gives an id that looks the same one value: invisible characters are folded away or refused', () => {
    // Folded away: the zero-width, bidi and soft-hyphen characters folding removes.
    for (const hidden of ['\u200B', '\u200D', '\u00AD', '\u202E', '\uFEFF', '\u2061']) {
      expect(normalizeOpaque(`P-000${hidden}12345`), JSON.stringify(hidden)).toEqual({
        ok: true,
        value: 'P-00012345',
      });
    }
    // Refused: what folding keeps would make a second id (and a second token) for the same person.
    for (const hidden of [
      '\u0085',
      '\u009B',
      '\u2028',
      '\u034F',
      '\u180E',
      '\u3164',
      '\uFE0F',
      '\u{E0041}',
      '\u{E0100}',
    ]) {
      expect(normalizeOpaque(`P-000${hidden}12345`), JSON.stringify(hidden)).toEqual({
        ok: false,
        code: 'invalid_identifier',
        reason: 'contains control or invisible characters',
      });
    }
    // Ids in any script stay ids.
    for (const id of ['রোগী-১২৩', 'रोगी-१२३', 'مريض-١٢٣', '患者-123'])
      expect(normalizeOpaque(id).ok, id).toBe(true);
  });
});
