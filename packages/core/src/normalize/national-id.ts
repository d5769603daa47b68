import { verhoeffValid } from '../pii/checksums.ts';
import { foldIdentifier } from './fold.ts';
import { invalid, type Normalized } from './result.ts';

/**
 * Normalizes a national id to canonical digits with its scheme, so the same card read with
 * spaces, dashes or native digits gives one identifier:
 * - Aadhaar (India): 12 digits, first digit 2-9, valid Verhoeff check digit → `IN-AADHAAR:<12 digits>`.
 * - Bangladesh NID: 10 digits (smart card), 13 digits, or 17 digits (13 with the birth year in front)
 *   → `BD-NID:<digits>`. BD NIDs carry no public check digit, so only length and shape are checked.
 *
 * @example normalizeNationalId('2345 6789 0124') // Aadhaar with its check digit
 */
export function normalizeNationalId(raw: string): Normalized {
  const text = foldIdentifier(raw).trim();
  if (text.length > 40 || /[^\d\s-]/.test(text))
    return invalid('invalid_national_id', 'contains characters other than digits');
  const digits = text.replace(/[\s-]/g, '');
  if (digits.length === 12) {
    if (!/^[2-9]/.test(digits))
      return invalid('invalid_national_id', 'an Aadhaar number cannot start with 0 or 1');
    if (!verhoeffValid(digits)) return invalid('invalid_national_id', 'Aadhaar check digit is wrong');
    return { ok: true, value: `IN-AADHAAR:${digits}` };
  }
  if (digits.length === 10 || digits.length === 13) return { ok: true, value: `BD-NID:${digits}` };
  if (digits.length === 17) {
    const year = Number(digits.slice(0, 4));
    if (year < 1900 || year > 2100)
      return invalid('invalid_national_id', 'a 17-digit NID starts with a birth year');
    return { ok: true, value: `BD-NID:${digits}` };
  }
  return invalid('invalid_national_id', 'not 12 digits (Aadhaar) or 10, 13 or 17 digits (Bangladesh NID)');
}
