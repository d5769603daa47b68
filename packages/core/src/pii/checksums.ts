import { needs } from '../needs.ts';

// Check-digit algorithms for the identifiers the scanner and the normalizers recognise. A check
// digit is what separates "a 12-digit number" from "an Aadhaar number" (1 in 10 random numbers
// pass), so both the scanner and the normalizers must use the same implementation.

// Verhoeff's tables: multiplication in the dihedral group D5, the position permutation, and the
// inverse. https://en.wikipedia.org/wiki/Verhoeff_algorithm
const D: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const P: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const INV: readonly number[] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

const DIGITS = /^\d+$/;

/** Runs Verhoeff over `digits` (ASCII digits only), as if `offset` more digits followed them. */
function verhoeffState(digits: string, offset: number): number {
  let c = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    c = D[c]![P[(i + offset) % 8]![digit]!]!;
  }
  return c;
}

/**
 * True when `digits` (ASCII digits only, check digit last) passes the Verhoeff check, as Aadhaar
 * numbers do. Anything that is not a non-empty string of ASCII digits is simply not valid.
 *
 * @example verhoeffValid('234567890124') // true
 */
export function verhoeffValid(digits: string): boolean {
  return DIGITS.test(digits) && verhoeffState(digits, 0) === 0;
}

/**
 * The Verhoeff check digit to append to `digits` (ASCII digits only, at least one).
 *
 * @throws InvariantError when `digits` is not a non-empty string of ASCII digits (a caller bug).
 * @example verhoeffCheckDigit('23456789012') // '4'
 */
export function verhoeffCheckDigit(digits: string): string {
  needs(DIGITS.test(digits), 'Precondition: Verhoeff input is ASCII digits');
  return String(INV[verhoeffState(digits, 1)]);
}

/**
 * True when `digits` (ASCII digits only, check digit last) passes the Luhn (mod 10) check, as
 * payment card numbers do. Anything that is not a non-empty string of ASCII digits is not valid.
 *
 * @example luhnValid('4111111111111111') // true
 */
export function luhnValid(digits: string): boolean {
  if (!DIGITS.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
