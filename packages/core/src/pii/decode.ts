// A value can carry an identifier in an encoding that any reader undoes without thinking: a URL
// ("?phone=%2B91%209876543210", "tel:%2B880%201711%20234567"), a JSON document embedded in a string
// by a serializer that escapes non-ASCII ("\u09e6\u09e7..." is Python's json.dumps of Bengali
// digits), or HTML ("rahim&#64;example.com"). The scanner reads such a value a second time with
// these encodings undone. Each pass is one linear replace, and a value none of whose trigger
// characters ('%', '\', '&') occurs costs one character-class test.

const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
const BACKSLASH_ESCAPE = /\\u\{([0-9A-Fa-f]{1,6})\}|\\u([0-9A-Fa-f]{4})|\\x([0-9A-Fa-f]{2})/g;
const CHARACTER_REFERENCE = /&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|(amp|commat|period|plus|nbsp|colon));?/g;
const NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  commat: '@',
  period: '.',
  plus: '+',
  nbsp: ' ',
  colon: ':',
};
const TRIGGER = /[%&\\]/;
/** Nested encodings undone ("%2540" is a percent-encoded "%40"; "&amp;#64;" an escaped "&#64;"). */
const MAX_ROUNDS = 3;

/** A code point as text, or U+FFFD for a number that is none (beyond U+10FFFF). */
function fromCodePoint(codePoint: number): string {
  return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : '\uFFFD';
}

/** A run of %XX bytes as UTF-8 (invalid sequences become U+FFFD: never throws, unlike decodeURIComponent). */
function decodePercentRun(run: string): string {
  return Buffer.from(run.replaceAll('%', ''), 'hex').toString('utf8');
}

function decodeBackslash(_: string, braced?: string, u?: string, x?: string): string {
  return fromCodePoint(Number.parseInt(braced ?? u ?? x ?? '', 16));
}

function decodeReference(_: string, decimal?: string, hex?: string, name?: string): string {
  if (decimal !== undefined) return fromCodePoint(Number.parseInt(decimal, 10));
  if (hex !== undefined) return fromCodePoint(Number.parseInt(hex, 16));
  return NAMED[name!]!;
}

function decodeOnce(text: string): string {
  let decoded = text;
  if (decoded.includes('%')) decoded = decoded.replace(PERCENT_RUN, decodePercentRun);
  if (decoded.includes('\\')) decoded = decoded.replace(BACKSLASH_ESCAPE, decodeBackslash);
  if (decoded.includes('&')) decoded = decoded.replace(CHARACTER_REFERENCE, decodeReference);
  return decoded;
}

/**
 * `value` with percent-encoding (as UTF-8), backslash escapes (`\u0040`, `\u{1F600}`, `\x40`) and
 * HTML character references (`&#64;`, `&#x40;`, `&commat;`) undone, up to three times over for
 * nested encodings; `undefined` when there is nothing to undo. The scanner reads the result in
 * addition to the value itself, never instead of it.
 *
 * @example decodedReading('?phone=%2B91%209876543210') // '?phone=+91 9876543210'
 */
export function decodedReading(value: string): string | undefined {
  if (!TRIGGER.test(value)) return undefined;
  let decoded = value;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = decodeOnce(decoded);
    if (next === decoded) break;
    decoded = next;
  }
  return decoded === value ? undefined : decoded;
}
