import { isRound } from './number-shapes.ts';

// Identity-document numbers made of letters and then digits, which the digit rules cannot see: the
// letters belong to the number, and seven digits are too few to be judged alone.
//
// - Passport: Indian passports are one letter and seven digits (J8369854); Bangladeshi
//   machine-readable passports two letters and seven (BM0123456), and e-passports one letter and
//   eight (A01234567), the shape ICAO 9303 allows for nine characters.
// - Voter id: India's EPIC (the Electors Photo Identity Card, the id most West Bengal services ask
//   for) is three letters and seven digits (WBA1234567).
//
// Neither carries a check digit, so these are shapes, and they are kept narrow as PAN's: upper-case
// letters only (lower-case hex, as in a short commit or key id, is what 'a1234567' looks like), the
// letters glued to the digits as the documents print them (so that "BDT 1234567" and
// "INR 1500000-2000000", amounts in a salary band, are not read as ids), the whole number standing
// apart from other letters and digits (nothing inside a token body, a digest or a longer code
// matches), and digits that are not a round number ("TK1500000" is an amount). What they cost: a
// code of the same shape in a label (an invoice 'INV1234567', a ward 'A1234567') is quarantined too.
// Fail closed: a label has no business holding a serial number.
const PASSPORT = /(?<![A-Za-z0-9])(?:[A-Z]{1,2}(\d{7})|[A-Z](\d{8}))(?![A-Za-z0-9])/g;
const VOTER_ID = /(?<![A-Za-z0-9])[A-Z]{3}(\d{7})(?![A-Za-z0-9])/g;

/** The fewest digits either shape has: below this, neither regular expression needs to run. */
export const MIN_DIGITS_FOR_DOCUMENT_RULES = 7;

// True when a match of `pattern` (its digits in the first group that took part) is not a round number.
function containsShape(pattern: RegExp, folded: string): boolean {
  for (const match of folded.matchAll(pattern)) {
    const digits = match[1] ?? match[2] ?? '';
    if (!isRound(digits)) return true;
  }
  return false;
}

/**
 * Whether a (folded) value contains an Indian or Bangladeshi passport number.
 *
 * @example containsPassport('passport J8369854') // true
 */
export function containsPassport(folded: string): boolean {
  return containsShape(PASSPORT, folded);
}

/**
 * Whether a (folded) value contains an Indian voter id (EPIC number).
 *
 * @example containsVoterId('EPIC WBA1234567') // true
 */
export function containsVoterId(folded: string): boolean {
  return containsShape(VOTER_ID, folded);
}
