// Characters that render as nothing but change a string's bytes: zero-width space/joiners, word
// joiner, BOM, soft hyphen, and the bidi controls (LRM, RLM, embeddings, overrides, isolates).
const INVISIBLE = /[\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

// Native decimal digits used in the region: Bengali (U+09E6..) and Devanagari (U+0966..).
// NFKC does not fold these to ASCII, so map them by hand.
const NATIVE_DIGITS = /[\u09E6-\u09EF\u0966-\u096F]/g;

/**
 * Folds a string to the form identifiers are compared and scanned in: NFKC (full-width digits and
 * letters become ASCII), invisible and bidi control characters removed, Bengali and Devanagari
 * digits mapped to ASCII. Used by the normalizers and the PII scanner alike, so that a trick that
 * defeats one cannot defeat the other.
 *
 * @example foldText('０１７１１\u200B２３４５６７') // '01711234567'
 */
export function foldText(value: string): string {
  return value
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(NATIVE_DIGITS, (d) => String((d.charCodeAt(0) - (d >= '\u09E6' ? 0x09e6 : 0x0966)) % 10));
}
