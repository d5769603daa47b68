import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { DigitStretch } from './digit-spans.ts';

// Cheap shapes a stretch must have before libphonenumber-js (about 20 us a parse) judges it.
// Local formats of the region's mobiles, with or without the trunk 0 or the country code:
// Bangladesh 01[3-9]XXXXXXXX, 8801[3-9]XXXXXXXX; India [6-9]XXXXXXXXX, 0..., 91...
const BD_MOBILE = /^(?:880|0|8800)?1[3-9]\d{8}$/;
const IN_MOBILE = /^(?:91|0)?[6-9]\d{9}$/;
// A trunk-prefixed national number (a landline, "033 2345 6789"): 9 to 12 digits after a lone 0.
const TRUNK_PREFIXED = /^0[1-9]\d{7,10}$/;
// International format: the country code and number, 8 to 15 digits (E.164 allows 15).
const INTERNATIONAL = /^[1-9]\d{7,14}$/;

/**
 * Parses allowed per scanned value. A value with more phone-shaped candidates than this is a list
 * of numbers, and is reported as containing a phone number rather than checked at 20 us apiece
 * (fail closed, and a bound on the time an adversarial value can cost).
 */
const MAX_PARSES_PER_VALUE = 32;

type Validity = 'valid' | 'mobile';

/** libphonenumber-js behind a per-value cache and budget. */
class PhoneParser {
  private parsesLeft = MAX_PARSES_PER_VALUE;
  private readonly seen = new Map<string, boolean>();

  check(text: string, country: CountryCode | undefined, wanted: Validity): boolean {
    const key = `${wanted}:${country ?? ''}:${text}`;
    const known = this.seen.get(key);
    if (known !== undefined) return known;
    if (this.parsesLeft <= 0) return true;
    this.parsesLeft--;
    const parsed = parsePhoneNumberFromString(text, country);
    const type = wanted === 'mobile' ? parsed?.getType() : undefined;
    const result =
      wanted === 'valid' ? parsed?.isValid() === true : type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
    this.seen.set(key, result);
    return result;
  }
}

/** "98765.43210" is a decimal number, not a dotted phone number ("017.1123.4567" is one). */
function decimalLike(stretch: DigitStretch): boolean {
  return !stretch.plus && stretch.groupLengths.length === 2 && stretch.separators[0] === '.';
}

// Grouped local numbers start with the trunk 0 or the country code ("01711 234567", "880 1711
// 234567"); Indians also write mobiles bare as 98765 43210 or 987 654 3210. Without that, two
// counts side by side ("130 1000000") would read as a number without its 0. An unbroken run
// without the 0 is still a phone: it is how a number stored as a JSON integer comes out.
const BD_GROUPED = /^(?:0|880)/;
const IN_GROUPED = /^(?:0|91)/;
const IN_BARE_GROUPS = /^(?:5-5|3-3-4)$/;

function bdLocal(stretch: DigitStretch, parser: PhoneParser): boolean {
  const { digits } = stretch;
  if (!BD_MOBILE.test(digits)) return false;
  if (stretch.groupLengths.length > 1 && !BD_GROUPED.test(digits)) return false;
  return parser.check(digits.startsWith('880') ? `+${digits}` : digits, 'BD', 'valid');
}

function inLocal(stretch: DigitStretch, parser: PhoneParser): boolean {
  const { digits, groupLengths } = stretch;
  if (!IN_MOBILE.test(digits)) return false;
  if (groupLengths.length > 1 && !IN_GROUPED.test(digits) && !IN_BARE_GROUPS.test(groupLengths.join('-'))) {
    return false;
  }
  return parser.check(digits.length === 12 ? `+${digits}` : digits, 'IN', 'mobile');
}

/**
 * Creates the phone rule for one value: a function telling whether a stretch of digits is a phone
 * number. Matches any valid number in international format (`+` or `00` then the country code,
 * any country), and Bangladeshi and Indian numbers in local formats: a mobile with or without the
 * trunk 0 or the country code, or a trunk-prefixed landline. Bare local landline numbers
 * ("29123456") are not matched: they are indistinguishable from counts. Create one per value: it
 * caches and budgets libphonenumber-js parses (see MAX_PARSES_PER_VALUE).
 *
 * @example createPhoneRule()(stretch) // true for the stretch '+880 1711-234567'
 */
export function createPhoneRule(): (stretch: DigitStretch) => boolean {
  const parser = new PhoneParser();
  return (stretch) => {
    const { digits } = stretch;
    if (digits.length < 8 || digits.length > 17 || decimalLike(stretch)) return false;
    if (stretch.plus) return INTERNATIONAL.test(digits) && parser.check(`+${digits}`, undefined, 'valid');
    if (digits.startsWith('00')) {
      const international = digits.slice(2);
      return INTERNATIONAL.test(international) && parser.check(`+${international}`, undefined, 'valid');
    }
    if (bdLocal(stretch, parser) || inLocal(stretch, parser)) return true;
    return (
      TRUNK_PREFIXED.test(digits) &&
      (parser.check(digits, 'BD', 'valid') || parser.check(digits, 'IN', 'valid'))
    );
  };
}
