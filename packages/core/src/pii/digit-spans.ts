import { MASK } from './fold.ts';
import {
  decimalGroups,
  decimalWrittenLikePhone,
  isRound,
  isRoundRange,
  nonIdentifierGroups,
} from './number-shapes.ts';

// Digit-based identifiers (phones, Aadhaar, BD NID, cards) are written with their digits grouped
// however the writer likes: "+880 1711-234567", "2345 6789 0124", "0171/123/4567", "0 1 7 1 1 ...",
// "98.76.54.32.10", "98765ー43210", "Rahim01711234567". This module reads a (folded, masked) value
// as chains of digit groups joined by short separators, and yields every contiguous stretch of groups
// that could be one identifier. Any character that is not a letter, a digit or a mask joins groups
// (and so do letters that are punctuation in print); letters end a chain but do not hide the digits
// next to them. Numbers that are not identifiers
// (decimals, versions, dates, times, ranges of round numbers: see number-shapes.ts) are left out.
// Linear in the input: one pass builds the chains, and a stretch stops growing at 19 digits.

/** The longest stretch worth judging: a 19-digit card number. */
const MAX_STRETCH_DIGITS = 19;
/** The shortest: a phone number in international format ("+65 8123 4567" has 8 digits with its country code). */
const MIN_STRETCH_DIGITS = 8;
/**
 * The longest separator that still joins two groups of one number, in characters, a run of
 * whitespace counting as one: " / " and ", " join, "0171 ---- 1234567" does not.
 */
const MAX_SEPARATOR_UNITS = 3;

// What a character outside the digits is to a chain. Letters and numbers end it, except the letters
// that are punctuation in print: the modifier letters (\p{Lm}: after NFKC what is left of them is
// spacing punctuation, such as the katakana long-vowel mark 'ー' typed as a dash in Japanese, the
// Arabic tatweel, and the apostrophe and colon look-alikes 'ʼ' 'ˈ' 'ː'), the Hangul araea ('ㆍ',
// typed as a middle dot in Korean; NFKC makes it U+119E), the sinological dot and the click letters
// that look like '|' and '!'. A combining mark belongs to the character before it: a struck-through
// separator still separates.
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;
const PUNCTUATION_LETTER = /[\p{Lm}\u01C0-\u01C3\u119E\u318D\uA78F]/u;
const MARK = /\p{M}/u;
const SPACE = /\s/;

/** `end`: a letter, a number or a mask; `mark`: a combining mark, part of whatever precedes it. */
type CharKind = 'end' | 'space' | 'separator' | 'mark';

function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

function asciiKind(code: number): CharKind {
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return 'end';
  return code === 32 || (code >= 9 && code <= 13) ? 'space' : 'separator';
}

function kindOf(char: string): CharKind {
  if (char === MASK) return 'end';
  if (MARK.test(char)) return 'mark';
  if (LETTER_OR_NUMBER.test(char)) return PUNCTUATION_LETTER.test(char) ? 'separator' : 'end';
  return SPACE.test(char) ? 'space' : 'separator';
}

/** Digit groups joined by separators: `groups[i]` and `groups[i + 1]` are joined by `separators[i]`. */
export interface DigitChain {
  /** The groups of digits, e.g. `['0171', '123', '4567']` for `0171/123/4567`. */
  groups: readonly string[];
  /** The separators between the groups, e.g. `['/', '/']`. */
  separators: readonly string[];
  /** Per group: written with a `+` just before it (international phone format), e.g. `+880 1711`. */
  plus: readonly boolean[];
  /**
   * A decimal number written like a phone number ("98765.43210"), as one group: read by the phone
   * rule only, never by the id rules. Default: false.
   */
  phoneOnly?: boolean;
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
  /** Read by the phone rule only (see {@link DigitChain.phoneOnly}). */
  phoneOnly: boolean;
}

/** Groups `first` to `end - 1` of a chain, as a chain. */
function slice(chain: DigitChain, first: number, end: number): DigitChain {
  return {
    groups: chain.groups.slice(first, end),
    separators: chain.separators.slice(first, end - 1),
    plus: chain.plus.slice(first, end),
  };
}

/**
 * Visits a part of a chain between numbers that are not identifiers, less the decimal numbers it
 * starts with ("3.5, 2.25, 01711234567"), unless it is a range of round numbers. A decimal written
 * like a phone number is also visited, as one phone-only group.
 */
function visitPart(part: DigitChain, visit: (chain: DigitChain) => void): void {
  let first = 0;
  for (let decimal = decimalGroups(part, first); decimal > 0; decimal = decimalGroups(part, first)) {
    if (decimal === 2 && decimalWrittenLikePhone(part, first)) {
      visit({
        groups: [part.groups[first]! + part.groups[first + 1]!],
        separators: [],
        plus: [part.plus[first]!],
        phoneOnly: true,
      });
    }
    first += decimal;
  }
  if (first >= part.groups.length) return;
  const rest = first === 0 ? part : slice(part, first, part.groups.length);
  if (!isRoundRange(rest)) visit(rest);
}

/** Visits the parts of a chain that versions, dates and times leave, each through {@link visitPart}. */
function visitParts(chain: DigitChain, visit: (chain: DigitChain) => void): void {
  const taken = nonIdentifierGroups(chain);
  if (taken === undefined) {
    visitPart(chain, visit);
    return;
  }
  let first = 0;
  for (let g = 0; g <= taken.length; g++) {
    if (g < taken.length && taken[g] === 0) continue;
    if (g > first) visitPart(slice(chain, first, g), visit);
    first = g + 1;
  }
}

/**
 * Calls `visit` with every chain of digit groups in `text`: maximal runs of digit groups joined by
 * separators of at most three characters that are neither letters, digits nor {@link MASK} (a run of
 * whitespace counts as one; letters that are punctuation in print, such as 'ー', join). Digits glued
 * to letters are a chain of their own (`Rahim01711234567` holds the chain `01711234567`). Versions,
 * dates and times split a chain and are left out, as are decimal numbers at the start of a part
 * (a decimal written like a phone number is also visited, as one phone-only group), and ranges of
 * round numbers are not visited.
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
    let char: string;
    let kind: CharKind;
    if (code < 128) {
      char = text[i]!;
      kind = asciiKind(code);
    } else {
      char = String.fromCodePoint(text.codePointAt(i)!);
      kind = kindOf(char);
    }
    i += char.length;
    if (kind === 'end') {
      flush();
      pending = '';
      units = 0;
      plusUnit = -1;
      inSpace = false;
    } else if (kind === 'space') {
      if (!inSpace) units++;
      inSpace = true;
      pending += char;
    } else if (kind === 'separator') {
      units++;
      inSpace = false;
      if (char === '+') plusUnit = units;
      pending += char;
    } else {
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
      visit({ digits, plus: chain.plus[first]!, first, last, phoneOnly: chain.phoneOnly === true });
    }
  }
}
