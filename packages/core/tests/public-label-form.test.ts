import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clinicbook, validateEvent } from '../src/index.ts';
import { rulesIn } from '../src/pii/scan-value.ts';
import { booked } from './events.ts';

// One label typed on two keyboards must be one value: otherwise one district or department is two
// aggregate cells (each smaller, so more often suppressed) and two values downstream.
describe('public labels are compared in one Unicode form (NFC)', () => {
  const departmentOf = (department: string) => {
    const result = validateEvent(clinicbook, { ...booked, department });
    if (!result.ok) throw new Error(result.error.message);
    return result.event.data.department;
  };

  it.each([
    // Bengali RRA: U+09DC is a composition exclusion, so NFC is DDA + NUKTA either way.
    ['Bengali ড় precomposed or with a nukta', 'বা\u09DCি ওয়ার্ড', 'বা\u09A1\u09BCি ওয়ার্ড'],
    // Devanagari QA: the same kind of exclusion.
    ['Devanagari क़ precomposed or with a nukta', '\u0958ल्ब', '\u0915\u093Cल्ब'],
    ['Latin é precomposed or decomposed', 'Caf\u00E9 clinic', 'Cafe\u0301 clinic'],
    ['Bengali ো as one sign or as its two parts', 'ক\u09CBষ', 'ক\u09C7\u09BEষ'],
  ])('%s: one value', (_, one, other) => {
    expect(one).not.toBe(other);
    expect(departmentOf(one)).toBe(departmentOf(other));
    expect(departmentOf(one)).toBe(one.normalize('NFC'));
  });

  it.each([
    ['a no-break space', '\u00A0'],
    ['an en space', '\u2002'],
    ['a thin space', '\u2009'],
    ['a narrow no-break space', '\u202F'],
    ['an ideographic space', '\u3000'],
  ])('reads a label with %s as the one with a plain space', (_, space) => {
    expect(departmentOf(`ward${space}12`)).toBe('ward 12');
    expect(departmentOf(`ওয়ার্ড${space}১২`)).toBe('ওয়ার্ড ১২'.normalize('NFC'));
  });

  it('leaves ASCII labels as they are (the same string)', () => {
    expect(departmentOf('cardiology')).toBe('cardiology');
    expect(departmentOf('ward 12')).toBe('ward 12');
  });

  it.each([
    ['a space before', ' ward 12'],
    ['a space after', 'ward 12 '],
    ['two spaces inside', 'ward  12'],
    ['all of them, with wide spaces', '\u00A0 ward \u3000 12  '],
  ])('reads a label with %s as the plain one', (_, label) => {
    expect(departmentOf(label)).toBe('ward 12');
  });

  it('refuses a label of spaces alone: trimmed, it no longer fits (min 1)', () => {
    const result = validateEvent(clinicbook, { ...booked, department: '   ' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues).toEqual([
      expect.objectContaining({ path: 'department', code: 'not_normalizable' }),
    ]);
  });
});

describe('a label that NFC makes longer', () => {
  it('is refused when its composed form no longer fits the field, not forwarded past the bound', () => {
    // 64 precomposed RRA (U+09DC) fit the 64-unit label; NFC makes each two units.
    const department = '\u09DC'.repeat(64);
    const result = validateEvent(clinicbook, { ...booked, department });
    expect(result).toMatchObject({ ok: false, reason: 'invalid' });
    if (result.ok) return;
    expect(result.error.issues).toEqual([
      expect.objectContaining({ path: 'department', code: 'not_normalizable' }),
    ]);
    // Shorter, it fits composed and passes.
    const fits = validateEvent(clinicbook, { ...booked, department: '\u09DC'.repeat(32) });
    expect(fits.ok && fits.event.data.department).toBe('\u09DC'.repeat(32).normalize('NFC'));
  });
});

// The stored form is what leaves the region and becomes a dimension: a label that validates must be
// clean in that form too, however its spaces were typed. Pieces of identifiers, joined by runs of
// spaces the form collapses, with words around them.
const PIECES: readonly (readonly string[])[] = [
  ['rahim.uddin', 'gmail', 'com'],
  ['rahim_', 'yahoo_', 'co_', 'in'],
  ['rahim.uddin@', 'gmail'],
  ['0171', '123', '4567'],
  ['+880', '1711', '234567'],
  ['2345', '6789', '0124'],
  ['WBA1234567'],
  ['ABCPE1234F'],
];
const spaceRun = fc
  .array(fc.constantFrom(' ', '\u00A0', '\u3000', '\u2009'), { minLength: 1, maxLength: 12 })
  .map((spaces) => spaces.join(''));
const labelArb = fc
  .tuple(
    fc.constantFrom(...PIECES),
    fc.array(spaceRun, { minLength: 3, maxLength: 3 }),
    fc.constantFrom('', 'ward ', 'note: '),
    fc.constantFrom('', ' clinic', '.'),
  )
  .map(
    ([pieces, runs, before, after]) =>
      before + pieces.map((p, i) => (i === 0 ? p : runs[i - 1] + p)).join('') + after,
  )
  .filter((label) => label.length <= 64);

describe('public labels are scanned in the form they are stored in', () => {
  it('refuses a label whose stored form holds personal data, however its spaces were typed', () => {
    fc.assert(
      fc.property(labelArb, (department) => {
        // Act
        const result = validateEvent(clinicbook, { ...booked, department });
        // Assess: refused as personal data, or stored clean
        if (result.ok) expect(rulesIn(String(result.event.data.department))).toEqual([]);
        else expect(result.error.issues.map((issue) => issue.code)).toContain('personal_data');
      }),
      { numRuns: 400 },
    );
  });

  it('refuses "rahim.uddin    gmail    com", which reads as an address once its spaces are one', () => {
    const result = validateEvent(clinicbook, { ...booked, department: 'rahim.uddin    gmail    com' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues).toContainEqual(
      expect.objectContaining({ path: 'department', code: 'personal_data' }),
    );
  });
});
