import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { foldIdentifier } from './fold.ts';
import { invalid, type Normalized } from './result.ts';

/**
 * Normalizes a phone number to E.164 with libphonenumber-js (full metadata, so mobile ranges are
 * checked), reading local formats in the tenant's country. `+880 1711-234567`, `01711234567` and
 * `8801711234567` are one number for a Bangladeshi tenant.
 *
 * @example normalizePhone('01711-234567', 'BD') // { ok: true, value: '+8801711234567' }
 */
export function normalizePhone(raw: string, defaultCountry: CountryCode): Normalized {
  const text = foldIdentifier(raw).trim();
  if (text.length > 40) return invalid('invalid_phone', 'too long for a phone number');
  if (/[^\d\s()+.-]/.test(text))
    return invalid('invalid_phone', 'contains characters other than digits and separators');
  const candidates = [text];
  // Country code written without '+' (8801711234567, 919876543210): libphonenumber would read
  // it as a national number of the default country; try it as international too.
  if (/^\d{11,15}$/.test(text.replace(/\D/g, '')) && !text.startsWith('+') && !text.startsWith('0')) {
    candidates.push(`+${text.replace(/\D/g, '')}`);
  }
  for (const candidate of candidates) {
    const parsed = parsePhoneNumberFromString(candidate, defaultCountry);
    if (parsed?.isValid()) return { ok: true, value: parsed.number };
  }
  return invalid(
    'invalid_phone',
    `not a valid phone number for ${defaultCountry} or in international format`,
  );
}
