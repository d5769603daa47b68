// Digit-based identifiers (phones, Aadhaar, BD NID, cards) are written with their digits grouped:
// "+880 1711-234567", "2345 6789 0124", "4111-1111-1111-1111". This module finds runs of digit
// groups joined by short separators and yields every contiguous stretch of groups that could be
// one identifier, with what the rules need to judge it. Linear in the input: the span pattern has
// no nested quantifiers over the same characters, and a stretch stops growing at 19 digits.

const SPAN = /(\+\s?\(?|\(\+?\s?)?\d+(?:[ \t.()-]{1,3}\d+)*/g;
const ALNUM = /[A-Za-z0-9]/;
const DIGIT = /\d/;
const EXPONENT_END = /[\d.][eE]$/;
const DIGIT_GROUP = /\d+/g;
const SEPARATOR = /[ \t.()-]+/g;

/** The longest stretch worth judging: a 19-digit card number. */
const MAX_STRETCH_DIGITS = 19;
/** The shortest: a phone number in international format ("+65 8123 4567" has 8 digits with its country code). */
const MIN_STRETCH_DIGITS = 8;
/** No identifier is written in more than 6 groups ("+880 17 11 23 45 67"); lists of numbers are. */
const MAX_STRETCH_GROUPS = 6;

/** One contiguous stretch of digit groups that may be an identifier. */
export interface DigitStretch {
  /** The digits only, e.g. `8801711234567`. */
  digits: string;
  /** Written with a leading `+` (international phone format). */
  plus: boolean;
  /** Part of a number written with a leading `+`, though not necessarily from its start. */
  international: boolean;
  /** The length of each digit group, e.g. `[4, 4, 4]` for `2345 6789 0124`. */
  groupLengths: readonly number[];
  /** The separators between the groups, e.g. `[' ', ' ']` for `2345 6789 0124`. */
  separators: readonly string[];
}

/**
 * Whether a separator next to a stretch makes it part of a longer number instead: a lone `.` (or
 * `,`) between digits is a decimal point, so `12.3456789012` holds no 10-digit identifier.
 */
function isDecimalPoint(separator: string | undefined): boolean {
  return separator === '.' || separator === ',';
}

/** True when the character at `index` glues a digit group to a word or a number on that side. */
function gluedAt(text: string, index: number, towards: -1 | 1): boolean {
  const char = text[index];
  if (char === undefined) return false;
  if (ALNUM.test(char)) return true;
  // 1,2345678901 and 12345678901.5: a comma or point between digits continues the number.
  if (isDecimalPoint(char)) return DIGIT.test(text[index + towards] ?? '');
  // 5e-324: an exponent belongs to the number before it.
  return (
    towards === -1 &&
    (char === '-' || char === '+') &&
    EXPONENT_END.test(text.slice(Math.max(0, index - 2), index))
  );
}

/**
 * Calls `visit` with every stretch of consecutive digit groups in `text` that stands apart from
 * words and could be an identifier (8 to 19 digits, at most 6 groups). Digits glued to letters
 * (`tel01711234567`, hex digests, token bodies) or continuing a decimal number are not
 * identifiers by themselves and are never visited.
 *
 * @example forEachStretch('call +880 1711-234567', (s) => s.digits) // visits '8801711234567', ...
 */
export function forEachStretch(text: string, visit: (stretch: DigitStretch) => void): void {
  for (const match of text.matchAll(SPAN)) {
    const start = match.index;
    const prefix = match[1] ?? '';
    const body = match[0].slice(prefix.length);
    const groups = body.match(DIGIT_GROUP)!;
    const separators = body.match(SEPARATOR) ?? [];
    const gluedStart = gluedAt(text, start - 1, -1);
    const gluedEnd = gluedAt(text, start + match[0].length, 1);
    const plus = prefix.includes('+') && !gluedStart;
    visitStretches(groups, separators, plus, gluedStart, gluedEnd, visit);
  }
}

function visitStretches(
  groups: readonly string[],
  separators: readonly string[],
  plus: boolean,
  gluedStart: boolean,
  gluedEnd: boolean,
  visit: (stretch: DigitStretch) => void,
): void {
  const last = groups.length - 1;
  for (let first = gluedStart ? 1 : 0; first <= last; first++) {
    // A stretch may not begin right after a decimal point: "3.1415926535" is not "1415926535".
    if (first > 0 && isDecimalPoint(separators[first - 1])) continue;
    let digits = '';
    for (let end = first; end <= last && end - first < MAX_STRETCH_GROUPS; end++) {
      digits += groups[end]!;
      if (digits.length > MAX_STRETCH_DIGITS) break;
      if (end === last && gluedEnd) break;
      if (end < last && isDecimalPoint(separators[end])) continue;
      if (digits.length < MIN_STRETCH_DIGITS) continue;
      visit({
        digits,
        plus: plus && first === 0,
        international: plus,
        groupLengths: groups.slice(first, end + 1).map((g) => g.length),
        separators: separators.slice(first, end),
      });
    }
  }
}
