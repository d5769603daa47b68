// Email addresses are found from each '@' outwards rather than with one pattern over the whole
// value: an address pattern with a repeated local part is quadratic (or worse) on long inputs
// without an '@' where it belongs, and this walk is linear.

const LOCAL_CHAR = /[\p{L}\p{N}\p{M}!#$%&'*+/=?^_`{|}~.-]/u;
const DOMAIN_CHAR = /[\p{L}\p{N}\p{M}.-]/u;
const LABEL = /^[\p{L}\p{N}\p{M}](?:[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}])?$/u;
const TOP_LEVEL = /^(?:\p{L}[\p{L}\p{M}]+|xn--[a-z0-9-]+)$/iu;
const HAS_ALNUM = /[\p{L}\p{N}]/u;

// Common ways of writing an address so that naive filters miss it: "name [at] example [dot] com",
// "name(at)example.com", "name AT example DOT com", "name @ example.com", "name%40example.com".
const HINT = /[[({<%]| AT |\s@|@\s/;
const AT_WORD = /\s*[[({<]\s*(?:at|@)\s*[\])}>]\s*| AT |\s*@\s*|%40/gi;
const DOT_WORD = /\s*[[({<]\s*(?:dot|\.)\s*[\])}>]\s*| DOT /gi;

function validDomain(domain: string): boolean {
  const labels = domain.split('.');
  return labels.length >= 2 && labels.every((l) => LABEL.test(l)) && TOP_LEVEL.test(labels.at(-1)!);
}

function addressAt(text: string, at: number): boolean {
  let start = at;
  while (start > 0 && LOCAL_CHAR.test(text[start - 1]!)) start--;
  let end = at + 1;
  while (end < text.length && DOMAIN_CHAR.test(text[end]!)) end++;
  const local = text.slice(start, at);
  // Sentence punctuation after an address is not part of its domain: "mail rahim@example.com."
  const domain = text.slice(at + 1, end).replace(/[.-]+$/, '');
  return HAS_ALNUM.test(local) && validDomain(domain);
}

function containsAddress(text: string): boolean {
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (addressAt(text, at)) return true;
  }
  return false;
}

/** The value with the common "[at]"/"[dot]" spellings turned back into '@' and '.'. */
function deobfuscated(text: string): string {
  return HINT.test(text) ? text.replace(AT_WORD, '@').replace(DOT_WORD, '.') : text;
}

/**
 * Whether a (folded) value contains an email address: a local part, '@', and a domain of at least
 * two labels ending in an alphabetic (or punycode) top-level domain, also when written as
 * "name [at] example [dot] com" and similar. `pkg@1.2.3`, `@handle` and `user@localhost` are not
 * addresses.
 *
 * @example containsEmail('write to rahim [at] example [dot] com') // true
 */
export function containsEmail(folded: string): boolean {
  return containsAddress(deobfuscated(folded));
}
