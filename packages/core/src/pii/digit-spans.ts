import { MASK } from './fold.ts';

// Digit-based identifiers (phones, Aadhaar, BD NID, cards) are written with their digits grouped
// however the writer likes: "+880 1711-234567", "2345 6789 0124", "0171/123/4567", "0 1 7 1 1 ...",
// "Rahim01711234567". This module reads a (folded, masked) value as chains of digit groups joined
// by short separators, and yields every contiguous stretch of groups that could be one identifier.
// Any character that is not a letter, a digit or a mask joins groups; letters end a chain but do
// not hide the digits next to them. Two kinds of chain are numbers, not identifiers: a decimal
// number ("12.3456789012") and a range of round numbers ("10000-50000", a bucket). Linear in the
// input: one pass builds the chains, and a stretch stops growing at 19 digits.

/** The longest stretch worth judging: a 19-digit card number. */
const MAX_STRETCH_DIGITS = 19;
/** The shortest: a phone number in international format ("+65 8123 4567" has 8 digits with its country code). */
const MIN_STRETCH_DIGITS = 8;
/**
 * The longest separator that still joins two groups of one number, in characters, a run of
 * whitespace counting as one: " / " and ", " join, "0171 ---- 1234567" does not.
 */
const MAX_SEPARATOR_UNITS = 3;
/** A round number has at most this many significant digits (bucket bounds: 500, 10000, 25000). */
const ROUND_SIGNIFICANT_DIGITS = 2;

const WORD = /[\p{L}\p{M}\p{N}]/u;
const SPACE = /\s/;
const RANGE_DASH = /^\s*-\s*$/;

/** Digit groups joined by separators: `groups[i]` and `groups[i + 1]` are joined by `separators[i]`. */
export interface DigitChain {
  /** The groups of digits, e.g. `['0171', '123', '4567']` for `0171/123/4567`. */
  groups: readonly string[];
  /** The separators between the groups, e.g. `['/', '/']`. */
  separators: readonly string[];
  /** Per group: written with a `+` just before it (international phone format), e.g. `+880 1711`. */
  plus: readonly boolean[];
}

/** One contiguous stretch of a chain's groups that may be an identifier. */
export interface DigitStretch {
  /** The digits only, e.g. `8801711234567`. */
  digits: string;
  /** Written with a `+` just before its first group (international format). */
  plus: boolean;
  /** Index of its first group in the chain. */
  first: number;
  /** Index of its last group in the chain. */
  last: number;
}

function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** A number as one writes it: no leading zero, unless it is the zero itself. */
function wellFormed(group: string): boolean {
  return group.length === 1 || group[0] !== '0';
}

/**
 * Whether the chain starts with a decimal number: a well-formed integer, a lone `.` or `,`, and
 * a fraction, the point not repeated after it ("2345.6789.0124" and "1,234,567,890" are
 * groupings, not decimals). "01711,234567" is no decimal (an integer part does not start with 0),
 * nor is "(+880) 1711.234567" (the point is inside a longer number).
 */
function startsWithDecimal(chain: DigitChain): boolean {
  const separator = chain.separators[0];
  if (separator !== '.' && separator !== ',') return false;
  return wellFormed(chain.groups[0]!) && chain.separators[1] !== separator;
}

/**
 * A round number (`1000000000`, `25000`): well-formed, at most two significant digits. Bucket
 * bounds and counts are round; an identifier's digits are random, and one is round by chance about
 * once in 10^8.
 */
function isRound(digits: string): boolean {
  if (!wellFormed(digits)) return false;
  // A loop, not `/0+$/`: that is quadratic on a long group of zeros followed by another digit.
  let significant = digits.length;
  while (significant > 0 && digits[significant - 1] === '0') significant--;
  return significant <= ROUND_SIGNIFICANT_DIGITS;
}

/** A bucket or band such as "10000-50000": two round numbers joined by a dash, ascending. */
function isRoundRange(chain: DigitChain): boolean {
  if (chain.groups.length !== 2 || !RANGE_DASH.test(chain.separators[0]!)) return false;
  const [low, high] = chain.groups as [string, string];
  return isRound(low) && isRound(high) && Number(low) < Number(high);
}

/** Visits a chain, less a decimal number it starts with, unless it is a range of round numbers. */
function visitParts(chain: DigitChain, visit: (chain: DigitChain) => void): void {
  let part = chain;
  if (startsWithDecimal(chain)) {
    if (chain.groups.length < 4) return;
    part = {
      groups: chain.groups.slice(2),
      separators: chain.separators.slice(2),
      plus: chain.plus.slice(2),
    };
  }
  if (!isRoundRange(part)) visit(part);
}

/**
 * Calls `visit` with every chain of digit groups in `text`: maximal runs of digit groups joined by
 * separators of at most three characters that are neither letters, digits nor {@link MASK} (a run of
 * whitespace counts as one). Digits glued to letters are a chain of their own (`Rahim01711234567`
 * holds the chain `01711234567`). A decimal number at the start of a chain is left out, and
 * ranges of round numbers are not visited.
 *
 * @example forEachChain('call 0171/123/4567', (c) => c.groups) // visits ['0171', '123', '4567']
 */
export function forEachChain(text: string, visit: (chain: DigitChain) => void): void {
  let groups: string[] = [];
  let separators: string[] = [];
  let plus: boolean[] = [];
  let pending = '';
  let units = 0;
  let plusUnit = -1;
  let inSpace = false;
  const flush = () => {
    if (groups.length > 0) visitParts({ groups, separators, plus }, visit);
    groups = [];
    separators = [];
    plus = [];
  };
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (isDigitCode(code)) {
      let end = i + 1;
      while (end < text.length && isDigitCode(text.charCodeAt(end))) end++;
      const group = text.slice(i, end);
      if (groups.length > 0 && units <= MAX_SEPARATOR_UNITS) separators.push(pending);
      else flush();
      // "+880", "(+880)", "+ (880": a '+' among the last three separator characters. It does not
      // break the chain: "0171+1234567" is still one number.
      plus.push(plusUnit !== -1 && units - plusUnit < MAX_SEPARATOR_UNITS);
      groups.push(group);
      pending = '';
      units = 0;
      plusUnit = -1;
      inSpace = false;
      i = end;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(i)!);
    i += char.length;
    if (char === MASK || WORD.test(char)) {
      flush();
      pending = '';
      units = 0;
      plusUnit = -1;
      inSpace = false;
    } else if (SPACE.test(char)) {
      if (!inSpace) units++;
      inSpace = true;
      pending += char;
    } else {
      units++;
      inSpace = false;
      if (char === '+') plusUnit = units;
      pending += char;
    }
  }
  flush();
}

/**
 * Calls `visit` with every stretch of consecutive groups of `chain` that has 8 to 19 digits and is
 * not a round number.
 *
 * @example forEachStretch({ groups: ['0171', '1234567'], separators: ['|'], plus: [false, false] }, (s) => s.digits) // visits '01711234567'
 */
export function forEachStretch(chain: DigitChain, visit: (stretch: DigitStretch) => void): void {
  const { groups } = chain;
  for (let first = 0; first < groups.length; first++) {
    let digits = '';
    for (let last = first; last < groups.length; last++) {
      digits += groups[last]!;
      if (digits.length > MAX_STRETCH_DIGITS) break;
      if (digits.length < MIN_STRETCH_DIGITS || isRound(digits)) continue;
      visit({ digits, plus: chain.plus[first]!, first, last });
    }
  }
}
