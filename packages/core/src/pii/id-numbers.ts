import { luhnValid, verhoeffValid } from './checksums.ts';
import type { PiiRuleId } from './rules.ts';

// Bangladesh district codes (Bangladesh Bureau of Statistics geocodes) for all 64 districts. The
// 13-digit NID is district (2) + RMO area type (1) + upazila (2) + union or ward (2) + serial (6);
// the 17-digit NID puts the holder's birth year in front.
const BD_DISTRICTS = new Set([
  1, 3, 4, 6, 9, 10, 12, 13, 15, 18, 19, 22, 26, 27, 29, 30, 32, 33, 35, 36, 38, 39, 41, 42, 44, 46, 47, 48,
  49, 50, 51, 52, 54, 55, 56, 57, 58, 59, 61, 64, 65, 67, 68, 69, 70, 72, 73, 75, 76, 77, 78, 79, 81, 82, 84,
  85, 86, 87, 88, 89, 90, 91, 93, 94,
]);
// RMO code: 1 rural, 2 municipality, 3 urban outside a municipality, 4 other, 5 cantonment,
// 9 city corporation.
const BD_RMO = new Set(['1', '2', '3', '4', '5', '9']);

function isBdArea(digits13: string): boolean {
  return BD_DISTRICTS.has(Number(digits13.slice(0, 2))) && BD_RMO.has(digits13[2]!);
}

/**
 * Bangladesh NID: any 10-digit number (smart card NIDs have no public structure or check digit),
 * a 13-digit number with a real district and RMO code, or a 17-digit number made of a birth year
 * (1900-2099) and such a 13-digit number.
 */
function isBdNid(digits: string): boolean {
  if (digits.length === 10) return digits[0] !== '0';
  if (digits.length === 13) return isBdArea(digits);
  if (digits.length === 17) return /^(?:19|20)/.test(digits) && isBdArea(digits.slice(4));
  return false;
}

/**
 * Payment card number: 13 to 19 digits passing Luhn. 13-digit numbers were only ever Visa (a 4);
 * requiring it keeps 13-digit epoch milliseconds, which start with 1, from being cards.
 */
function isCard(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19 || digits[0] === '0') return false;
  if (digits.length === 13 && digits[0] !== '4') return false;
  return luhnValid(digits);
}

/** Aadhaar: 12 digits, the first 2-9, the last a valid Verhoeff check digit. */
function isAadhaar(digits: string): boolean {
  return digits.length === 12 && digits[0] !== '0' && digits[0] !== '1' && verhoeffValid(digits);
}

/**
 * The national-id and card rules a stretch of digits satisfies (several can: a 13-digit Visa
 * number may also look like an old BD NID), however its digits are grouped: a number written
 * "2345 67890124", "2345.6789.0124" or "1990 2612 3451 23456" is read as its digits. Stretches
 * inside a valid international phone number are left to the phone rule (the caller skips them):
 * "+91 98765 43210" is not also a 10-digit BD NID.
 *
 * @example idRulesFor('234567890124') // ['aadhaar']
 */
export function idRulesFor(digits: string): PiiRuleId[] {
  const found: PiiRuleId[] = [];
  if (digits.length < 10) return found;
  if (isAadhaar(digits)) found.push('aadhaar');
  if (isBdNid(digits)) found.push('bd-nid');
  if (isCard(digits)) found.push('card');
  return found;
}
