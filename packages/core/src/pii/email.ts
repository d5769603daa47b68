// Email addresses are found from each '@' outwards rather than with one pattern over the whole
// value: an address pattern with a repeated local part is quadratic (or worse) on long inputs
// without an '@' where it belongs, and this walk is linear.

const LOCAL_CHAR = /[\p{L}\p{N}\p{M}!#$%&'*+/=?^_`{|}~.-]/u;
const DOMAIN_CHAR = /[\p{L}\p{N}\p{M}.-]/u;
// A quoted local part ("rahim"@example.com), a comment ((rahim)@example.com) or angle brackets
// around an address: the walk steps over them, and they are dropped before the parts are judged.
const WRAPPER_CHAR = /["()<>[\]]/;
const WRAPPERS = /["()<>[\]]/g;
const LABEL = /^[\p{L}\p{N}\p{M}](?:[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}])?$/u;
const TOP_LEVEL = /^(?:\p{L}[\p{L}\p{M}]+|xn--[a-z0-9-]+)$/iu;
const HAS_ALNUM = /[\p{L}\p{N}]/u;

// Characters that read as a full stop in some script or font: middle dots, the Arabic full stop
// (U+06D4), Syriac, Devanagari danda, one-dot leader, bullet and dot operators, the katakana middle
// dot, ideographic and half-width full stops. In an address they stand for '.'.
const DOT_LIKE =
  /[\u00B7\u0387\u06D4\u0701\u0702\u0964\u2022\u2024\u2027\u2219\u22C5\u2E33\u2E3C\u30FB\u3002\uFE52\uFF0E\uFF61\uFF65]/g;

// Common ways of writing an address so that naive filters miss it: "name [at] example [dot] com",
// "name(at)example.com", "name @ example . com", "name%40example.com", and the words themselves:
// "name at example dot com", in any case.
// The patterns below run on text whose whitespace runs were collapsed to one space: a pattern that
// starts with `\s*` is quadratic on a long run of whitespace not followed by what it looks for
// (20 KB of spaces and a '(' took seconds), ` ?` is not.
const HINT = /[[({<%]|\bat\b|\bdot\b|\s@|@\s|\s\.\s/i;
const WHITESPACE_RUN = /\s+/g;
const AT_SYMBOLIC = / ?[[({<] ?(?:at|@) ?[\])}>] ?| ?@ ?|%40/gi;
const DOT_SYMBOLIC = / ?[[({<] ?(?:dot|\.) ?[\])}>] ?| \. /gi;
const AT_WORD = / at /gi;
const DOT_WORD = / dot /gi;

// Written out with words, "name at example dot com" could be a sentence ("seen at Dhaka.Mirpur"):
// there the top-level domain must be a real one, a two-letter country code or a common generic one.
const KNOWN_TOP_LEVEL =
  /^(?:[a-z]{2}|com|net|org|edu|gov|mil|int|info|biz|name|pro|mobi|app|dev|io|xyz|online|site|email|mail)$/i;

// An address whose '@' (and dots) were replaced by anything at all, recognizable by its mailbox
// provider: "rahim.uddin.gmail.com", "rahim_gmail_com", "rahim -- gmail -- com". The lookbehind asks
// for a local part (a letter or digit) at most eight characters before the provider's name; the
// rules run on text whose whitespace runs are one space, so "rahim    gmail    com" is read too.
// And an address with a provider after its '@' and no top-level domain ("rahim.uddin@gmail"): a
// provider names one mail service, so the rest of the domain adds nothing.
const PROVIDERS =
  'gmail|googlemail|yahoo|ymail|hotmail|outlook|icloud|protonmail|proton|rediffmail|gmx|yandex|zoho|aol';
const MAILBOX_DOMAIN = new RegExp(
  `(?<=[\\p{L}\\p{N}][^\\p{L}\\p{N}]{1,8})(?:${PROVIDERS})[^\\p{L}\\p{N}]{1,8}(?:com|co|in|net|me|ru|de|uk|bd)(?![\\p{L}\\p{N}])`,
  'iu',
);
const MAILBOX_AT = new RegExp(
  `(?<=[\\p{L}\\p{N}][^\\p{L}\\p{N}@]{0,3})@[^\\p{L}\\p{N}]{0,3}(?:${PROVIDERS})(?![\\p{L}\\p{N}])`,
  'iu',
);

type TopLevelCheck = (topLevel: string) => boolean;
const anyTopLevel: TopLevelCheck = (topLevel) => TOP_LEVEL.test(topLevel);
const knownTopLevel: TopLevelCheck = (topLevel) => TOP_LEVEL.test(topLevel) && KNOWN_TOP_LEVEL.test(topLevel);

function validDomain(domain: string, topLevelOk: TopLevelCheck): boolean {
  const labels = domain.split('.');
  return labels.length >= 2 && labels.every((l) => LABEL.test(l)) && topLevelOk(labels.at(-1)!);
}

/** `text` less the dots and dashes it ends with (a loop: `/[.-]+$/` is quadratic on a long run of dots). */
function trimTrailingDotsAndDashes(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
  return text.slice(0, end);
}

function addressAt(text: string, at: number, topLevelOk: TopLevelCheck): boolean {
  let start = at;
  while (start > 0 && (LOCAL_CHAR.test(text[start - 1]!) || WRAPPER_CHAR.test(text[start - 1]!))) start--;
  let end = at + 1;
  while (end < text.length && (DOMAIN_CHAR.test(text[end]!) || WRAPPER_CHAR.test(text[end]!))) end++;
  const local = text.slice(start, at);
  // Sentence punctuation after an address is not part of its domain: "mail rahim@example.com."
  const domain = trimTrailingDotsAndDashes(text.slice(at + 1, end).replace(WRAPPERS, ''));
  return HAS_ALNUM.test(local) && validDomain(domain, topLevelOk);
}

function containsAddress(text: string, topLevelOk: TopLevelCheck): boolean {
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (addressAt(text, at, topLevelOk)) return true;
  }
  return false;
}

/**
 * Whether a (folded) value contains an email address: a local part, '@', and a domain of at least
 * two labels ending in an alphabetic (or punycode) top-level domain. Also found when written
 * "name [at] example [dot] com", "name @ example . com", "name at example dot com" (then with a
 * real top-level domain), with a quoted or bracketed local part, with look-alike dots
 * ("example۔com"), with the '@' replaced by anything before a well-known mailbox provider
 * ("rahim.uddin.gmail.com"), or with a provider and no top-level domain ("rahim@gmail").
 * `pkg@1.2.3`, `@handle` and `user@localhost` are not addresses.
 *
 * @example containsEmail('write to rahim at example dot com') // true
 */
export function containsEmail(folded: string): boolean {
  const text = folded.replace(DOT_LIKE, '.');
  if (text.includes('@') && containsAddress(text, anyTopLevel)) return true;
  const collapsed = text.replace(WHITESPACE_RUN, ' ');
  if (MAILBOX_DOMAIN.test(collapsed) || (collapsed.includes('@') && MAILBOX_AT.test(collapsed))) return true;
  if (!HINT.test(text)) return false;
  const symbolic = collapsed.replace(AT_SYMBOLIC, '@').replace(DOT_SYMBOLIC, '.');
  if (symbolic !== collapsed && containsAddress(symbolic, anyTopLevel)) return true;
  const spelled = symbolic.replace(AT_WORD, '@').replace(DOT_WORD, '.');
  return spelled !== symbolic && containsAddress(spelled, knownTopLevel);
}
