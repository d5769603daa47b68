import type { DigitChain } from './digit-spans.ts';

// Numbers written with separators that are not identifiers, recognized in a chain of digit groups
// (see digit-spans.ts) so that their digits are never read as a phone or a national id: decimals
// and amounts ("12.3456789012", "12,345,678.90"), versions and OIDs ("10.0.19045.2965",
// "1.3.6.1.4.1.311.21.8"), dates ("29.11.2026", "11/29/2026"), times ("14:30:05.123456") and
// ranges of round numbers ("10000-50000"). Each shape is pinned tightly enough that the usual ways
// of grouping a phone number or an id ("98.76.54.32.10", "0171.234.5678", "2345.6789.0124") are not
// one. Every check is linear in the chain.

/** A round number has at most this many significant digits (bucket bounds: 500, 10000, 25000). */
const ROUND_SIGNIFICANT_DIGITS = 2;
/** Versions and OIDs have short parts; a longer one is a phone or an id ("1.0.1711234567"). */
const MAX_VERSION_PART_DIGITS = 9;
/** The fewest digits in the first group of a decimal written like a phone ("98765.43210", "1711.234567"). */
const MIN_PHONE_GROUP_DIGITS = 4;
/**
 * A national number after a three-digit country code: "880.1711234567". A two-digit one is left
 * out: "91.9876543210" is also a longitude in Bangladesh or north-east India to ten places.
 */
const NATIONAL_NUMBER_DIGITS = 10;
const COUNTRY_CODE_DIGITS = 3;
const MIN_YEAR = 1800;
const MAX_YEAR = 2099;
const MAX_MINUTE = 59;

const RANGE_DASH = /^\s*-\s*$/;
/** Between a date and its time: a space, or a comma and a space. */
const DATE_TIME_SEPARATOR = /^,?\s+$/;
/** Thousands separators as written in amounts, after folding (a no-break or thin space is a space). */
const THOUSANDS = new Set([',', '.', ' ', "'", '\u2019']);

/** A number as one writes it: no leading zero, unless it is the zero itself. */
function wellFormed(group: string): boolean {
  return group.length === 1 || group[0] !== '0';
}

/**
 * A round number (`1000000000`, `25000`): well-formed, at most two significant digits. Bucket
 * bounds and counts are round; an identifier's digits are random, and one is round by chance about
 * once in 10^8.
 */
export function isRound(digits: string): boolean {
  if (!wellFormed(digits)) return false;
  // A loop, not `/0+$/`: that is quadratic on a long group of zeros followed by another digit.
  let significant = digits.length;
  while (significant > 0 && digits[significant - 1] === '0') significant--;
  return significant <= ROUND_SIGNIFICANT_DIGITS;
}

/** A bucket or band such as "10000-50000": two round numbers joined by a dash, ascending. */
export function isRoundRange(chain: DigitChain): boolean {
  if (chain.groups.length !== 2 || !RANGE_DASH.test(chain.separators[0]!)) return false;
  const [low, high] = chain.groups as [string, string];
  return isRound(low) && isRound(high) && Number(low) < Number(high);
}

function isPoint(separator: string | undefined): boolean {
  return separator === '.' || separator === ',';
}

/**
 * How many groups from group `first` make an integer part with thousands separators, Western
 * ("12,345,678") or Indian ("1,23,45,678"), or 0: a head of one to three digits, then groups of
 * three, or groups of two and a last one of three, all joined by the same separator.
 */
function thousandsGroups(chain: DigitChain, first: number): number {
  const { groups, separators } = chain;
  const mark = separators[first]!;
  if (!THOUSANDS.has(mark) || groups[first]!.length > 3) return 0;
  let last = first + 1;
  while (last < groups.length && groups[last]!.length === 2 && separators[last - 1] === mark) last++;
  if (last >= groups.length || groups[last]!.length !== 3 || separators[last - 1] !== mark) return 0;
  if (last === first + 1) {
    while (last + 1 < groups.length && groups[last + 1]!.length === 3 && separators[last] === mark) last++;
  }
  return last - first + 1;
}

/**
 * How many groups from group `first` are a decimal number, or 0: a well-formed integer part, a
 * lone `.` or `,`, and a fraction, the point not repeated after it ("2345.6789.0124" and
 * "1,234,567,890" are groupings, not decimals). The integer part may have thousands separators
 * other than the point ("12,345,678.90", "12.345.678,90", "12 345 678,90"). "01711,234567" is no
 * decimal (an integer part does not start with 0).
 *
 * @example decimalGroups({ groups: ['12', '345', '678', '90'], separators: [',', ',', '.'], plus }, 0) // 4
 */
export function decimalGroups(chain: DigitChain, first: number): number {
  const { groups, separators } = chain;
  if (groups.length - first < 2 || !wellFormed(groups[first]!)) return 0;
  const integer = thousandsGroups(chain, first);
  const fraction = first + integer;
  if (integer > 0 && fraction < groups.length) {
    const point = separators[fraction - 1];
    if (isPoint(point) && point !== separators[first] && separators[fraction] !== point) return integer + 1;
  }
  const point = separators[first];
  return isPoint(point) && separators[first + 1] !== point ? 2 : 0;
}

/**
 * Whether the two-group decimal at group `first` is written like a phone number, so that its
 * digits together are also read by the phone rule (never by the id rules: a 10-digit BD NID has no
 * check digit, and every such decimal would be one). Written like a phone: after a `+`
 * ("+8801711.234567"); in two groups of four digits or more, the first no longer than the second,
 * as numbers are split ("98765.43210", "1711.234567"); or as a country code and a national number
 * ("880.1711234567"). Coordinates ("90.41251812"), percentages, amounts ("12345.67", "775690.7944")
 * and probabilities ("0.1711234567") are none of these.
 */
export function decimalWrittenLikePhone(chain: DigitChain, first: number): boolean {
  if (chain.plus[first]) return true;
  const integer = chain.groups[first]!.length;
  const fraction = chain.groups[first + 1]!.length;
  if (integer >= MIN_PHONE_GROUP_DIGITS && fraction >= integer) return true;
  return integer === COUNTRY_CODE_DIGITS && fraction === NATIONAL_NUMBER_DIGITS;
}

function inRange(group: string, low: number, high: number): boolean {
  const value = Number(group);
  return group.length <= 2 && value >= low && value <= high;
}

function isYear(group: string): boolean {
  const value = Number(group);
  return group.length === 4 && value >= MIN_YEAR && value <= MAX_YEAR;
}

/** Day, month and year in one of the orders people write: D.M.Y, M/D/Y, Y.M.D. */
function isDate(first: string, second: string, third: string): boolean {
  if (isYear(first)) return inRange(second, 1, 12) && inRange(third, 1, 31);
  if (!isYear(third) || !inRange(first, 1, 31) || !inRange(second, 1, 31)) return false;
  return Number(first) <= 12 || Number(second) <= 12;
}

/**
 * A version or OID: parts that are well-formed numbers of at most 9 digits, one of them after the
 * first a single digit ("131.0.6778.86", "1.2.840.113549.1.1.11"), not all of them single digits
 * (that is a number written digit by digit, "0.1.7.1.1.2.3.4.5.6.7"), and no '+' before it
 * ("+33.6.12.34.56.78" is a phone number).
 */
function isVersion(chain: DigitChain, first: number, last: number): boolean {
  if (chain.plus[first]) return false;
  let singleAfterFirst = false;
  let allSingle = true;
  for (let g = first; g <= last; g++) {
    const part = chain.groups[g]!;
    if (!wellFormed(part) || part.length > MAX_VERSION_PART_DIGITS) return false;
    if (part.length === 1) singleAfterFirst ||= g > first;
    else allSingle = false;
  }
  return singleAfterFirst && !allSingle;
}

/**
 * The groups of a time of day or a duration from group `first` (H:MM or H:MM:SS, with the
 * fraction of the seconds), or 0.
 */
function timeGroups(chain: DigitChain, first: number): number {
  const { groups, separators } = chain;
  let last = first;
  while (last - first < 2 && separators[last] === ':') last++;
  if (last === first || separators[last] === ':' || groups[first]!.length > 2) return 0;
  for (let g = first + 1; g <= last; g++) {
    if (groups[g]!.length !== 2 || Number(groups[g]) > MAX_MINUTE) return 0;
  }
  const count = last - first + 1;
  // Seconds with a fraction: "14:30:05.123456", "14:30:05,123".
  return count === 3 && isPoint(separators[last]) && last + 1 < groups.length ? count + 1 : count;
}

/**
 * The groups of a date (the run `first..first + 2`) and of a time of day after it ("29.11.2026
 * 14:30", "11/29/2026, 14:30:05"), or 0. A date with `/` or `-` counts only with its time: people
 * group the digits of phone and card numbers with those two as well, and three such groups can
 * make a date; followed by a time of day, they are a date.
 */
function dateTimeGroups(chain: DigitChain, first: number, separator: string): number {
  const { groups, separators } = chain;
  if (chain.plus[first] || !isDate(groups[first]!, groups[first + 1]!, groups[first + 2]!)) return 0;
  const year = first + 2;
  const time = DATE_TIME_SEPARATOR.test(separators[year] ?? '') ? timeGroups(chain, year + 1) : 0;
  return time > 0 || separator === '.' ? 3 + time : 0;
}

/** How many groups from `first` a run of groups `first..last` joined by `separator` takes from identifiers. */
function runTaken(chain: DigitChain, first: number, last: number, separator: string): number {
  const count = last - first + 1;
  if (separator === ':') {
    // A time alone is taken only with its fraction of seconds: "12:34" groups digits as often.
    const time = count === 3 ? timeGroups(chain, first) : 0;
    return time === 4 ? time : 0;
  }
  if (count === 3) {
    const date = dateTimeGroups(chain, first, separator);
    if (date > 0) return date;
  }
  return separator === '.' && count >= 3 && isVersion(chain, first, last) ? count : 0;
}

/** Separators that join the parts of a version, a date or a time. */
function joinsParts(separator: string): boolean {
  return separator === '.' || separator === '/' || separator === '-' || separator === ':';
}

/**
 * Marks the groups of the chain that belong to a version or OID, a date, or a time of day: a whole
 * run of groups joined by one repeated `.`, `/`, `-` or `:`, never a part of one (in
 * "01.02.2026.5678" no date ends the run), and the time after a date. Returns `undefined` when there
 * are none (the usual case).
 */
export function nonIdentifierGroups(chain: DigitChain): Uint8Array | undefined {
  const { separators } = chain;
  let taken: Uint8Array | undefined;
  for (let first = 0; first < separators.length; ) {
    // separators[first..last - 1] are all the same: they join groups first..last.
    const separator = separators[first]!;
    let last = first + 1;
    while (last < separators.length && separators[last] === separator) last++;
    const count = joinsParts(separator) ? runTaken(chain, first, last, separator) : 0;
    if (count > 0) {
      taken ??= new Uint8Array(chain.groups.length);
      taken.fill(1, first, first + count);
    }
    first = last;
  }
  return taken;
}
