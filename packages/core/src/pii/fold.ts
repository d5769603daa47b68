import { foldText } from '../text.ts';

// What foldText leaves that can still hide a digit or an '@' from a pattern: any remaining format
// character (Arabic letter mark, Mongolian vowel separator, tag characters...), enclosing marks
// and variation selectors (keycap digits: '1' U+FE0F U+20E3), Unicode dashes, the ideographic full
// stop, and decimal digits of scripts other than Bengali and Devanagari.
const FORMAT_OR_MARK = /[\p{Cf}\p{Me}]/u;
const VARIATION_SELECTORS = { first: 0xfe00, last: 0xfe0f };
const DASH = /[\u2010-\u2015\u2212\uFE58\uFE63]/;
const DECIMAL_DIGIT = /\p{Nd}/u;
// Default-ignorable characters that are letters, so neither \p{Cf} nor foldText removes them: the
// Hangul fillers (U+3164 is a well-known "invisible character"; NFKC maps it and U+FFA0 to U+1160)
// and the Khmer inherent vowels. Between two digits they render as nothing or a blank but would end
// a number for the digit rules.
const IGNORABLE_LETTER = /[\u115F\u1160\u17B4\u17B5\u3164\uFFA0]/g;
// Combining marks on an ASCII character: NFKC has already composed every accented Latin letter, so
// what is left is decoration: underline (U+0332) or strike-through (U+0336) after each character,
// the combining grapheme joiner (U+034F), Mongolian variation selectors. A phone number or a PAN so
// decorated reads as one. Marks on letters of other scripts are their vowel signs and stay.
const MARKS_ON_ASCII = /(?<=[^\u0080-\u{10FFFF}])\p{M}+/gu;
const NON_ASCII = /[\u0080-\uFFFF]/;
const NON_ASCII_CHARS = /[\u0080-\u{10FFFF}]/gu;

// U+202E (right-to-left override) shows the characters up to U+202C (pop directional formatting)
// in reverse: a number stored backwards reads forwards on screen.
const RLO_SEGMENT = /\u202E([^\u202C]*)(?:\u202C|$)/g;

/**
 * The value of a Unicode decimal digit. Unicode allocates decimal digits in contiguous runs of ten
 * starting at zero, so the distance back to the start of the run, modulo 10, is the value.
 */
function digitValue(char: string): string {
  let codePoint = char.codePointAt(0)!;
  let steps = 0;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(codePoint - 1))) {
    codePoint -= 1;
    steps += 1;
  }
  return String(steps % 10);
}

function foldChar(char: string): string {
  const codePoint = char.codePointAt(0)!;
  if (codePoint >= VARIATION_SELECTORS.first && codePoint <= VARIATION_SELECTORS.last) return '';
  if (FORMAT_OR_MARK.test(char)) return '';
  if (DASH.test(char)) return '-';
  if (char === '\u3002') return '.';
  if (DECIMAL_DIGIT.test(char)) return digitValue(char);
  return char;
}

/**
 * Folds a value to the form the rules match against: {@link foldText} (NFKC, invisible and bidi
 * controls removed, Bengali and Devanagari digits to ASCII), then every other format character,
 * the default-ignorable letters (Hangul fillers) and combining marks on ASCII characters removed,
 * and every other script's decimal digits, Unicode dashes and the ideographic full stop mapped to
 * ASCII. Pure ASCII is returned as is (nothing to fold).
 *
 * @example foldForScan('০১৭১১\u200B২৩৪৫৬৭') // '01711234567'
 */
export function foldForScan(value: string): string {
  if (!NON_ASCII.test(value)) return value;
  const folded = foldText(value);
  if (!NON_ASCII.test(folded)) return folded;
  // Marks last: a mark on an Arabic-Indic digit is on an ASCII digit once the digit is folded.
  return folded.replace(IGNORABLE_LETTER, '').replace(NON_ASCII_CHARS, foldChar).replace(MARKS_ON_ASCII, '');
}

/**
 * The order in which a value is displayed when it uses the right-to-left override (U+202E) to show
 * characters stored backwards, or `undefined` when it has none. The scanner checks both orders:
 * `\u202E76543211710` is stored reversed but shows, and means, 01711234567.
 *
 * @example displayOrder('\u202E76543211710\u202C') // '01711234567'
 */
export function displayOrder(value: string): string | undefined {
  if (!value.includes('\u202E')) return undefined;
  return value.replace(RLO_SEGMENT, (_, inner: string) => Array.from(inner).reverse().join(''));
}

/**
 * What {@link maskStructured} puts in place of a value it recognizes. An invisible separator
 * (U+2063): {@link foldForScan} removes every such character from the input, so it can only come
 * from a mask, and the digit rules treat it as the end of a number (never as a separator).
 */
export const MASK = '\u2063';

// Values the pipeline sends on purpose whose digits look like identifiers, each matched exactly as
// the pipeline writes it so that the mask hides nothing else:
// - UUIDs as `z.uuid()` accepts them (RFC 9562: version 1-8, variant 10xx; or nil/max): a last
//   group of 12 digits is a 12-digit number. UUID-shaped text of another version or variant is
//   read like any text.
// - ISO-8601 dates and times ("2026-11-27 07" is ten digits), years 1800-2099. Month, day and
//   the year's century are pinned so that a phone number or an id cannot pass for a date; a time
//   after a space needs its minutes for the same reason.
// - Vault tokens: a lower-case kind, `_`, and 26 upper-case Crockford base32 characters
//   (`pat_01HV9Z3K8J2Q4W6E8R0T2Y4U6M`, see TokenSchema): a random body has ten digits in a row
//   about once in 10,000 tokens.
// - Hex digests of 32, 40, 64 or 128 characters (MD5/UUID, SHA-1, SHA-256, SHA-512): a random
//   SHA-256 in hex has ten digits in a row one time in five.
const UUID =
  '(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[1-8][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}|00000000-0000-0000-0000-000000000000|[Ff]{8}-[Ff]{4}-[Ff]{4}-[Ff]{4}-[Ff]{12})';
const DATE = '(?:18|19|20)\\d\\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])';
const ZONE = '(?:Z|[+-][01]\\d(?::?[0-5]\\d)?)';
const SECONDS = '(?::[0-5]\\d(?:[.,]\\d{1,9})?)';
const TIME = `(?:T[0-2]\\d(?::[0-5]\\d${SECONDS}?)?| [0-2]\\d:[0-5]\\d${SECONDS}?)${ZONE}?`;
const TOKEN = '[a-z][a-z0-9]{1,7}_[0-9A-HJKMNP-TV-Z]{26}';
const STRUCTURED = new RegExp(
  `(?<![A-Za-z0-9])(?:${UUID}|${DATE}(?:${TIME})?)(?![A-Za-z0-9])|(?<![A-Za-z0-9_])${TOKEN}(?![A-Za-z0-9_])`,
  'g',
);
const HEX_RUN = /(?<![A-Za-z0-9])[0-9A-Fa-f]{32,}(?![A-Za-z0-9])/g;
const DIGEST_LENGTHS = new Set([32, 40, 64, 128]);
/** The shortest value a mask applies to: a vault token (`xx_` and 26 characters). */
const MIN_MASKABLE_LENGTH = 10;

/**
 * Replaces UUIDs, ISO-8601 dates and timestamps, vault tokens and hex digests with {@link MASK},
 * so that only the text around them is scanned for digit-based identifiers.
 *
 * @example maskStructured('batch 2026-11-27T07:00:00.000Z') // 'batch \u2063'
 */
export function maskStructured(folded: string): string {
  if (folded.length < MIN_MASKABLE_LENGTH) return folded;
  const masked = folded.replace(STRUCTURED, MASK);
  return masked.length < 32
    ? masked
    : masked.replace(HEX_RUN, (run) => (DIGEST_LENGTHS.has(run.length) ? MASK : run));
}
