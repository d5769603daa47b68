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

// Local formats are judged on their digits alone, however they are grouped: "9876 543210",
// "98 765 43210", "0171/123/4567" and "0 1 7 1 1 2 3 4 5 6 7" are all written by someone. Decimal
// numbers (but those written like a phone number, "98765.43210"), versions, dates and ranges of
// round numbers never get here (see number-shapes.ts).
function bdLocal(digits: string, parser: PhoneParser): boolean {
  return (
    BD_MOBILE.test(digits) && parser.check(digits.startsWith('880') ? `+${digits}` : digits, 'BD', 'valid')
  );
}

function inLocal(digits: string, parser: PhoneParser): boolean {
  return IN_MOBILE.test(digits) && parser.check(digits.length === 12 ? `+${digits}` : digits, 'IN', 'mobile');
}

function international(digits: string, parser: PhoneParser): boolean {
  return INTERNATIONAL.test(digits) && parser.check(`+${digits}`, undefined, 'valid');
}

/**
 * Creates the phone rule for one value: a function telling whether a stretch of digits is a phone
 * number. Matches any valid number in international format (`+` or `00` then the country code,
 * any country), and Bangladeshi and Indian numbers in local formats, grouped in any way: a mobile
 * with or without the trunk 0 or the country code, or a trunk-prefixed landline. Bare local landline numbers
 * ("29123456") are not matched: they are indistinguishable from counts. Create one per value: it
 * caches and budgets libphonenumber-js parses (see MAX_PARSES_PER_VALUE).
 *
 * @example createPhoneRule()(stretch) // true for the stretch '+880 1711-234567'
 */
export function createPhoneRule(): (stretch: DigitStretch) => boolean {
  const parser = new PhoneParser();
  return (stretch) => {
    const { digits } = stretch;
    if (digits.length < 8 || digits.length > 17) return false;
    // A '+' only adds a reading: "+01711234567" is no valid international number, but a phone.
    if (stretch.plus && international(digits, parser)) return true;
    if (digits.startsWith('00') && international(digits.slice(2), parser)) return true;
    if (bdLocal(digits, parser) || inLocal(digits, parser)) return true;
    return (
      TRUNK_PREFIXED.test(digits) &&
      (parser.check(digits, 'BD', 'valid') || parser.check(digits, 'IN', 'valid'))
    );
  };
}
